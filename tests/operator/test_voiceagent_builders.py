"""Pure builders of a custom agent's other children (NetworkPolicy, build Job, ServiceAccount,
Secrets), compared as whole dicts."""

from __future__ import annotations

import base64

from arkenos_crds.gateway import GatewayKeyId, gateway_secret
from arkenos_operator.voiceagent import names
from arkenos_operator.voiceagent.build import build_job
from arkenos_operator.voiceagent.builders import (
    build_gateway_secret,
    build_service_account,
)
from arkenos_operator.voiceagent.network import build_network_policy
from tests.operator.expected_children import (
    BUNDLE,
    CODE_STORE_ENV,
    DEFAULT_RESOURCES,
    OWNER,
    POD_SECURITY,
    RUNTIME_IMAGE,
    SECURITY,
    SETTINGS,
    TOKEN_MOUNT,
    TOKEN_VOLUME,
    agent,
    labels,
    spec_of,
)


def test_network_policy_whole_shape() -> None:
    body = agent(
        {"bundle": {"digest": BUNDLE}},
        isolation={"egress": [{"name": "crm", "cidr": "198.51.100.0/24", "ports": [443, 8443]}]},
    )
    custom = spec_of(body).custom
    assert custom is not None
    assert build_network_policy(body, custom, SETTINGS) == {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": "arkenos-agent-orders",
            "namespace": "team-a",
            "labels": labels("custom-agent"),
            "ownerReferences": OWNER,
        },
        "spec": {
            "podSelector": {
                "matchLabels": {
                    "app.kubernetes.io/name": "arkenos-agent",
                    "app.kubernetes.io/component": "custom-agent",
                    "arkenos.io/agent": "orders",
                }
            },
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [],
            "egress": [
                {
                    "to": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                            },
                            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                        }
                    ],
                    "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                },
                {
                    "to": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": "arkenos-system"}
                            },
                            "podSelector": {
                                "matchLabels": {
                                    "app.kubernetes.io/name": "arkenos",
                                    "app.kubernetes.io/component": "api",
                                }
                            },
                        }
                    ],
                    "ports": [{"protocol": "TCP", "port": 8000}],
                },
                {
                    "to": [{"ipBlock": {"cidr": "10.20.0.0/16"}}],
                    "ports": [
                        {"protocol": "TCP", "port": 7880},
                        {"protocol": "TCP", "port": 7881},
                        {"protocol": "UDP", "port": 50000, "endPort": 60000},
                    ],
                },
                {
                    "to": [{"ipBlock": {"cidr": "198.51.100.0/24"}}],
                    "ports": [{"protocol": "TCP", "port": 443}, {"protocol": "TCP", "port": 8443}],
                },
            ],
        },
    }


def test_build_job_whole_shape() -> None:
    body = agent({"bundle": {"digest": BUNDLE}})
    custom = spec_of(body).custom
    assert custom is not None
    job_name = names.build_job_name("orders", BUNDLE, "agent:entrypoint")
    assert build_job(body, custom, SETTINGS) == {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": job_name,
            "namespace": "team-a",
            "labels": labels("build"),
            "ownerReferences": OWNER,
            "annotations": {
                "arkenos.io/bundle-digest": BUNDLE,
                "arkenos.io/entrypoint": "agent:entrypoint",
            },
        },
        "spec": {
            "backoffLimit": 1,
            "activeDeadlineSeconds": 900,
            "ttlSecondsAfterFinished": 86400,
            "template": {
                "metadata": {"labels": {**labels("build"), "arkenos.io/build": job_name}},
                "spec": {
                    "restartPolicy": "Never",
                    "serviceAccountName": "arkenos-agent-orders",
                    "automountServiceAccountToken": False,
                    "enableServiceLinks": False,
                    "runtimeClassName": None,
                    "securityContext": POD_SECURITY,
                    "containers": [
                        {
                            "name": "build",
                            "image": RUNTIME_IMAGE,
                            "imagePullPolicy": "IfNotPresent",
                            "command": [
                                "arkenos-build",
                                "build",
                                "--digest",
                                BUNDLE,
                                "--entrypoint",
                                "agent:entrypoint",
                                "--termination-log",
                                "/dev/termination-log",
                            ],
                            # The bundle and artifact through the API with the pod's token.
                            "env": CODE_STORE_ENV,
                            "terminationMessagePath": "/dev/termination-log",
                            "terminationMessagePolicy": "FallbackToLogsOnError",
                            "resources": DEFAULT_RESOURCES,
                            "securityContext": SECURITY,
                            "volumeMounts": [
                                {"name": "tmp", "mountPath": "/tmp"},
                                TOKEN_MOUNT,
                            ],
                        }
                    ],
                    "volumes": [{"name": "tmp", "emptyDir": {}}, TOKEN_VOLUME],
                },
            },
        },
    }


def test_build_job_names_are_deterministic_short_and_distinct() -> None:
    long_agent = "a-very-long-agent-name-" * 10
    first = names.build_job_name(long_agent, BUNDLE, "agent")
    assert first == names.build_job_name(long_agent, BUNDLE, "agent")
    assert len(first) <= 63
    assert first != names.build_job_name(long_agent, "sha256:" + "2" * 64, "agent")
    assert first != names.build_job_name(long_agent, BUNDLE, "agent:main")
    assert first != names.build_job_name(long_agent + "x", BUNDLE, "agent")


def test_service_account() -> None:
    body = agent({"bundle": {"digest": BUNDLE}})
    assert build_service_account(body) == {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {
            "name": "arkenos-agent-orders",
            "namespace": "team-a",
            "labels": labels("custom-agent"),
            "ownerReferences": OWNER,
        },
        "automountServiceAccountToken": False,
    }


def test_build_pip_index_is_the_configured_one() -> None:
    body = agent({"bundle": {"digest": BUNDLE}})
    custom = spec_of(body).custom
    assert custom is not None
    settings = SETTINGS.model_copy(update={"build_pip_index_url": "https://pypi.example/simple"})
    env = build_job(body, custom, settings)["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [
        *CODE_STORE_ENV,
        {"name": "ARKENOS_PIP_INDEX_URL", "value": "https://pypi.example/simple"},
    ]


def test_gateway_secret_is_the_agents_own_key_pair_derived_from_the_platform_secret() -> None:
    body = agent({"bundle": {"digest": BUNDLE}})
    livekit = {"data": {"LIVEKIT_API_KEY": _b64("key"), "LIVEKIT_API_SECRET": _b64("secret")}}
    secret = build_gateway_secret(body, livekit)
    assert secret["metadata"] == {
        "name": "arkenos-agent-orders-gateway",
        "namespace": "team-a",
        "labels": labels("gateway-credentials"),
        "ownerReferences": OWNER,
    }
    data = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    key_id = GatewayKeyId("team-a", "orders", "uid-1")
    assert data == {
        "LIVEKIT_API_KEY": "arkenos-gw/team-a/orders/uid-1",
        "LIVEKIT_API_SECRET": gateway_secret("secret", key_id),
    }
    assert "secret" not in data["LIVEKIT_API_SECRET"]
    # Another platform secret, or another agent (a recreated one has a new uid), another pair.
    other_platform = {"data": {"LIVEKIT_API_SECRET": _b64("other")}}
    assert build_gateway_secret(body, other_platform)["data"] != secret["data"]
    recreated = {**body, "metadata": {**body["metadata"], "uid": "uid-2"}}
    recreated_secret = build_gateway_secret(recreated, livekit)["data"]["LIVEKIT_API_SECRET"]
    assert recreated_secret != secret["data"]["LIVEKIT_API_SECRET"]


def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()
