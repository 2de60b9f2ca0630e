"""Cold start of a custom agent scaled to zero: from the API's wake mark to a Deployment of
one replica (the operator's reaction) and to the agent reporting a ready pod, with the real
operator in its own process against the emulated API.

For each of ``--agents`` custom agents with ``min: 0`` (image source, no build): create it,
wait until it is Ready at zero pods (reason ScaledToZero), write the wake annotation as the
API does when a call starts, and time (a) annotation → Deployment ``spec.replicas`` 1 and (b)
annotation → the agent's Ready reason says a pod is available. The emulator runs no
controllers: the fake Deployment controller of tests/operator/auto_controllers.py reports the
replica available at once, so (b) is the control-plane path only. A real cold start adds
scheduling, the image pull, the runner's start and its LiveKit registration, which nothing
here can run (no container runtime; the kwok control plane is not yet reliable here).

Prints p50/p95/max of both, the operator's CPU per wake and per idle scaler tick (what scaling
on sessions costs while nothing happens); writes bench-results/cold_start.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from arkenos_crds.runtime import WAKE_ANNOTATION
from arkenos_operator.kube import DEPLOYMENTS, VOICE_AGENTS
from arkenos_operator.voiceagent import names
from tests.bench import kmock_speedup
from tests.bench.bench_operator import (
    HEADERS,
    percentile,
    post,
    prepare,
    process_cpu_s,
    start_operator,
    wait_pool_ready,
)
from tests.doubles.arkenos_api import OPERATOR, ArkenosAPIDouble
from tests.doubles.server import serve
from tests.operator.auto_controllers import auto_controllers
from tests.operator.conftest import OPERATOR_TOKEN
from tests.substrate.k8s_resources import load_crd_manifests
from tests.substrate.kubernetes import run_emulator, write_kubeconfig

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results" / "cold_start.json"
NAMESPACE = "bench-a"
IMAGE = "ghcr.example/acme/agent@sha256:" + "d" * 64
POLL_S = 0.01
#: The benchmark operator's scaler interval (tests/bench/bench_operator.start_operator).
SCALE_INTERVAL_S = 10.0
IDLE_S = 30.0


def agent_manifest(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": "VoiceAgent",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {
            "mode": "Custom",
            "custom": {"source": {"image": IMAGE}, "replicas": {"min": 0, "max": 2}},
        },
    }


def ready_reason(agent: dict[str, Any]) -> str | None:
    for condition in (agent.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready" and condition.get("status") == "True":
            return str(condition.get("reason"))
    return None


async def get(http: aiohttp.ClientSession, path: str) -> dict[str, Any]:
    async with http.get(path) as response:
        response.raise_for_status()
        return dict(await response.json())


async def poll(http: aiohttp.ClientSession, path: str, probe: Any, within: float) -> float:
    """perf_counter() when ``probe(object)`` first holds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        async with http.get(path) as response:
            if response.status == 200 and probe(await response.json()):
                return time.perf_counter()
        await asyncio.sleep(POLL_S)
    raise TimeoutError(f"{path} did not reach the state within {within} s")


async def fall_asleep(http: aiohttp.ClientSession, name: str) -> None:
    """Create a min-0 agent and wait until it is Ready at zero pods."""
    await post(http, VOICE_AGENTS, agent_manifest(name))
    agent_path = VOICE_AGENTS.path(NAMESPACE, name)
    await poll(http, agent_path, lambda a: ready_reason(a) == "ScaledToZero", 60)


