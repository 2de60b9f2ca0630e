"""A custom agent's build log: the tail of its build Job's pod log, read through the API's
Kubernetes client. The build of the bundle the agent names is preferred; otherwise the newest
build Job of the agent (an earlier bundle's, kept until its TTL)."""

from __future__ import annotations

from typing import Any

from kubernetes_asyncio.client.exceptions import ApiException

from arkenos_api.code.schemas import BuildLogOut
from arkenos_api.core.errors import ApiError, not_found
from arkenos_api.core.kube import Kube
from arkenos_crds.runtime import (
    AGENT_LABEL,
    BUILD_CONTAINER,
    BUILD_JOB_LABEL,
    BUNDLE_DIGEST_ANNOTATION,
)


def _created(item: dict[str, Any]) -> str:
    return str((item.get("metadata") or {}).get("creationTimestamp") or "")


def _digest(job: dict[str, Any]) -> str | None:
    annotations = (job.get("metadata") or {}).get("annotations") or {}
    digest = annotations.get(BUNDLE_DIGEST_ANNOTATION)
    return str(digest) if digest else None


def pick_build_job(jobs: list[dict[str, Any]], wanted_digest: str | None) -> dict[str, Any] | None:
    """The build Job of ``wanted_digest`` if there is one, else the newest build Job."""
    builds = sorted((job for job in jobs if _digest(job)), key=_created, reverse=True)
    current = [job for job in builds if _digest(job) == wanted_digest]
    chosen = current or builds
    return chosen[0] if chosen else None


def _job_state(job: dict[str, Any]) -> str:
    status = job.get("status") or {}
    for condition in status.get("conditions") or []:
        if condition.get("status") == "True" and condition.get("type") in ("Complete", "Failed"):
            return "Succeeded" if condition["type"] == "Complete" else "Failed"
    return "Running"


async def build_log(*, kube: Kube, namespace: str, agent: str, tail_lines: int) -> BuildLogOut:
    resource = await kube.get_voice_agent(namespace, agent)
    if resource is None:
        raise not_found(f"agent {agent}")
    spec = resource.get("spec") or {}
    if spec.get("mode") != "Custom":
        raise ApiError(409, "not_custom", f"agent {agent} is not a Custom agent: it has no builds")
    wanted = (((spec.get("custom") or {}).get("source") or {}).get("bundle") or {}).get("digest")
    jobs = await kube.list_jobs(namespace, f"{AGENT_LABEL}={agent}")
    job = pick_build_job(jobs, wanted)
    if job is None:
        raise ApiError(
            404,
            "no_build",
            f"agent {agent} has no build: one starts when a bundle is deployed, and finished "
            "builds are removed after a while",
        )
    job_name = job["metadata"]["name"]
    pods = sorted(
        await kube.list_pods(namespace, f"{BUILD_JOB_LABEL}={job_name}"), key=_created, reverse=True
    )
    if not pods:
        raise ApiError(409, "build_not_started", f"build {job_name} has no pod yet")
    pod_name = pods[0]["metadata"]["name"]
    try:
        text = await kube.read_pod_log(namespace, pod_name, BUILD_CONTAINER, tail_lines)
    except ApiException as exc:
        if exc.status not in (400, 404):
            raise
        # 400: the container has not started yet; 404: the pod went away meanwhile.
        raise ApiError(
            409, "build_log_unavailable", f"the log of build {job_name} cannot be read yet"
        ) from exc
    return BuildLogOut(
        job=job_name,
        pod=pod_name,
        digest=_digest(job) or "",
        current=_digest(job) == wanted,
        state=_job_state(job),
        lines=text.splitlines()[-tail_lines:],
    )
