"""Expected pieces of a custom agent's children, shared by the builders' whole-dict tests."""

from __future__ import annotations

from typing import Any

from arkenos_crds.voiceagent import VoiceAgentSpec
from tests.operator.conftest import make_settings

SETTINGS = make_settings(
    livekit_cidrs='["10.20.0.0/16"]',
    livekit_tcp_ports="[7880, 7881]",
    api_namespace="arkenos-system",
)
BUNDLE = "sha256:" + "1" * 64
ARTIFACT = "sha256:" + "a" * 64
RUNTIME_IMAGE = SETTINGS.agent_runtime_image


def agent(source: dict[str, Any], **custom: Any) -> dict[str, Any]:
    return {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": "VoiceAgent",
        "metadata": {"name": "orders", "namespace": "team-a", "uid": "uid-1", "generation": 1},
        "spec": {
            "mode": "Custom",
            "custom": {"source": source, "entrypoint": "agent:entrypoint", **custom},
        },
    }


def spec_of(body: dict[str, Any]) -> VoiceAgentSpec:
    return VoiceAgentSpec.model_validate(body["spec"])


OWNER = [
    {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": "VoiceAgent",
        "name": "orders",
        "uid": "uid-1",
        "controller": True,
        "blockOwnerDeletion": True,
    }
]


def labels(component: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": "arkenos-agent",
        "app.kubernetes.io/instance": "orders",
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/managed-by": "arkenos-operator",
        "app.kubernetes.io/part-of": "arkenos",
        "arkenos.io/agent": "orders",
    }


SECURITY = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}
POD_SECURITY = {
    "runAsNonRoot": True,
    "runAsUser": 10001,
    "runAsGroup": 10001,
    "fsGroup": 10001,
    "seccompProfile": {"type": "RuntimeDefault"},
}
#: What the build and fetch containers get to reach the agent's code through the API.
CODE_STORE_ENV = [
    {"name": "ARKENOS_API_URL", "value": SETTINGS.api_url},
    {"name": "ARKENOS_TOKEN_FILE", "value": "/var/run/secrets/arkenos/token"},
    {"name": "ARKENOS_WORKSPACE", "value": "team-a"},
    {"name": "ARKENOS_AGENT", "value": "orders"},
    {"name": "HOME", "value": "/tmp"},
]
TOKEN_MOUNT = {"name": "workload-token", "mountPath": "/var/run/secrets/arkenos", "readOnly": True}
TOKEN_VOLUME = {
    "name": "workload-token",
    "projected": {
        "sources": [
            {
                "serviceAccountToken": {
                    "audience": "arkenos-api",
                    "expirationSeconds": 3600,
                    "path": "token",
                }
            }
        ]
    },
}
DEFAULT_RESOURCES = {
    "requests": {"cpu": "250m", "memory": "512Mi"},
    "limits": {"cpu": "1", "memory": "1Gi"},
}
