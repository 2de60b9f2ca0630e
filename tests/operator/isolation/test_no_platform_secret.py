"""No platform credential in the objects the operator makes for a custom agent: its
Deployment, build Job, Secrets, ServiceAccount and NetworkPolicies are scanned as a whole
(env, envFrom, volumes, projected sources, Secret data)."""

from __future__ import annotations

import base64
from typing import Any

from arkenos_operator.voiceagent import names
from arkenos_operator.voiceagent.build import build_job
from arkenos_operator.voiceagent.builders import (
    build_agent_deployment,
    build_gateway_secret,
    build_service_account,
)
from arkenos_operator.voiceagent.network import build_build_network_policy, build_network_policy
from tests.operator.expected_children import ARTIFACT, BUNDLE, SETTINGS, agent, spec_of
from tests.operator.isolation.platform_secrets import platform_credential_uses

LIVEKIT = {"LIVEKIT_API_KEY": "APIkey1234", "LIVEKIT_API_SECRET": "livekit-secret-value"}
STORAGE = {"ARKENOS_S3_ACCESS_KEY": "minio-access", "ARKENOS_S3_SECRET_KEY": "minio-secret"}
#: The chart's object storage Secret in the operator's namespace.
S3_SECRET_NAME = "arkenos-s3"
#: The platform's Secrets, and the copy older operators kept in the agent's namespace.
PLATFORM_SECRET_NAMES = {
    SETTINGS.livekit_secret_name,
    S3_SECRET_NAME,
    names.platform_secret_name("orders"),
}
PLATFORM_VALUES = {*LIVEKIT.values(), *STORAGE.values()}


def _secret(data: dict[str, str]) -> dict[str, Any]:
    return {"data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}}


def _everything_for_a_custom_agent() -> list[dict[str, Any]]:
    body = agent({"bundle": {"digest": BUNDLE}})
    spec = spec_of(body)
    assert spec.custom is not None
    return [
        build_agent_deployment(body, spec, SETTINGS, ARTIFACT, replicas=1),
        build_job(body, spec.custom, SETTINGS),
        build_gateway_secret(body, _secret(LIVEKIT)),
        build_service_account(body),
        build_network_policy(body, spec.custom, SETTINGS),
        build_build_network_policy(body, SETTINGS),
    ]


def test_no_livekit_credential_reaches_a_custom_agents_objects() -> None:
    """The runner connects through the worker gateway with the agent's own key pair: neither
    the platform's LiveKit Secret nor its key or secret appears anywhere."""
    found = platform_credential_uses(
        _everything_for_a_custom_agent(), {SETTINGS.livekit_secret_name}, set(LIVEKIT.values())
    )
    assert found == []


def test_no_platform_credential_reaches_a_custom_agents_objects() -> None:
    """Neither the LiveKit nor the object storage credential: the build Job and the fetch
    container reach the agent's code through the API with the pod's own token."""
    found = platform_credential_uses(
        _everything_for_a_custom_agent(), PLATFORM_SECRET_NAMES, PLATFORM_VALUES
    )
    assert found == []


def test_the_scan_finds_each_way_a_credential_can_reach_a_pod() -> None:
    leaky_pod = {
        "kind": "Deployment",
        "metadata": {"name": "leaky"},
        "spec": {
            "template": {
                "spec": {
                    "initContainers": [
                        {"name": "init", "envFrom": [{"secretRef": {"name": "copy"}}]}
                    ],
                    "containers": [
                        {
                            "name": "main",
                            "env": [
                                {"name": "A", "value": "minio-secret"},
                                {
                                    "name": "B",
                                    "valueFrom": {
                                        "secretKeyRef": {"name": "arkenos-livekit", "key": "k"}
                                    },
                                },
                            ],
                        }
                    ],
                    "volumes": [
                        {"name": "v1", "secret": {"secretName": "arkenos-s3"}},
                        {
                            "name": "v2",
                            "projected": {"sources": [{"secret": {"name": "arkenos-livekit"}}]},
                        },
                    ],
                }
            }
        },
    }
    copy = {
        "kind": "Secret",
        "metadata": {"name": "copy"},
        **_secret({"K": "livekit-secret-value"}),
    }
    found = platform_credential_uses([leaky_pod, copy], PLATFORM_SECRET_NAMES, PLATFORM_VALUES)
    assert sorted(found) == sorted(
        [
            "Secret copy data K",
            "Deployment leaky container init envFrom -> Secret copy",
            "Deployment leaky container main env A",
            "Deployment leaky container main env B -> Secret arkenos-livekit",
            "Deployment leaky volume v1 -> Secret arkenos-s3",
            "Deployment leaky volume v2 projected -> Secret arkenos-livekit",
        ]
    )
    clean = {
        "kind": "Deployment",
        "metadata": {"name": "clean"},
        "spec": {"template": {"spec": {}}},
    }
    assert platform_credential_uses([clean], PLATFORM_SECRET_NAMES, PLATFORM_VALUES) == []
