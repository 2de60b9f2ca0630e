"""Pure builders of a custom agent's other children (NetworkPolicy, build Job, ServiceAccount,
Secret copy), compared as whole dicts."""

from __future__ import annotations

from arkenos_operator.voiceagent import names
from arkenos_operator.voiceagent.build import build_job
from arkenos_operator.voiceagent.builders import (
    build_platform_secret,
    build_service_account,
)
from arkenos_operator.voiceagent.network import build_network_policy
from tests.operator.expected_children import (
    BUNDLE,
    DEFAULT_RESOURCES,
    OWNER,
    POD_SECURITY,
    RUNTIME_IMAGE,
    S3_ENV,
    SECURITY,
    SETTINGS,
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
                            "env": [*S3_ENV, {"name": "HOME", "value": "/tmp"}],
                            "terminationMessagePath": "/dev/termination-log",
                            "terminationMessagePolicy": "FallbackToLogsOnError",
                            "resources": DEFAULT_RESOURCES,
                            "securityContext": SECURITY,
                            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
                        }
                    ],
                    "volumes": [{"name": "tmp", "emptyDir": {}}],
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


def test_service_account_and_platform_secret() -> None:
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
    livekit = {
        "data": {"LIVEKIT_API_KEY": "a2V5", "LIVEKIT_API_SECRET": "c2VjcmV0", "OTHER": "eA=="}
    }
    storage = {"data": {"ARKENOS_S3_BUCKET": "YnVja2V0", "ROOT_PASSWORD": "cm9vdA=="}}
    assert build_platform_secret(body, livekit, storage) == {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": "arkenos-agent-orders-platform",
            "namespace": "team-a",
            "labels": labels("platform-credentials"),
            "ownerReferences": OWNER,
        },
        "type": "Opaque",
        # Only the named keys travel to the workspace namespace.
        "data": {
            "LIVEKIT_API_KEY": "a2V5",
            "LIVEKIT_API_SECRET": "c2VjcmV0",
            "ARKENOS_S3_BUCKET": "YnVja2V0",
        },
    }
