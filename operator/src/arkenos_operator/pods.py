"""Pieces of pod specs every workload the operator creates shares: the restricted security
context, resources with defaults, and the projected workload-identity token."""

from __future__ import annotations

import posixpath
from typing import Any

from arkenos_crds.custom import Resources
from arkenos_crds.runtime import WORKLOAD_TOKEN_AUDIENCE, WORKLOAD_TOKEN_PATH
from arkenos_operator.settings import ResourceDefaults

Body = dict[str, Any]

RUN_AS_USER = 10001
TOKEN_VOLUME = "workload-token"  # noqa: S105 - a volume name
TOKEN_EXPIRATION_SECONDS = 3600


def pod_security_context() -> Body:
    return {
        "runAsNonRoot": True,
        "runAsUser": RUN_AS_USER,
        "runAsGroup": RUN_AS_USER,
        "fsGroup": RUN_AS_USER,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security_context() -> Body:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def resources(spec: Resources, defaults: ResourceDefaults) -> Body:
    """Requests and limits from the spec, each unset value from the operator's defaults."""
    return {
        "requests": {
            "cpu": spec.requests.cpu or defaults.cpu_request,
            "memory": spec.requests.memory or defaults.memory_request,
        },
        "limits": {
            "cpu": spec.limits.cpu or defaults.cpu_limit,
            "memory": spec.limits.memory or defaults.memory_limit,
        },
    }


def token_volume() -> Body:
    """A ServiceAccount token for the API only (audience), mounted instead of the default one."""
    return {
        "name": TOKEN_VOLUME,
        "projected": {
            "sources": [
                {
                    "serviceAccountToken": {
                        "audience": WORKLOAD_TOKEN_AUDIENCE,
                        "expirationSeconds": TOKEN_EXPIRATION_SECONDS,
                        "path": posixpath.basename(WORKLOAD_TOKEN_PATH),
                    }
                }
            ]
        },
    }


def token_mount() -> Body:
    return {
        "name": TOKEN_VOLUME,
        "mountPath": posixpath.dirname(WORKLOAD_TOKEN_PATH),
        "readOnly": True,
    }


#: What a worker keeps of its termination grace period after the drain: the last reports'
#: flush and the process's exit, before the kubelet's SIGKILL.
DRAIN_MARGIN_SECONDS = 15


def drain_seconds(grace_period_seconds: int) -> int:
    """How long a stopping worker may drain its calls: the pod's grace period minus a margin
    (a fifth of it for short grace periods), so a long call ends and is reported, not killed."""
    margin = min(DRAIN_MARGIN_SECONDS, grace_period_seconds // 5)
    return max(1, grace_period_seconds - margin)


def worker_env(grace_period_seconds: int, max_sessions: int) -> list[Body]:
    """The worker's drain time and session limit (agent-runtime settings
    ARKENOS_DRAIN_TIMEOUT_SECONDS and ARKENOS_MAX_SESSIONS), matched to the pod and its plan."""
    return plain_env(
        {
            "ARKENOS_DRAIN_TIMEOUT_SECONDS": str(drain_seconds(grace_period_seconds)),
            "ARKENOS_MAX_SESSIONS": str(max_sessions),
        }
    )


def secret_env(name: str, secret: str, key: str | None = None) -> Body:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key or name}}}


def plain_env(values: dict[str, str]) -> list[Body]:
    return [{"name": k, "value": v} for k, v in values.items()]
