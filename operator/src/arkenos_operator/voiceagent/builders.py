"""Pure builders of a custom agent's children: ServiceAccount, the Secret of its own worker
gateway key pair, and Deployment. Dict in, dict out, no I/O; the handler applies what they
return. No platform credential reaches the agent's namespace: its build and fetch containers
reach its code through the API with the pod's projected token (:func:`code_store_env`)."""

from __future__ import annotations

import base64
from typing import Any

from arkenos_crds.custom import Resources
from arkenos_crds.gateway import WORKER_GATEWAY_PATH, GatewayKeyId, gateway_secret
from arkenos_crds.runtime import WORKLOAD_TOKEN_PATH
from arkenos_crds.voiceagent import AgentMode, VoiceAgentSpec, dispatch_name_for
from arkenos_operator import pods
from arkenos_operator.children import child_metadata
from arkenos_operator.settings import OperatorSettings
from arkenos_operator.voiceagent import names

Body = dict[str, Any]

LIVEKIT_KEYS = ("LIVEKIT_API_KEY", "LIVEKIT_API_SECRET")
HEALTH_PORT = 8081
METRICS_PORT = 9102
ARTIFACT_DIR = "/artifact"


def build_service_account(agent: Body) -> Body:
    """The agent's own identity. No token is automounted; pods get a projected, audience-bound
    one (see :func:`pods.token_volume`) because the runner calls the API with it."""
    name = agent["metadata"]["name"]
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": child_metadata(
            agent, names.service_account_name(name), names.agent_labels(name, names.COMPONENT_AGENT)
        ),
        "automountServiceAccountToken": False,
    }


def build_gateway_secret(agent: Body, livekit: Body) -> Body:
    """The agent's worker gateway key pair, under the names livekit-agents reads
    (LIVEKIT_API_KEY/SECRET): the key id names this agent (namespace, name, uid), the secret is
    derived from the platform's LiveKit secret, which it does not reveal. Only the API's
    gateway accepts it, and only for this agent; LiveKit does not know the key."""
    meta = agent["metadata"]
    key_id = GatewayKeyId(meta["namespace"], meta["name"], meta["uid"])
    platform = base64.b64decode((livekit.get("data") or {}).get("LIVEKIT_API_SECRET", "")).decode()
    data = {"LIVEKIT_API_KEY": str(key_id), "LIVEKIT_API_SECRET": gateway_secret(platform, key_id)}
    encoded = {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}
    return _secret(agent, names.gateway_secret_name(meta["name"]), names.COMPONENT_GATEWAY, encoded)


def _secret(agent: Body, name: str, component: str, data: dict[str, str]) -> Body:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": child_metadata(
            agent, name, names.agent_labels(agent["metadata"]["name"], component)
        ),
        "type": "Opaque",
        "data": data,
    }


def code_store_env(namespace: str, name: str, settings: OperatorSettings) -> list[Body]:
    """What ``arkenos-build`` needs to reach the agent's bundle and artifacts through the API:
    its URL, the projected token's path and which agent (the API checks the token's identity
    against it). No bucket key."""
    return pods.plain_env(
        {
            "ARKENOS_API_URL": settings.api_url,
            "ARKENOS_TOKEN_FILE": WORKLOAD_TOKEN_PATH,
            "ARKENOS_WORKSPACE": namespace,
            "ARKENOS_AGENT": name,
            "HOME": "/tmp",  # noqa: S108 - the root filesystem is read-only
        }
    )


def worker_gateway_url(settings: OperatorSettings) -> str:
    return settings.worker_gateway_url or settings.api_url.rstrip("/") + WORKER_GATEWAY_PATH


def runner_env(namespace: str, name: str, settings: OperatorSettings) -> list[Body]:
    """The runner's environment: the agent's own identity and gateway key pair, no platform
    credential. LIVEKIT_URL is the gateway; each job's assignment names LiveKit's room URL."""
    secret = names.gateway_secret_name(name)
    return [
        *pods.plain_env(
            {
                "ARKENOS_API_URL": settings.api_url,
                "ARKENOS_TOKEN_FILE": WORKLOAD_TOKEN_PATH,
                "ARKENOS_WORKSPACE": namespace,
                "ARKENOS_AGENT": name,
                "ARKENOS_DISPATCH_NAME": dispatch_name_for(namespace, name, AgentMode.CUSTOM),
                "LIVEKIT_URL": worker_gateway_url(settings),
                "HOME": "/tmp",  # noqa: S108 - the root filesystem is read-only
            }
        ),
        *(pods.secret_env(key, secret) for key in LIVEKIT_KEYS),
    ]


