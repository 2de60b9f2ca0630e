"""Operator convergence: apply 1,000 VoiceAgents (standard and custom mixed) to the emulated
API and time until every one is Ready, with the real operator in its own process.

Two scenarios, each with a fresh emulator and operator: a burst (all 1,000 applied at once:
time until all are Ready; apply→Ready there is mostly time spent queued) and a steady 60
applies/s (1,000 over ~17 s: apply→Ready latency under sustained load). Prints, per scenario,
the time until all are Ready, p50/p99 from apply to Ready (also by agent kind), the operator
process's peak RSS and CPU; writes them to bench-results/operator.json. Targets (2 cores):
all Ready ≤ 20 s, p99 ≤ 300 ms, RSS ≤ 250 MB.

The emulator and the benchmark's clients share this process (one core's worth, by the GIL);
kmock's request matching is made constant-time (tests/bench/kmock_speedup.py) so the emulator
does not slow down with every request it has served.

The emulator runs no controllers, so the fake controllers of tests/operator/auto_controllers.py
finish build Jobs and report Deployments available, as a healthy cluster would.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from arkenos_operator.kube import SECRETS, VOICE_AGENTS, WORKER_POOLS, Kind
from tests.bench import kmock_speedup
from tests.doubles.arkenos_api import OPERATOR, ArkenosAPIDouble
from tests.doubles.server import serve
from tests.operator.auto_controllers import auto_controllers
from tests.operator.conftest import OPERATOR_ENV, OPERATOR_NAMESPACE, OPERATOR_TOKEN
from tests.substrate.k8s_resources import load_crd_manifests
from tests.substrate.kubernetes import KUBECONFIG_TOKEN, run_emulator, write_kubeconfig

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results" / "operator.json"
HEADERS = {"Authorization": f"Bearer {KUBECONFIG_TOKEN}"}
WORKSPACES = ("bench-a", "bench-b", "bench-c", "bench-d")
TARGETS = {"all_ready_s": 20.0, "p99_ms": 300.0, "rss_mb": 250.0, "cpu_ms_per_agent": 8.0}


def agent_kind(index: int) -> str:
    if index % 5 != 4:
        return "standard"
    return "custom-bundle" if index % 10 == 4 else "custom-image"


def agent_manifest(index: int) -> dict[str, Any]:
    """Every 5th agent is custom (half from a bundle, half from an image); standard agents
    alternate between workspace keys and a credentials Secret."""
    namespace = WORKSPACES[index % len(WORKSPACES)]
    name = f"agent-{index:04d}"
    spec: dict[str, Any]
    if index % 5 == 4:
        digest = f"sha256:{index:064x}"
        source = (
            {"bundle": {"digest": digest}}
            if index % 10 == 4
            else {"image": f"ghcr.example/acme/agent@{digest}"}
        )
        spec = {"mode": "Custom", "custom": {"source": source, "entrypoint": "agent"}}
    else:
        spec = {"mode": "Standard", "instructions": f"You are agent {index}."}
        if index % 2:
            spec["credentials"] = {"secretRef": {"name": "provider-keys"}}
    return {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": "VoiceAgent",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def secret(namespace: str, name: str, data: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace},
        "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()},
    }


async def post(http: aiohttp.ClientSession, kind: Kind, body: dict[str, Any]) -> None:
    async with http.post(kind.path(body["metadata"]["namespace"]), json=body) as response:
        response.raise_for_status()


async def prepare(http: aiohttp.ClientSession) -> None:
    await post(
        http,
        SECRETS,
        secret(
            OPERATOR_NAMESPACE,
            "arkenos-livekit",
            {"LIVEKIT_API_KEY": "k", "LIVEKIT_API_SECRET": "s"},
        ),
    )
    await post(http, SECRETS, secret(OPERATOR_NAMESPACE, "arkenos-s3", {"ARKENOS_S3_BUCKET": "b"}))
    for namespace in WORKSPACES:
        await post(
            http, SECRETS, secret(namespace, "provider-keys", {"OPENAI_API_KEY": "sk-bench"})
        )
    pool = {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": "WorkerPool",
        "metadata": {"name": "standard", "namespace": OPERATOR_NAMESPACE},
        "spec": {"replicas": {"min": 2, "max": 10}},
    }
    await post(http, WORKER_POOLS, pool)


def is_ready(obj: dict[str, Any]) -> bool:
    conditions = (obj.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


async def watch_ready(
    http: aiohttp.ClientSession, ready_at: dict[str, float], total: int, done: asyncio.Event
) -> None:
    async with http.get(VOICE_AGENTS.path(None), params={"watch": "true"}) as response:
        async for line in response.content:
            if not line.strip():
                continue
            obj = json.loads(line)["object"]
            key = f"{obj['metadata']['namespace']}/{obj['metadata']['name']}"
            if key not in ready_at and is_ready(obj):
                ready_at[key] = time.perf_counter()
                if len(ready_at) >= total:
                    done.set()
                    return


async def wait_pool_ready(http: aiohttp.ClientSession, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        async with http.get(WORKER_POOLS.path(OPERATOR_NAMESPACE, "standard")) as response:
            if response.status == 200 and is_ready(await response.json()):
                return
        await asyncio.sleep(0.1)
    raise TimeoutError("The worker pool never became Ready: is the operator running?")


async def apply_all(
    http: aiohttp.ClientSession, count: int, rate: float, applied_at: dict[str, float]
) -> None:
    start = time.perf_counter()
    limit = asyncio.Semaphore(64)

    async def apply(index: int) -> None:
        if rate > 0:
            await asyncio.sleep(max(0.0, start + index / rate - time.perf_counter()))
        body = agent_manifest(index)
        async with limit:
            sent = time.perf_counter()
            await post(http, VOICE_AGENTS, body)
        applied_at[f"{body['metadata']['namespace']}/{body['metadata']['name']}"] = sent

    await asyncio.gather(*(apply(i) for i in range(count)))


async def report_stragglers(http: aiohttp.ClientSession, ready_at: dict[str, float]) -> None:
    async with http.get(VOICE_AGENTS.path(None)) as response:
        agents = (await response.json())["items"]
    late = [
        a for a in agents if f"{a['metadata']['namespace']}/{a['metadata']['name']}" not in ready_at
    ]
    print(f"{len(late)} agents never became Ready; first ones:")
    for agent in late[:5]:
        conditions = (agent.get("status") or {}).get("conditions")
        print(f"  {agent['metadata']['name']} {agent['spec']['mode']}: {conditions}")


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds a live process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def measure(
    base_url: str, count: int, rate: float, within_s: float, operator_pid: int
) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession(base_url, headers=HEADERS) as http,
        auto_controllers(base_url) as controllers,
    ):
        await prepare(http)
        # Importing the operator's libraries alone takes seconds of CPU, and much longer on a
        # shared machine: wait for it, and count its CPU from here on.
        await wait_pool_ready(http, within=300)
        cpu_before = process_cpu_s(operator_pid)
        applied_at: dict[str, float] = {}
        ready_at: dict[str, float] = {}
        done = asyncio.Event()
        watcher = asyncio.create_task(watch_ready(http, ready_at, count, done))
        started = time.perf_counter()
        await apply_all(http, count, rate, applied_at)
        applied = time.perf_counter() - started
        try:
            await asyncio.wait_for(done.wait(), within_s)
        except TimeoutError:
            await report_stragglers(http, ready_at)
            raise
        finally:
            watcher.cancel()
        window_cpu = process_cpu_s(operator_pid) - cpu_before
        latencies = [(ready_at[k] - applied_at[k]) * 1000 for k in applied_at if k in ready_at]
        by_kind: dict[str, list[float]] = {}
        for key, applied_time in applied_at.items():
            index = int(key.rsplit("-", 1)[1])
            by_kind.setdefault(agent_kind(index), []).append((ready_at[key] - applied_time) * 1000)
        return {
            "agents": count,
            "apply_rate_per_s": rate or None,
            "apply_duration_s": round(applied, 2),
            "all_ready_s": round(max(ready_at.values()) - started, 2),
            "p50_ms": round(statistics.median(latencies), 1),
            "p99_ms": round(percentile(latencies, 0.99), 1),
            "max_ms": round(max(latencies), 1),
            "p50_p99_ms_by_kind": {
                kind: [round(statistics.median(v), 1), round(percentile(v, 0.99), 1)]
                for kind, v in sorted(by_kind.items())
            },
            "operator_cpu_ms_per_agent": round(window_cpu * 1000 / count, 2),
            "operator_window_cpu_s": round(window_cpu, 2),
            "builds": controllers.builds,
            "rollouts": controllers.rollouts,
        }


def print_request_counts(k8s: Any) -> None:
    """Requests the emulator served, by method, resource and subresource (for tuning)."""
    from collections import Counter

    def count() -> Counter[str]:
        return Counter(
            f"{r.method} {r.resource.plural if r.resource else r.url.path} {r.subresource or ''}"
            f"{' watch' if r.params.get('watch') else ''}"
            for r in k8s.emulator._requests
        )

    for key, number in k8s.call(count).most_common(25):
        print(f"{number:7d} {key}")


def start_operator(
    kubeconfig: Path, log: Any, api_url: str, token_file: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        **OPERATOR_ENV,
        "KUBECONFIG": str(kubeconfig),
        "ARKENOS_API_URL": api_url,
        "ARKENOS_API_TOKEN_FILE": str(token_file),
        "ARKENOS_LOG_FORMAT": "json",
        "ARKENOS_RESYNC_SECONDS": "60",
        "ARKENOS_POOL_SCALE_INTERVAL_SECONDS": "10",
        "ARKENOS_CUSTOM_SCALE_INTERVAL_SECONDS": "10",
        "ARKENOS_BACKOFF_BASE_SECONDS": "0.5",
        "ARKENOS_BACKOFF_MAX_SECONDS": "10",
        "ARKENOS_PROBE_PORT": "0",
    }
    command = [sys.executable, "-m", "arkenos_operator"]
    if os.environ.get("BENCH_PROFILE"):  # for tuning: cProfile the operator process
        command[1:1] = ["-m", "cProfile", "-o", os.environ["BENCH_PROFILE"]]
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def start_profiler(pid: int) -> subprocess.Popen[bytes] | None:
    """With BENCH_PYSPY=<file>, sample the operator with py-spy (collapsed stacks) until the
    measurement ends: for finding where its CPU goes."""
    out = os.environ.get("BENCH_PYSPY")
    if not out:
        return None
    command = ["py-spy", "record", "--pid", str(pid), "--format", "raw", "-o", out, "-r", "100"]
    return subprocess.Popen([*command, "--nonblocking"])


def report(figures: dict[str, Any], errors: list[str]) -> None:
    targets = figures["targets"]
    lines = [
        ("agents applied", f"{figures['agents']} in {figures['apply_duration_s']} s"),
        ("all Ready after", f"{figures['all_ready_s']} s (target ≤ {targets['all_ready_s']} s)"),
        (
            "apply→Ready p50 / p99",
            f"{figures['p50_ms']} ms / {figures['p99_ms']} ms "
            f"(target p99 ≤ {targets['p99_ms']} ms)",
        ),
        (
            "operator peak RSS",
            f"{figures['operator_peak_rss_mb']} MB (target ≤ {targets['rss_mb']} MB)",
        ),
        (
            "operator CPU per agent",
            f"{figures['operator_cpu_ms_per_agent']} ms "
            f"({figures['operator_window_cpu_s']} s from the first apply to all Ready; "
            f"target ≤ {targets['cpu_ms_per_agent']} ms)",
        ),
        (
            "CPU seconds",
            f"operator {figures['operator_cpu_s']} (with start-up), "
            f"emulator + fake controllers + bench {figures['emulator_and_bench_cpu_s']}",
        ),
        ("p50 / p99 by kind (ms)", str(figures["p50_p99_ms_by_kind"])),
        ("builds / rollouts faked", f"{figures['builds']} / {figures['rollouts']}"),
        ("operator error log lines", str(len(errors))),
    ]
    for label, value in lines:
        print(f"{label + ':':27}{value}")
    for line in errors[:5]:
        print("  ", line[:300])


#: Scenarios: all at once (time until all Ready, latency is mostly queueing), and a steady
#: 60 applies/s (1,000 over ~17 s: apply→Ready latency under a sustained load).
SCENARIOS = {"burst": 0.0, "steady-60-per-s": 60.0}
#: The steady load again on a real control plane (tests/bench/operator_realk8s.py), beside it.
REAL_SCENARIOS = {"realk8s-steady-60-per-s": 60.0}


def run_scenario(agents: int, rate: float, within_s: float) -> dict[str, Any]:
    """One operator process against a fresh emulator; figures for this process only."""
    kmock_speedup.install()  # else the emulator, not the operator, is what gets measured
    # The API the operator asks about each agent's readiness: every namespace a workspace.
    api = ArkenosAPIDouble(tokens={OPERATOR_TOKEN: OPERATOR})
    with (
        tempfile.TemporaryDirectory() as tmp,
        run_emulator(load_crd_manifests()) as k8s,
        serve(api.app()) as served_api,
    ):
        kubeconfig = write_kubeconfig(Path(tmp) / "kubeconfig", k8s.url)
        token_file = Path(tmp) / "operator-token"
        token_file.write_text(OPERATOR_TOKEN)
        log_path = Path(tmp) / "operator.log"
        with log_path.open("wb") as log:
            operator = start_operator(kubeconfig, log, served_api.url, token_file)
            profiler = start_profiler(operator.pid)
            try:
                figures = asyncio.run(measure(k8s.url, agents, rate, within_s, operator.pid))
            finally:
                if profiler is not None:
                    profiler.send_signal(signal.SIGINT)
                    profiler.wait(timeout=60)
                operator.send_signal(signal.SIGTERM)
                operator.wait(timeout=60)
                if os.environ.get("BENCH_KEEP_LOG"):
                    Path(os.environ["BENCH_KEEP_LOG"]).write_text(log_path.read_text())
        if os.environ.get("BENCH_REQUESTS"):
            print_request_counts(k8s)
        errors = [
            line for line in log_path.read_text().splitlines() if '"severity": "error"' in line
        ]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    figures |= {
        "operator_peak_rss_mb": round(children.ru_maxrss / 1024, 1),
        "operator_cpu_s": round(children.ru_utime + children.ru_stime, 1),
        "emulator_and_bench_cpu_s": round(own.ru_utime + own.ru_stime, 1),
        "operator_error_log_lines": len(errors),
        "targets": TARGETS,
        "cpus": os.cpu_count(),
    }
    report(figures, errors)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument(
        "--scenario", choices=sorted(SCENARIOS | REAL_SCENARIOS), help="run only this one"
    )
    parser.add_argument("--out", type=Path, help="where --scenario writes its figures")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    if args.scenario in REAL_SCENARIOS:
        from tests.bench import operator_realk8s  # it imports this module

        # Real controllers and kwok take longer than the emulator's instant fakes.
        figures = operator_realk8s.run_scenario(
            args.agents, REAL_SCENARIOS[args.scenario], max(args.timeout, 300)
        )
    elif args.scenario:
        figures = run_scenario(args.agents, SCENARIOS[args.scenario], args.timeout)
    if args.scenario:
        if args.out:
            args.out.write_text(json.dumps(figures))
        return 0

    # Each scenario in a process of its own, so CPU and peak RSS are that scenario's alone.
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in SCENARIOS | REAL_SCENARIOS:
            print(f"-- scenario {name}", flush=True)
            out = Path(tmp) / f"{name}.json"
            command = [sys.executable, "-m", "tests.bench.bench_operator", "--scenario", name]
            command += ["--agents", str(args.agents), "--timeout", str(args.timeout)]
            subprocess.run([*command, "--out", str(out)], check=True, cwd=ROOT)
            results[name] = json.loads(out.read_text())
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