async def wake(http: aiohttp.ClientSession, name: str) -> tuple[float, float]:
    """(wake → replicas 1, wake → Ready on a pod) in ms, for an agent at zero."""
    agent_path = VOICE_AGENTS.path(NAMESPACE, name)
    deployment_path = DEPLOYMENTS.path(NAMESPACE, names.deployment_name(name))
    stamp = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    patch = {"metadata": {"annotations": {WAKE_ANNOTATION: stamp}}}
    headers = {"Content-Type": "application/merge-patch+json"}
    woken = time.perf_counter()
    async with http.patch(agent_path, json=patch, headers=headers) as response:
        response.raise_for_status()
    # One poller at a time: the emulator shares this process, and polling it harder would
    # slow the very requests being timed.
    scaled = await poll(http, deployment_path, lambda d: d["spec"].get("replicas") == 1, 30)
    ready = await poll(http, agent_path, lambda a: ready_reason(a) == "Ready", 30)
    return (scaled - woken) * 1000, (ready - woken) * 1000


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
        "max_ms": round(max(values), 1),
    }


async def measure(base_url: str, agents: int, operator_pid: int) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession(base_url, headers=HEADERS) as http,
        auto_controllers(base_url),
    ):
        await prepare(http)
        await wait_pool_ready(http, within=300)
        sleepers = [f"sleeper-{index:03d}" for index in range(agents)]
        for name in sleepers:
            await fall_asleep(http, name)
        cpu_before = process_cpu_s(operator_pid)
        to_replicas, to_ready = [], []
        for name in sleepers:
            scaled_ms, ready_ms = await wake(http, name)
            to_replicas.append(scaled_ms)
            to_ready.append(ready_ms)
        cpu = process_cpu_s(operator_pid) - cpu_before
        # The price of scaling on sessions: every custom agent's scaler tick (a reconcile that
        # reads its pods), here with nothing to change.
        idle_before = process_cpu_s(operator_pid)
        await asyncio.sleep(IDLE_S)
        idle_cpu = process_cpu_s(operator_pid) - idle_before
    ticks = agents * IDLE_S / SCALE_INTERVAL_S
    return {
        "agents": agents,
        "wake_to_replicas_1": summary(to_replicas),
        "wake_to_ready_pod_emulated": summary(to_ready),
        "operator_cpu_ms_per_wake": round(cpu * 1000 / agents, 2),
        "operator_cpu_ms_per_idle_scaler_tick": round(idle_cpu * 1000 / ticks, 2),
        "scale_interval_s": SCALE_INTERVAL_S,
        "substrate": "kmock emulator, fake Deployment controller (pod ready at once)",
    }


def run(agents: int) -> dict[str, Any]:
    kmock_speedup.install()
    api = ArkenosAPIDouble(tokens={OPERATOR_TOKEN: OPERATOR})
    with (
        tempfile.TemporaryDirectory() as tmp,
        run_emulator(load_crd_manifests()) as k8s,
        serve(api.app()) as served_api,
    ):
        kubeconfig = write_kubeconfig(Path(tmp) / "kubeconfig", k8s.url)
        token_file = Path(tmp) / "operator-token"
        token_file.write_text(OPERATOR_TOKEN)
        with (Path(tmp) / "operator.log").open("wb") as log:
            operator = start_operator(kubeconfig, log, served_api.url, token_file)
            try:
                return asyncio.run(measure(k8s.url, agents, operator.pid))
            finally:
                operator.terminate()
                operator.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=20)
    args = parser.parse_args()
    figures = run(args.agents)
    print(f"{'agents woken from zero:':34}{figures['agents']}")
    for key, label in (
        ("wake_to_replicas_1", "wake mark → replicas 1"),
        ("wake_to_ready_pod_emulated", "wake mark → Ready on a pod (emul.)"),
    ):
        f = figures[key]
        print(f"{label + ':':34}p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms, max {f['max_ms']} ms")
    cpu = figures["operator_cpu_ms_per_wake"]
    print(f"{'operator CPU per wake:':34}{cpu} ms (wake mark to a ready pod reported)")
    tick = figures["operator_cpu_ms_per_idle_scaler_tick"]
    print(f"{'operator CPU per idle scaler tick:':34}{tick} ms (one per agent every 10 s)")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
