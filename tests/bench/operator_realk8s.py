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
import statistics
import tempfile
import time
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
from tests.realk8s.support import OPERATOR_NAMESPACE, install_operator_rbac, operator_process

ROOT = Path(__file__).resolve().parents[2]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def operator_usage(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) and peak RSS in MB of one live process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    peak_kb = next(
        int(line.split()[1])
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith("VmHWM:")
    )
    return cpu, peak_kb / 1024


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


async def measure(plane: ControlPlane, count: int, rate: float, within_s: float) -> dict[str, Any]:
    context = ssl.create_default_context(cafile=str(plane.ca_file))
    headers = {"Authorization": f"Bearer {plane.admin_token}"}
    connector = aiohttp.TCPConnector(ssl=context, limit=64)
    async with aiohttp.ClientSession(
        plane.server_url, headers=headers, connector=connector
    ) as http:
        await prepare(http)
        await emulated.wait_pool_ready(http, within=120)
        applied_at: dict[str, float] = {}
        ready_at: dict[str, float] = {}
        done, stop = asyncio.Event(), asyncio.Event()
        watcher = asyncio.create_task(emulated.watch_ready(http, ready_at, count, done))
        finisher = asyncio.create_task(finish_builds(http, stop))
        started = time.perf_counter()
        await emulated.apply_all(http, count, rate, applied_at)
        applied = time.perf_counter() - started
        try:
            await asyncio.wait_for(done.wait(), within_s)
        except TimeoutError:
            await emulated.report_stragglers(http, ready_at)
            raise
        finally:
            watcher.cancel()
            stop.set()
            builds = await finisher
    latencies = [(ready_at[k] - applied_at[k]) * 1000 for k in applied_at]
    return {
        "agents": count,
        "apply_rate_per_s": rate or None,
        "apply_duration_s": round(applied, 2),
        "all_ready_s": round(max(ready_at.values()) - started, 2),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(emulated.percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies), 1),
        "builds_finished": builds,
    }


def run_scenario(agents: int, rate: float, within_s: float) -> dict[str, Any]:
    """One operator process against a fresh real control plane."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        run_control_plane(Path(tmp) / "controlplane") as plane,
    ):
        plane.kubectl("apply", "--server-side", "-f", str(ROOT / "crds"))
        plane.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")
        install_operator_rbac(plane)
        env = {
            "ARKENOS_LOG_FORMAT": "json",
            "ARKENOS_RESYNC_SECONDS": "60",
            "ARKENOS_POOL_SCALE_INTERVAL_SECONDS": "10",
            "ARKENOS_BACKOFF_BASE_SECONDS": "0.5",
            "ARKENOS_BACKOFF_MAX_SECONDS": "10",
        }
        with operator_process(plane, Path(tmp), env) as operator:
            assert operator.process is not None
            figures = asyncio.run(measure(plane, agents, rate, within_s))
            cpu_s, rss_mb = operator_usage(operator.process.pid)
        errors = [
            line
            for line in (Path(tmp) / "operator.log").read_text().splitlines()
            if '"severity": "error"' in line
        ]
    figures |= {
        "operator_peak_rss_mb": round(rss_mb, 1),
        "operator_cpu_s": round(cpu_s, 1),
        "operator_cpu_ms_per_agent": round(cpu_s * 1000 / agents, 1),
        "operator_error_log_lines": len(errors),
        "operator_namespace": OPERATOR_NAMESPACE,
        "cpus": os.cpu_count(),
    }
    for key, value in figures.items():
        print(f"{key + ':':30}{value}")
    for line in errors[:5]:
        print("  ", line[:300])
    return figures
