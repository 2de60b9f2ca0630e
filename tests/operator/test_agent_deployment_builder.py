"""The custom agent Deployment builder, compared as a whole dict."""

from __future__ import annotations

from arkenos_operator.voiceagent.builders import (
    build_agent_deployment,
)
from tests.operator.expected_children import (
    ARTIFACT,
    BUNDLE,
    CODE_STORE_ENV,
    DEFAULT_RESOURCES,
    OWNER,
    POD_SECURITY,
    RUNTIME_IMAGE,
    SECURITY,
    SETTINGS,
    TOKEN_MOUNT,
    agent,
    labels,
    spec_of,
)


def test_bundle_deployment_whole_shape() -> None:
    body = agent(
        {"bundle": {"digest": BUNDLE}},
        replicas={"min": 2, "max": 4},
        resources={"requests": {"cpu": "500m"}, "limits": {"memory": "2Gi"}},
        isolation={"runtimeClassName": "gvisor"},
        drainTimeoutSeconds=900,
    )
    assert build_agent_deployment(body, spec_of(body), SETTINGS, ARTIFACT, replicas=2) == {
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
                        "arkenos.io/artifact-store": "api-per-agent",
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
                            # The artifact through the API with the pod's token: no bucket key.
                            "env": CODE_STORE_ENV,
                            "resources": DEFAULT_RESOURCES,
                            "securityContext": SECURITY,
                            "volumeMounts": [
                                {"name": "artifact", "mountPath": "/artifact"},
                                {"name": "tmp", "mountPath": "/tmp"},
                                TOKEN_MOUNT,
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
                                # The worker gateway in the API, never LiveKit itself.
                                {
                                    "name": "LIVEKIT_URL",
                                    "value": "http://arkenos-api.arkenos-system:8000"
                                    "/internal/v1/worker-gateway",
                                },
                                {"name": "HOME", "value": "/tmp"},
                                {
                                    "name": "LIVEKIT_API_KEY",
                                    "valueFrom": {
                                        "secretKeyRef": {
                                            "name": "arkenos-agent-orders-gateway",
                                            "key": "LIVEKIT_API_KEY",
                                        }
                                    },
                                },
                                {
                                    "name": "LIVEKIT_API_SECRET",
                                    "valueFrom": {
                                        "secretKeyRef": {
                                            "name": "arkenos-agent-orders-gateway",
                                            "key": "LIVEKIT_API_SECRET",
                                        }
                                    },
                                },
                                # 900 s of grace: drain 885 s, 15 s to flush reports and exit.
                                {"name": "ARKENOS_DRAIN_TIMEOUT_SECONDS", "value": "885"},
                                {"name": "ARKENOS_MAX_SESSIONS", "value": "10"},
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
    deployment = build_agent_deployment(body, spec_of(body), SETTINGS, None, replicas=0)
    pod = deployment["spec"]["template"]
    assert deployment["spec"]["replicas"] == 0  # the scaler's decision, here scaled to zero
    assert pod["metadata"]["annotations"] == {"arkenos.io/revision": image}
    assert pod["spec"]["initContainers"] == []
    assert pod["spec"]["runtimeClassName"] is None  # a merge patch removes a dropped class
    container = pod["spec"]["containers"][0]
    assert container["image"] == image
    assert "command" not in container
    assert [v["name"] for v in pod["spec"]["volumes"]] == ["tmp", "workload-token"]
