"""Metadata every child object carries: the app.kubernetes.io labels, the owner's label and an
ownerReference, so `kubectl get -l arkenos.io/agent=x` finds them and deleting the owner lets
the garbage collector remove them."""

from __future__ import annotations

from typing import Any

MANAGED_BY = "arkenos-operator"
PART_OF = "arkenos"

Body = dict[str, Any]


def owner_reference(owner: Body) -> Body:
    """A controller ownerReference to ``owner`` (a whole object as read from the API)."""
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def child_labels(
    name: str, instance: str, component: str, extra: dict[str, str] | None = None
) -> dict[str, str]:
    """The recommended app.kubernetes.io labels plus any resource-specific ones."""
    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/instance": instance,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/managed-by": MANAGED_BY,
        "app.kubernetes.io/part-of": PART_OF,
        **(extra or {}),
    }


def child_metadata(
    owner: Body, name: str, labels: dict[str, str], annotations: dict[str, str] | None = None
) -> Body:
    """metadata of a child in its owner's namespace."""
    metadata: Body = {
        "name": name,
        "namespace": owner["metadata"]["namespace"],
        "labels": labels,
        "ownerReferences": [owner_reference(owner)],
    }
    if annotations:
        metadata["annotations"] = annotations
    return metadata