def build_agent_deployment(
    agent: Body,
    spec: VoiceAgentSpec,
    settings: OperatorSettings,
    artifact_digest: str | None,
    replicas: int,
) -> Body:
    """The Deployment serving a custom agent, with ``replicas`` pods (the scaler's decision).

    From a bundle, ``artifact_digest`` names the built artifact: an init container fetches it
    into an emptyDir and the runner loads it. From an image, the image runs as built by the
    user's CI with its own command; its contract is the runner's: the same environment
    (ARKENOS_*, LIVEKIT_*), health on 8081 (/ and /ready), metrics on 9102.
    """
    custom = spec.custom
    assert custom is not None  # the schema requires it in Custom mode
    namespace, name = agent["metadata"]["namespace"], agent["metadata"]["name"]
    image = custom.source.image
    revision = image or (custom.source.bundle.digest if custom.source.bundle else "")
    annotations = {names.ANNOTATION_REVISION: revision}
    if artifact_digest:
        annotations[names.ANNOTATION_ARTIFACT] = artifact_digest
        annotations[names.ANNOTATION_ARTIFACT_STORE] = names.ARTIFACT_STORE
    container: Body = {
        "name": "agent",
        "image": image or settings.agent_runtime_image,
        "imagePullPolicy": settings.image_pull_policy,
        "env": [
            *runner_env(namespace, name, settings),
            *pods.worker_env(custom.drain_timeout_seconds, settings.custom_sessions_per_replica),
        ],
        "ports": [
            {"name": "health", "containerPort": HEALTH_PORT, "protocol": "TCP"},
            {"name": "metrics", "containerPort": METRICS_PORT, "protocol": "TCP"},
        ],
        "livenessProbe": _probe("/", 10),
        "readinessProbe": _probe("/ready", 5),
        "resources": pods.resources(custom.resources, settings.default_resources),
        "securityContext": pods.container_security_context(),
        "volumeMounts": [_tmp_mount(), pods.token_mount()],
    }
    volumes: list[Body] = [{"name": "tmp", "emptyDir": {}}, pods.token_volume()]
    init_containers: list[Body] = []
    if image is None:
        container["command"] = [
            "arkenos-custom-runner",
            "--artifact-dir",
            ARTIFACT_DIR,
            "--entrypoint",
            custom.entrypoint,
        ]
        container["volumeMounts"].append(
            {"name": "artifact", "mountPath": ARTIFACT_DIR, "readOnly": True}
        )
        volumes.append({"name": "artifact", "emptyDir": {}})
        init_containers.append(_fetch_container(namespace, name, artifact_digest or "", settings))
    selector = names.agent_selector(name)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": child_metadata(
            agent, names.deployment_name(name), names.agent_labels(name, names.COMPONENT_AGENT)
        ),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": selector},
            # Never below the running count during a rollout: calls in progress finish on the
            # old pods (which drain for terminationGracePeriodSeconds) while new ones start.
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
            },
            "template": {
                "metadata": {
                    "labels": names.agent_labels(name, names.COMPONENT_AGENT),
                    "annotations": annotations,
                },
                "spec": {
                    "serviceAccountName": names.service_account_name(name),
                    "automountServiceAccountToken": False,
                    "enableServiceLinks": False,
                    "runtimeClassName": custom.isolation.runtime_class_name,
                    "terminationGracePeriodSeconds": custom.drain_timeout_seconds,
                    "securityContext": pods.pod_security_context(),
                    "initContainers": init_containers,
                    "containers": [container],
                    "volumes": volumes,
                },
            },
        },
    }


def _fetch_container(
    namespace: str, agent_name: str, artifact_digest: str, settings: OperatorSettings
) -> Body:
    return {
        "name": "fetch-artifact",
        "image": settings.agent_runtime_image,
        "imagePullPolicy": settings.image_pull_policy,
        "command": [
            "arkenos-build",
            "fetch",
            "--artifact-digest",
            artifact_digest,
            "--dest",
            ARTIFACT_DIR,
        ],
        "env": code_store_env(namespace, agent_name, settings),
        "resources": pods.resources(Resources(), settings.default_resources),
        "securityContext": pods.container_security_context(),
        "volumeMounts": [
            {"name": "artifact", "mountPath": ARTIFACT_DIR},
            _tmp_mount(),
            pods.token_mount(),
        ],
    }


def _tmp_mount() -> Body:
    return {"name": "tmp", "mountPath": "/tmp"}  # noqa: S108 - an emptyDir


def _probe(path: str, period: int) -> Body:
    return {
        "httpGet": {"path": path, "port": HEALTH_PORT},
        "periodSeconds": period,
        "failureThreshold": 3,
    }
