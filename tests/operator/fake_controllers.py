"""Fake Kubernetes controllers: what the Job, Deployment and kubelet controllers would write.

The emulated API stores objects but runs nothing, so tests and the benchmark play these parts
explicitly, through the API like the real controllers: a build Job's pod terminates with the
build command's termination message and the Job is marked Complete or Failed; a Deployment
reports its replicas available; worker pods get an IP and phase Running.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from arkenos_operator.kube import DEPLOYMENTS, JOBS, PODS
from arkenos_operator.voiceagent.build import BUILD_CONTAINER
from tests.operator.kube_api import KubeApi

Body = dict[str, Any]


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def job_pod(job: Body, suffix: str | None = None) -> Body:
    """The pod the Job controller would create for ``job``."""
    name = job["metadata"]["name"]
    template = job["spec"]["template"]
    labels = {**template["metadata"].get("labels", {}), "job-name": name}
    labels["batch.kubernetes.io/job-name"] = name
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"{name}-{suffix or secrets.token_hex(3)}",
            "namespace": job["metadata"]["namespace"],
            "labels": labels,
            "ownerReferences": [
                {
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "name": name,
                    "uid": job["metadata"]["uid"],
                    "controller": True,
                }
            ],
        },
        "spec": template["spec"],
    }


def terminated_status(message: str, exit_code: int) -> Body:
    return {
        "phase": "Succeeded" if exit_code == 0 else "Failed",
        "containerStatuses": [
            {
                "name": BUILD_CONTAINER,
                "ready": False,
                "restartCount": 0,
                "state": {
                    "terminated": {
                        "exitCode": exit_code,
                        "reason": "Completed" if exit_code == 0 else "Error",
                        "message": message,
                        "finishedAt": now(),
                    }
                },
            }
        ],
    }


def finish_build(api: KubeApi, namespace: str, job_name: str, message: str, ok: bool) -> None:
    """The build pod terminates with ``message``; then the Job is marked Complete or Failed."""
    job = api.get(JOBS, namespace, job_name)
    assert job is not None, f"no build Job {namespace}/{job_name}"
    pod = api.create(PODS, job_pod(job))
    api.patch(
        PODS,
        namespace,
        pod["metadata"]["name"],
        {"status": terminated_status(message, 0 if ok else 1)},
        "status",
    )
    if ok:
        status = {
            "succeeded": 1,
            "completionTime": now(),
            "conditions": [{"type": "Complete", "status": "True", "lastTransitionTime": now()}],
        }
    else:
        status = {
            "failed": 1,
            "conditions": [
                {
                    "type": "Failed",
                    "status": "True",
                    "reason": "BackoffLimitExceeded",
                    "message": "Job has reached the specified backoff limit",
                    "lastTransitionTime": now(),
                }
            ],
        }
    api.patch(JOBS, namespace, job_name, {"status": status}, "status")


def succeed_build(api: KubeApi, namespace: str, job_name: str, artifact_digest: str) -> None:
    finish_build(api, namespace, job_name, f'{{"artifactDigest": "{artifact_digest}"}}', ok=True)


def fail_build(api: KubeApi, namespace: str, job_name: str, message: str) -> None:
    finish_build(api, namespace, job_name, message, ok=False)


def deployment_available_status(deployment: Body) -> Body:
    replicas = deployment["spec"].get("replicas", 1)
    return {
        "observedGeneration": deployment["metadata"].get("generation", 1),
        "replicas": replicas,
        "updatedReplicas": replicas,
        "readyReplicas": replicas,
        "availableReplicas": replicas,
        "conditions": [
            {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
            {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"},
        ],
    }


def make_available(api: KubeApi, namespace: str, name: str) -> Body:
    """The Deployment controller reports every replica of ``name`` ready and available."""
    deployment = api.get(DEPLOYMENTS, namespace, name)
    assert deployment is not None, f"no Deployment {namespace}/{name}"
    status = deployment_available_status(deployment)
    return api.patch(DEPLOYMENTS, namespace, name, {"status": status}, "status")


def run_pod(api: KubeApi, deployment: Body, name: str, ip: str | None) -> Body:
    """A pod of ``deployment`` as the ReplicaSet controller and kubelet would report it."""
    template = deployment["spec"]["template"]
    pod = api.create(
        PODS,
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": name,
                "namespace": deployment["metadata"]["namespace"],
                "labels": dict(template["metadata"].get("labels") or {}),
            },
            "spec": template["spec"],
        },
    )
    status: Body = {"phase": "Running" if ip else "Pending"}
    if ip:
        status["podIP"] = ip
    return api.patch(PODS, pod["metadata"]["namespace"], name, {"status": status}, "status")
