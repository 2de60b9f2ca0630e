"""Builds of bundle-sourced custom agents: the build Job (pure builder) and how to read its
outcome from the Job and its pod, also pure.

The build command writes ``{"artifactDigest": "sha256:..."}`` to its termination log on
success and a one-paragraph message on failure; with ``FallbackToLogsOnError`` the kubelet uses
the log's tail when the command died before writing one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from arkenos_crds import runtime
from arkenos_crds.custom import CustomSpec, Resources
from arkenos_crds.meta import SHA256_DIGEST
from arkenos_operator import pods
from arkenos_operator.children import child_metadata
from arkenos_operator.settings import OperatorSettings
from arkenos_operator.voiceagent import builders, names

Body = dict[str, Any]

TERMINATION_LOG = "/dev/termination-log"
BUILD_CONTAINER = runtime.BUILD_CONTAINER
MESSAGE_TAIL = 2000


def build_job(agent: Body, custom: CustomSpec, settings: OperatorSettings) -> Body:
    bundle = custom.source.bundle
    assert bundle is not None  # only bundle sources build
    namespace, name = agent["metadata"]["namespace"], agent["metadata"]["name"]
    job_name = names.build_job_name(name, bundle.digest, custom.entrypoint)
    labels = names.agent_labels(name, names.COMPONENT_BUILD)
    annotations = {
        names.ANNOTATION_BUNDLE: bundle.digest,
        names.ANNOTATION_ENTRYPOINT: custom.entrypoint,
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": child_metadata(agent, job_name, labels, annotations),
        "spec": {
            "backoffLimit": settings.build_backoff_limit,
            "activeDeadlineSeconds": settings.build_deadline_seconds,
            "ttlSecondsAfterFinished": settings.build_ttl_seconds,
            "template": {
                "metadata": {"labels": {**labels, names.BUILD_LABEL: job_name}},
                "spec": {
                    "restartPolicy": "Never",
                    "serviceAccountName": names.service_account_name(name),
                    "automountServiceAccountToken": False,
                    "enableServiceLinks": False,
                    "runtimeClassName": custom.isolation.runtime_class_name,
                    "securityContext": pods.pod_security_context(),
                    "containers": [
                        {
                            "name": BUILD_CONTAINER,
                            "image": settings.agent_runtime_image,
                            "imagePullPolicy": settings.image_pull_policy,
                            "command": [
                                "arkenos-build",
                                "build",
                                "--digest",
                                bundle.digest,
                                "--entrypoint",
                                custom.entrypoint,
                                "--termination-log",
                                TERMINATION_LOG,
                            ],
                            "env": [
                                *builders.code_store_env(namespace, name, settings),
                                *pods.plain_env(_pip_env(settings)),
                            ],
                            "terminationMessagePath": TERMINATION_LOG,
                            "terminationMessagePolicy": "FallbackToLogsOnError",
                            "resources": pods.resources(Resources(), settings.default_resources),
                            "securityContext": pods.container_security_context(),
                            "volumeMounts": [
                                {"name": "tmp", "mountPath": "/tmp"},  # noqa: S108
                                pods.token_mount(),
                            ],
                        }
                    ],
                    "volumes": [{"name": "tmp", "emptyDir": {}}, pods.token_volume()],
                },
            },
        },
    }


def _pip_env(settings: OperatorSettings) -> dict[str, str]:
    """Where pip installs requirements from: the configured index, which the build pods'
    NetworkPolicy lets them reach (``build_egress_cidrs``)."""
    index = {"ARKENOS_PIP_INDEX_URL": settings.build_pip_index_url}
    return {key: value for key, value in index.items() if value}


class BuildState(StrEnum):
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"


@dataclass(frozen=True)
class BuildOutcome:
    state: BuildState
    artifact_digest: str | None = None
    reason: str = ""
    message: str = ""


def build_outcome(job: Body, build_pods: list[Body]) -> BuildOutcome:
    """What a build Job says: still running, the artifact it built, or why it failed.

    A recorded artifact annotation on the Job wins (the pods may be gone by now). A Job that
    succeeded but whose pod has no readable result is reported as failed: the build command
    broke its contract, and retrying would give the same answer.
    """
    recorded = (job["metadata"].get("annotations") or {}).get(names.ANNOTATION_ARTIFACT)
    if recorded:
        return BuildOutcome(BuildState.SUCCEEDED, artifact_digest=recorded)
    status = job.get("status") or {}
    failed = _condition(status, "Failed")
    message = _termination_message(build_pods)
    if failed is not None:
        reason = failed.get("reason") or "BuildFailed"
        detail = message or failed.get("message") or "The build Job failed without a message."
        return BuildOutcome(BuildState.FAILED, reason=reason, message=_tail(detail))
    if (status.get("succeeded") or 0) >= 1 or _condition(status, "Complete") is not None:
        if message is None:
            return BuildOutcome(BuildState.RUNNING)  # the pod's status has not arrived yet
        digest = _artifact_digest(message)
        if digest is None:
            return BuildOutcome(
                BuildState.FAILED,
                reason="InvalidBuildResult",
                message=_tail(f"The build succeeded but reported no artifact digest: {message}"),
            )
        return BuildOutcome(BuildState.SUCCEEDED, artifact_digest=digest)
    return BuildOutcome(BuildState.RUNNING)


def _condition(status: Body, type_: str) -> Body | None:
    for condition in status.get("conditions") or []:
        if condition.get("type") == type_ and condition.get("status") == "True":
            return dict(condition)
    return None


def _termination_message(build_pods: list[Body]) -> str | None:
    """The build container's termination message from the newest pod that has one."""
    ordered = sorted(
        build_pods, key=lambda p: p["metadata"].get("creationTimestamp") or "", reverse=True
    )
    for pod in ordered:
        for container in (pod.get("status") or {}).get("containerStatuses") or []:
            if container.get("name") != BUILD_CONTAINER:
                continue
            terminated = (container.get("state") or {}).get("terminated") or {}
            message = terminated.get("message")
            if message:
                return str(message).strip()
    return None


def _artifact_digest(message: str) -> str | None:
    try:
        result = json.loads(message)
    except json.JSONDecodeError:
        return None
    digest = result.get("artifactDigest") if isinstance(result, dict) else None
    if isinstance(digest, str) and re.fullmatch(SHA256_DIGEST, digest):
        return digest
    return None


def _tail(text: str) -> str:
    return text if len(text) <= MESSAGE_TAIL else "…" + text[-MESSAGE_TAIL:]
