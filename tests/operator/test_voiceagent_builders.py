"""Pure builders of a custom agent's children, compared as whole dicts."""

from __future__ import annotations

from typing import Any

from arkenos_crds.voiceagent import VoiceAgentSpec
from arkenos_operator.voiceagent import names
from arkenos_operator.voiceagent.build import build_job
from arkenos_operator.voiceagent.builders import (
    build_agent_deployment,
    build_platform_secret,
    build_service_account,
)
from arkenos_operator.voiceagent.network import build_network_policy
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
S3_ENV = [
    {
        "name": key,
        "valueFrom": {"secretKeyRef": {"name": "arkenos-agent-orders-platform", "key": key}},
    }
    for key in (
        "ARKENOS_S3_ENDPOINT",
        "ARKENOS_S3_BUCKET",
        "ARKENOS_S3_ACCESS_KEY",
        "ARKENOS_S3_SECRET_KEY",
        "ARKENOS_S3_SECURE",
    )
]
DEFAULT_RESOURCES = {
    "requests": {"cpu": "250m", "memory": "512Mi"},
    "limits": {"cpu": "1", "memory": "1Gi"},
}


def test_bundle_deployment_whole_shape() -> None:
    body = agent(
        {"bundle": {"digest": BUNDLE}},
        replicas={"min": 2, "max": 4},
        resources={"requests": {"cpu": "500m"}, "limits": {"memory": "2Gi"}},
        isolation={"runtimeClassName": "gvisor"},
        drainTimeoutSeconds=900,
    )
    assert build_agent_deployment(body, spec_of(body), SETTINGS, ARTIFACT) == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "arkenos-agent-orders",
            "namespace": "team-a",
            "labels": labels("custom-agent"),
            "ownerReferences": OWNER,
        },
        "spec": {
            "replicas": 2,
            "selector": {
                "matchLabels": {
                    "app.kubernetes.io/name": "arkenos-agent",
                    "app.kubernetes.io/component": "custom-agent",
                    "arkenos.io/agent": "orders",
                }
            },
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
            },
            "template": {
                "metadata": {
                    "labels": labels("custom-agent"),
                    "annotations": {
                        "arkenos.io/revision": BUNDLE,
                        "arkenos.io/artifact-digest": ARTIFACT,
                    },
                },
                "spec": {
                    "serviceAccountName": "arkenos-agent-orders",
                    "automountServiceAccountToken": False,
                    "enableServiceLinks": False,
                    "runtimeClassName": "gvisor",
                    "terminationGracePeriodSeconds": 900,
                    "securityContext": POD_SECURITY,
                    "initContainers": [
                        {
                            "name": "fetch-artifact",
                            "image": RUNTIME_IMAGE,
                            "imagePullPolicy": "IfNotPresent",
                            "command": [
                                "arkenos-build",
                                "fetch",
                                "--artifact-digest",
                                ARTIFACT,
                                "--dest",
                                "/artifact",
                            ],
                            "env": [*S3_ENV, {"name": "HOME", "value": "/tmp"}],
                            "resources": DEFAULT_RESOURCES,
                            "securityContext": SECURITY,
                            "volumeMounts": [
                                {"name": "artifact", "mountPath": "/artifact"},
                                {"name": "tmp", "mountPath": "/tmp"},
                            ],
                        }
                    ],
                    "containers": [
                        {
                            "name": "agent",
                            "image": RUNTIME_IMAGE,
                            "imagePullPolicy": "IfNotPresent",
                            "command": [
                                "arkenos-custom-runner",
                                "--artifact-dir",
                                "/artifact",
                                "--entrypoint",
                                "agent:entrypoint",
                            ],
                            "env": [
                                {"name": "ARKENOS_API_URL", "value": SETTINGS.api_url},
                                {
                                    "name": "ARKENOS_TOKEN_FILE",
                                    "value": "/var/run/secrets/arkenos/token",
                                },
                                {"name": "ARKENOS_WORKSPACE", "value": "team-a"},
                                {"name": "ARKENOS_AGENT", "value": "orders"},
                                {
                                    "name": "ARKENOS_DISPATCH_NAME",
                                    "value": "arkenos-custom-team-a-orders",
                                },
                                {"name": "LIVEKIT_URL", "value": SETTINGS.livekit_url},
                                {"name": "HOME", "value": "/tmp"},
                                {
                                    "name": "LIVEKIT_API_KEY",
                                    "valueFrom": {
                                        "secretKeyRef": {
                                            "name": "arkenos-agent-orders-platform",
                                            "key": "LIVEKIT_API_KEY",
                                        }
                                    },
                                },
                                {
                                    "name": "LIVEKIT_API_SECRET",
                                    "valueFrom": {
                                        "secretKeyRef": {
                                            "name": "arkenos-agent-orders-platform",
                                            "key": "LIVEKIT_API_SECRET",
                                        }
                                    },
                                },
                            ],
                            "ports": [
                                {"name": "health", "containerPort": 8081, "protocol": "TCP"},
                                {"name": "metrics", "containerPort": 9102, "protocol": "TCP"},
                            ],
                            "livenessProbe": {
                                "httpGet": {"path": "/", "port": 8081},
                                "periodSeconds": 10,
                                "failureThreshold": 3,
                            },
                            "readinessProbe": {
                                "httpGet": {"path": "/ready", "port": 8081},
                                "periodSeconds": 5,
                                "failureThreshold": 3,
                            },
                            "resources": {
                                "requests": {"cpu": "500m", "memory": "512Mi"},
                                "limits": {"cpu": "1", "memory": "2Gi"},
                            },
                            "securityContext": SECURITY,
                            "volumeMounts": [
                                {"name": "tmp", "mountPath": "/tmp"},
                                {
                                    "name": "workload-token",
                                    "mountPath": "/var/run/secrets/arkenos",
                                    "readOnly": True,
                                },
                                {"name": "artifact", "mountPath": "/artifact", "readOnly": True},
                            ],
                        }
                    ],
                    "volumes": [
                        {"name": "tmp", "emptyDir": {}},
                        {
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
                        },
                        {"name": "artifact", "emptyDir": {}},
                    ],
                },
            },
        },
    }


def test_image_deployment_runs_the_image_as_is() -> None:
    image = "ghcr.example/acme/survey@sha256:" + "c" * 64
    body = agent({"image": image}, replicas={"min": 0, "max": 2})
    deployment = build_agent_deployment(body, spec_of(body), SETTINGS, None)
    pod = deployment["spec"]["template"]
    assert deployment["spec"]["replicas"] == 1  # min 0 still runs one pod (no scaler yet)
    assert pod["metadata"]["annotations"] == {"arkenos.io/revision": image}
    assert pod["spec"]["initContainers"] == []
    assert pod["spec"]["runtimeClassName"] is None  # a merge patch removes a dropped class
    container = pod["spec"]["containers"][0]
    assert container["image"] == image
    assert "command" not in container
    assert [v["name"] for v in pod["spec"]["volumes"]] == ["tmp", "workload-token"]


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
