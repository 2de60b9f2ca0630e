"""What makes a namespace a workspace, and which namespaces may never become one.

A workspace namespace is labelled as Arkenos's, enforces Pod Security Admission's
``restricted`` level (tenant code runs there), and gets a ResourceQuota and a LimitRange so one
workspace cannot take the cluster's capacity. System namespaces, the platform's own namespace
and namespaces another tool says it manages are refused, with the reason.
"""

from __future__ import annotations

from typing import Any

from arkenos_api.core.errors import ApiError
from arkenos_api.settings import Settings

WORKSPACE_LABEL = "arkenos.io/workspace"
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY = "arkenos"
POLICY_NAME = "arkenos-workspace"
#: Namespaces Kubernetes itself uses: their Secrets and service accounts run the cluster.
SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease", "default"})
_PSA = "pod-security.kubernetes.io"


def namespace_labels(namespace: str) -> dict[str, str]:
    return {
        WORKSPACE_LABEL: namespace,
        MANAGED_BY_LABEL: MANAGED_BY,
        f"{_PSA}/enforce": "restricted",
        f"{_PSA}/enforce-version": "latest",
        f"{_PSA}/warn": "restricted",
        f"{_PSA}/audit": "restricted",
    }


def refuse_reserved(namespace: str, settings: Settings) -> None:
    """Refuse names that must never be workspaces, whether created or adopted."""
    if namespace in SYSTEM_NAMESPACES:
        raise ApiError(
            403,
            "namespace_reserved",
            f"{namespace} is a Kubernetes system namespace and cannot be a workspace",
            "namespace",
        )
    if namespace == settings.platform_namespace or namespace in settings.reserved_namespaces:
        raise ApiError(
            403,
            "namespace_reserved",
            f"{namespace} is the platform's own namespace and cannot be a workspace",
            "namespace",
        )


def refuse_foreign_owner(namespace: str, labels: dict[str, str]) -> None:
    """Refuse adopting a namespace another tool (or another workspace) says is its own."""
    manager = labels.get(MANAGED_BY_LABEL)
    if manager is not None and manager != MANAGED_BY:
        raise ApiError(
            409,
            "namespace_owned_elsewhere",
            f"namespace {namespace} is labelled {MANAGED_BY_LABEL}={manager}: it belongs to "
            "another tool; remove the label first if it really should be a workspace",
            "namespace",
        )
    claimed = labels.get(WORKSPACE_LABEL)
    if claimed is not None and claimed != namespace:
        raise ApiError(
            409,
            "namespace_owned_elsewhere",
            f"namespace {namespace} is labelled as workspace {claimed}",
            "namespace",
        )


def build_resource_quota(namespace: str, settings: Settings) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": POLICY_NAME, "namespace": namespace, "labels": _own_labels()},
        "spec": {"hard": dict(settings.workspace_quota)},
    }


def build_limit_range(namespace: str, settings: Settings) -> dict[str, Any]:
    # Defaults for containers that set none, so the quota (which counts requests and limits)
    # does not refuse every pod that forgot them.
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": POLICY_NAME, "namespace": namespace, "labels": _own_labels()},
        "spec": {
            "limits": [
                {
                    "type": "Container",
                    "default": dict(settings.workspace_default_limits),
                    "defaultRequest": dict(settings.workspace_default_requests),
                }
            ]
        },
    }


def _own_labels() -> dict[str, str]:
    return {MANAGED_BY_LABEL: MANAGED_BY}
