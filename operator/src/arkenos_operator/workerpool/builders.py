"""Pure builders of the shared worker pool's children: the ``arkenos-worker`` ServiceAccount
and Deployment, from the WorkerPool spec, the operator's settings and the scaler's replicas."""

from __future__ import annotations

from typing import Any

from arkenos_crds.runtime import POOL_SERVICE_ACCOUNT, WORKLOAD_TOKEN_PATH
from arkenos_crds.workerpool import WorkerPoolSpec
from arkenos_operator import pods
from arkenos_operator.children import child_labels, child_metadata
from arkenos_operator.settings import OperatorSettings

Body = dict[str, Any]

WORKER_NAME = "arkenos-worker"
COMPONENT = "worker"
HEALTH_PORT = 8081
METRICS_PORT = 9102


def pool_selector(pool: Body) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": WORKER_NAME,
        "app.kubernetes.io/instance": pool["metadata"]["name"],
    }


def pool_labels(pool: Body) -> dict[str, str]:
    return child_labels(WORKER_NAME, pool["metadata"]["name"], COMPONENT)


def build_worker_service_account(pool: Body) -> Body:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": child_metadata(pool, POOL_SERVICE_ACCOUNT, pool_labels(pool)),
        "automountServiceAccountToken": False,
    }


def build_worker_deployment(
    pool: Body, spec: WorkerPoolSpec, settings: OperatorSettings, replicas: int
) -> Body:
    """The standard worker Deployment; ``replicas`` is the scaler's decision."""
    labels = pool_labels(pool)
    container = {
        "name": "worker",
        "image": settings.worker_image,
        "imagePullPolicy": settings.image_pull_policy,
        "command": ["arkenos-worker"],
        "env": [
            *pods.plain_env(
                {
                    "ARKENOS_API_URL": settings.api_url,
                    "ARKENOS_TOKEN_FILE": WORKLOAD_TOKEN_PATH,
                    "LIVEKIT_URL": settings.livekit_url,
                    "HOME": "/tmp",  # noqa: S108 - the root filesystem is read-only
                }
            ),
            *pods.worker_env(spec.drain_timeout_seconds, spec.sessions_per_replica),
            pods.secret_env("LIVEKIT_API_KEY", settings.livekit_secret_name),
            pods.secret_env("LIVEKIT_API_SECRET", settings.livekit_secret_name),
        ],
        "ports": [
            {"name": "health", "containerPort": HEALTH_PORT, "protocol": "TCP"},
            {"name": "metrics", "containerPort": METRICS_PORT, "protocol": "TCP"},
        ],
        "livenessProbe": {"httpGet": {"path": "/", "port": HEALTH_PORT}, "periodSeconds": 10},
        # /ready turns 503 while draining, so a stopping worker gets no new calls.
        "readinessProbe": {"httpGet": {"path": "/ready", "port": HEALTH_PORT}, "periodSeconds": 5},
        "resources": pods.resources(spec.resources, settings.default_resources),
        "securityContext": pods.container_security_context(),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}, pods.token_mount()],  # noqa: S108
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": child_metadata(pool, WORKER_NAME, labels),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": pool_selector(pool)},
            # A rollout never lowers the serving count; old workers drain their calls.
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"},
            },
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "serviceAccountName": POOL_SERVICE_ACCOUNT,
                    "automountServiceAccountToken": False,
                    "enableServiceLinks": False,
                    "terminationGracePeriodSeconds": spec.drain_timeout_seconds,
                    "securityContext": pods.pod_security_context(),
                    "containers": [container],
                    "volumes": [{"name": "tmp", "emptyDir": {}}, pods.token_volume()],
                },
            },
        },
    }
