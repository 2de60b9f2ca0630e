"""Find platform credentials in a set of Kubernetes objects: every place a pod can get a value
from (env, envFrom, volumes, projected sources) and every Secret's data."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator
from typing import Any

Body = dict[str, Any]


def _pod_specs(obj: Body) -> Iterator[Body]:
    spec = obj.get("spec") or {}
    if obj.get("kind") == "Pod":
        yield spec
    template = (spec.get("template") or {}).get("spec")
    if template is not None:
        yield template


def _secret_names_of_pod(pod: Body) -> Iterator[tuple[str, str]]:
    for container in [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]:
        where = f"container {container.get('name')}"
        for env in container.get("env") or []:
            ref = ((env.get("valueFrom") or {}).get("secretKeyRef") or {}).get("name")
            if ref:
                yield ref, f"{where} env {env.get('name')}"
        for source in container.get("envFrom") or []:
            ref = (source.get("secretRef") or {}).get("name")
            if ref:
                yield ref, f"{where} envFrom"
    for volume in pod.get("volumes") or []:
        ref = (volume.get("secret") or {}).get("secretName")
        if ref:
            yield ref, f"volume {volume.get('name')}"
        for source in (volume.get("projected") or {}).get("sources") or []:
            ref = (source.get("secret") or {}).get("name")
            if ref:
                yield ref, f"volume {volume.get('name')} projected"


def platform_credential_uses(
    objects: Iterable[Body], secret_names: set[str], secret_values: set[str]
) -> list[str]:
    """Where ``objects`` carry a platform Secret (by name) or a platform credential's value."""
    found: list[str] = []
    objects = list(objects)
    stored = {
        o["metadata"]["name"]: o for o in objects if o.get("kind") == "Secret"
    }  # Secrets the set itself creates may be copies
    for obj in objects:
        name = f"{obj.get('kind')} {obj['metadata'].get('name')}"
        if obj.get("kind") == "Secret":
            for key, encoded in (obj.get("data") or {}).items():
                if base64.b64decode(encoded).decode(errors="replace") in secret_values:
                    found.append(f"{name} data {key}")
            for key, value in (obj.get("stringData") or {}).items():
                if value in secret_values:
                    found.append(f"{name} stringData {key}")
        for pod in _pod_specs(obj):
            for secret, where in _secret_names_of_pod(pod):
                copied = secret in stored and bool(
                    platform_credential_uses([stored[secret]], set(), secret_values)
                )
                if secret in secret_names or copied:
                    found.append(f"{name} {where} -> Secret {secret}")
            for container in [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]:
                for env in container.get("env") or []:
                    if env.get("value") in secret_values:
                        found.append(f"{name} container {container.get('name')} env {env['name']}")
    return found
