"""The operator benchmark's real-control-plane run: the same 1,000 VoiceAgents as the emulated
scenarios (``bench_operator.agent_manifest``), applied to a real kube-apiserver with the real
controllers and kwok's fake nodes, the operator authenticated with its shipped RBAC.

The Job, Deployment and ReplicaSet controllers, the scheduler and kwok do for real what the
emulated run's fake controllers do; only a build's result is ours to give, as a build command
would: a finisher ends every running build pod with ``{"artifactDigest": ...}`` through the
control plane's kwok stage. Operator CPU and peak RSS are read from /proc for the operator's
process alone (the control plane's servers are children of this process too).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import ssl
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import Any

import aiohttp

from arkenos_devstack.controlplane import (
    EXIT_CODE_ANNOTATION,
    TERMINATION_MESSAGE_ANNOTATION,
    ControlPlane,
    run_control_plane,
)
from arkenos_operator.kube import SECRETS, WORKER_POOLS
from arkenos_operator.voiceagent import names
from tests.bench import bench_operator as emulated
from tests.bench import operator_phases as phases
from tests.realk8s.support import OPERATOR_NAMESPACE, install_operator_rbac, operator_process

ROOT = Path(__file__).resolve().parents[2]
Body = dict[str, Any]


async def finish_builds(http: aiohttp.ClientSession, stop: asyncio.Event) -> int:
    """End every running build pod successfully, as the build command would; count them."""
    finished: set[str] = set()
    while not stop.is_set():
        params = {"labelSelector": names.BUILD_LABEL, "fieldSelector": "status.phase=Running"}
        async with http.get("/api/v1/pods", params=params) as response:
            pods = (await response.json())["items"]
        for pod in pods:
            key = f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"
            if key in finished:
                continue
            job = pod["metadata"]["labels"][names.BUILD_LABEL]
            artifact = "sha256:" + hashlib.sha256(job.encode()).hexdigest()
            annotations = {
                EXIT_CODE_ANNOTATION: "0",
                TERMINATION_MESSAGE_ANNOTATION: json.dumps({"artifactDigest": artifact}),
            }
            path = (
                f"/api/v1/namespaces/{pod['metadata']['namespace']}/pods/{pod['metadata']['name']}"
            )
            async with http.patch(
                path,
                json={"metadata": {"annotations": annotations}},
                headers={"Content-Type": "application/merge-patch+json"},
            ) as response:
                response.raise_for_status()
            finished.add(key)
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)
    return len(finished)


async def prepare(http: aiohttp.ClientSession) -> None:
    """What the emulated run's ``prepare`` makes, in namespaces that exist (the platform
    Secrets come with the operator's RBAC, as the chart installs them)."""
    for namespace in emulated.WORKSPACES:
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
        async with http.post("/api/v1/namespaces", json=body) as response:
            response.raise_for_status()
        keys = emulated.secret(namespace, "provider-keys", {"OPENAI_API_KEY": "sk-bench"})
        await emulated.post(http, SECRETS, keys)
    pool = {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": "WorkerPool",
        "metadata": {"name": "standard", "namespace": OPERATOR_NAMESPACE},
        "spec": {"replicas": {"min": 2, "max": 10}},
    }
    await emulated.post(http, WORKER_POOLS, pool)


async def measure(plane: ControlPlane, count: int, rate: float, within_s: float, pid: int) -> Body:
    context = ssl.create_default_context(cafile=str(plane.ca_file))
    headers = {"Authorization": f"Bearer {plane.admin_token}"}
    connector = aiohttp.TCPConnector(ssl=context, limit=phases.CONCURRENCY + 8)
    async with aiohttp.ClientSession(
        plane.server_url, headers=headers, connector=connector
    ) as http:
        await prepare(http)
        await emulated.wait_pool_ready(http, within=120)
        stop = asyncio.Event()
        finisher = asyncio.create_task(finish_builds(http, stop))
        manifests = [emulated.agent_manifest(i) for i in range(count)]

        async def on_created(created: Body, applied_at: dict[str, float], tracker: Any) -> None:
            emulated.by_kind(created, applied_at, tracker.ready_at)
            if not created["complete"]:
                await emulated.report_stragglers(http, tracker.ready_at)

        try:
            figures = await phases.run_phases(
                http,
                manifests,
                rate,
                within_s,
                emulated.IDLE_SECONDS,
                lambda: phases.process_cpu_s(pid),
                on_created,
            )
        finally:
            stop.set()
            figures_builds = await finisher
    figures["builds_finished"] = figures_builds
    return figures


def run_scenario(agents: int, rate: float, within_s: float) -> Body:
    """One operator process against a fresh real control plane."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        run_control_plane(Path(tmp) / "controlplane") as plane,
    ):
        plane.kubectl("apply", "--server-side", "-f", str(ROOT / "crds"))
        plane.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")
        install_operator_rbac(plane)
        env = {"ARKENOS_LOG_FORMAT": "json", **emulated.BENCH_ENV}
        with operator_process(plane, Path(tmp), env) as operator:
            assert operator.process is not None
            pid = operator.process.pid
            startup_cpu = phases.process_cpu_s(pid)
            figures = asyncio.run(measure(plane, agents, rate, within_s, pid))
            figures["operator_peak_rss_mb"] = phases.peak_rss_mb(pid)
            figures["operator_cpu_s_with_startup"] = round(phases.process_cpu_s(pid), 1)
            figures["operator_startup_cpu_s"] = round(startup_cpu, 1)
        errors = [
            line
            for line in (Path(tmp) / "operator.log").read_text().splitlines()
            if '"severity": "error"' in line
        ]
    figures |= {
        "operator_error_log_lines": len(errors),
        "operator_namespace": OPERATOR_NAMESPACE,
        "targets": emulated.TARGETS,
        "cpus": os.cpu_count(),
    }
    emulated.report(figures, errors)
    return figures
