"""Operator cost: 1,000 VoiceAgents (standard and custom mixed) created, left idle for one
resync interval, and deleted, with the real operator in its own process
(tests/bench/operator_phases.py has the phases).

Three scenarios, each with a fresh API and operator: a burst on the emulated API (all 1,000
applied back to back: time until all are Ready; apply→Ready there is mostly time spent
queued), a steady 60 applies/s on the emulated API (apply→Ready latency under a sustained
load), and the same steady load on a real control plane (tests/bench/operator_realk8s.py).
Each phase prints progress every few seconds and its figures: the operator's CPU ms per agent
next to wall clock and the load average, and for create the apply→Ready p50/p95/p99; the
figures land in bench-results/operator.json. Targets (2 cores): create ≤ 8 CPU ms per agent,
all Ready ≤ 20 s, p99 ≤ 300 ms at 60/s, RSS ≤ 250 MB. On a shared machine CPU per agent is
the figure to trust. ``--agents`` and ``--timeout`` (seconds per phase) bound a run.

The emulator and the benchmark's clients share this process (one core's worth, by the GIL);
kmock's request matching is made constant-time (tests/bench/kmock_speedup.py) so the emulator
does not slow down with every request it has served.

The emulator runs no controllers, so the fake controllers of tests/operator/auto_controllers.py
finish build Jobs and report Deployments available, as a healthy cluster would.

For tuning: BENCH_PYSPY=<file> samples the operator with py-spy (raw collapsed stacks),
BENCH_PROFILE=<file> runs it under cProfile, BENCH_REQUESTS=1 counts the emulator's requests.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import gc
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp

from arkenos_devstack.process import free_port
from arkenos_operator.kube import SECRETS, VOICE_AGENTS, WORKER_POOLS, Kind
from tests.bench import kmock_speedup
from tests.bench import operator_phases as phases
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


async def wait_pool_ready(http: aiohttp.ClientSession, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        async with http.get(WORKER_POOLS.path(OPERATOR_NAMESPACE, "standard")) as response:
            if response.status == 200 and phases.is_ready(await response.json()):
                return
        await asyncio.sleep(0.1)
    raise TimeoutError("The worker pool never became Ready: is the operator running?")


def by_kind(
    created: dict[str, Any], applied_at: dict[str, float], ready_at: dict[str, float]
) -> None:
    """Add apply→Ready p50/p99 per kind of agent (standard, custom from a bundle or an image)."""
    latencies: dict[str, list[float]] = {}
    for key, sent in applied_at.items():
        if key in ready_at:
            kind = agent_kind(int(key.rsplit("-", 1)[1]))
            latencies.setdefault(kind, []).append((ready_at[key] - sent) * 1000)
    created["p50_p99_ms_by_kind"] = {
        kind: [round(statistics.median(v), 1), round(phases.percentile(v, 0.99), 1)]
        for kind, v in sorted(latencies.items())
    }


async def report_stragglers(http: aiohttp.ClientSession, ready_at: dict[str, float]) -> None:
    async with http.get(VOICE_AGENTS.path(None)) as response:
        agents = (await response.json())["items"]
    late = [a for a in agents if phases.key_of(a) not in ready_at]
    print(f"{len(late)} agents not Ready; first ones:")
    for agent in late[:5]:
        conditions = (agent.get("status") or {}).get("conditions")
        print(f"  {agent['metadata']['name']} {agent['spec']['mode']}: {conditions}")


async def measure(
    base_url: str, count: int, rate: float, within_s: float, idle_s: float, operator_pid: int
) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession(base_url, headers=HEADERS) as http,
        auto_controllers(base_url) as controllers,
    ):
        await prepare(http)
        # Importing the operator's libraries alone takes seconds of CPU, and much longer on a
        # shared machine: wait for it, and count its CPU from here on.
        await wait_pool_ready(http, within=300)
        manifests = [agent_manifest(i) for i in range(count)]

        async def on_created(
            created: dict[str, Any], applied_at: dict[str, float], tracker: phases.Tracker
        ) -> None:
            by_kind(created, applied_at, tracker.ready_at)
            if not created["complete"]:
                await report_stragglers(http, tracker.ready_at)

        figures = await phases.run_phases(
            http,
            manifests,
            rate,
            within_s,
            idle_s,
            lambda: phases.process_cpu_s(operator_pid),
            on_created,
        )
        figures["builds"], figures["rollouts"] = controllers.builds, controllers.rollouts
        return figures


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
        **BENCH_ENV,
        # kopf reads port 0 in its liveness URL as "no port", i.e. 80: two runs at once clash.
        "ARKENOS_PROBE_PORT": str(free_port()),
    }
    command = [sys.executable, "-m", "arkenos_operator"]
    if os.environ.get("BENCH_PROFILE"):  # for tuning: cProfile the operator process
        command[1:1] = ["-m", "cProfile", "-o", os.environ["BENCH_PROFILE"]]
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def start_profiler(pid: int) -> subprocess.Popen[bytes] | None:
    """With BENCH_PYSPY=<file>, sample the operator with py-spy (collapsed stacks, the dev
    dependency in this venv) until the measurement ends: for finding where its CPU goes."""
    out = os.environ.get("BENCH_PYSPY")
    if not out:
        return None
    py_spy = str(Path(sys.executable).with_name("py-spy"))
    command = [py_spy, "record", "--pid", str(pid), "--format", "raw", "-o", out, "-r", "100"]
    return subprocess.Popen([*command, "--nonblocking"])


#: The operator's periods in every scenario (the real-control-plane run too): custom agents'
#: resync is the idle phase's length, so that phase sees one resync of each custom agent.
#: For comparing reconcile costs on a loaded machine, where create lasts long enough for the
#: periodic work to dominate it: BENCH_RESYNC_SECONDS / BENCH_SCALE_SECONDS / BENCH_IDLE_SECONDS.
RESYNC_SECONDS = int(os.environ.get("BENCH_RESYNC_SECONDS", "30"))
SCALE_SECONDS = os.environ.get("BENCH_SCALE_SECONDS", "10")
IDLE_SECONDS = int(os.environ.get("BENCH_IDLE_SECONDS", str(RESYNC_SECONDS)))
BENCH_ENV = {
    "ARKENOS_RESYNC_SECONDS": str(RESYNC_SECONDS),
    "ARKENOS_POOL_SCALE_INTERVAL_SECONDS": SCALE_SECONDS,
    "ARKENOS_CUSTOM_SCALE_INTERVAL_SECONDS": SCALE_SECONDS,
    "ARKENOS_BACKOFF_BASE_SECONDS": "0.5",
    "ARKENOS_BACKOFF_MAX_SECONDS": "10",
}
#: Scenarios: all at once (time until all Ready, latency is mostly queueing), and a steady
#: 60 applies/s (1,000 over ~17 s: apply→Ready latency under a sustained load).
SCENARIOS = {"burst": 0.0, "steady-60-per-s": 60.0}
#: The steady load again on a real control plane (tests/bench/operator_realk8s.py), beside it.
REAL_SCENARIOS = {"realk8s-steady-60-per-s": 60.0}


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """This process's garbage collector off while it measures. The process is the operator's
    counterpart (the emulated API server, the fake controllers, the watch that times each
    agent), and its full collections, over a heap that the emulator's request log keeps
    growing, took 185 ms each, 8 in a steady run: every request the operator made meanwhile
    waited, which a real API server's concurrent collector does not make it do. What
    start-up made is frozen first; cycles made while measuring wait until the end (the
    process lives about a minute)."""
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


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
                with collector_paused():
                    figures = asyncio.run(
                        measure(k8s.url, agents, rate, within_s, IDLE_SECONDS, operator.pid)
                    )
                figures["operator_peak_rss_mb"] = phases.peak_rss_mb(operator.pid)
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
        "operator_cpu_s_with_startup": round(children.ru_utime + children.ru_stime, 1),
        "emulator_and_bench_cpu_s": round(own.ru_utime + own.ru_stime, 1),
        "operator_error_log_lines": len(errors),
        "targets": TARGETS,
        "cpus": os.cpu_count(),
    }
    report(figures, errors)
    return figures


def report(figures: dict[str, Any], errors: list[str]) -> None:
    """The scenario's figures after its phases' own lines: size, CPU outside the phases."""
    create = figures["create"]
    print(
        f"all Ready after {create.get('all_ready_s', '—')} s (target ≤ {TARGETS['all_ready_s']} "
        f"s), apply→Ready p99 {create.get('p99_ms', '—')} ms (target ≤ {TARGETS['p99_ms']} ms), "
        f"create CPU {create['operator_cpu_ms_per_agent']} ms per agent "
        f"(target ≤ {TARGETS['cpu_ms_per_agent']} ms)"
    )
    if "p50_p99_ms_by_kind" in create:
        print(f"apply→Ready p50 / p99 by kind (ms): {create['p50_p99_ms_by_kind']}")
    rss = figures.get("operator_peak_rss_mb")
    print(f"operator peak RSS {rss} MB (target ≤ {TARGETS['rss_mb']} MB)")
    if "operator_cpu_s_with_startup" in figures:
        print(
            f"CPU seconds: operator {figures['operator_cpu_s_with_startup']} (with start-up), "
            # The real control plane's run has no emulator; its servers' CPU is not ours.
            f"emulator + fake controllers + bench {figures.get('emulator_and_bench_cpu_s', '—')}; "
            f"builds / rollouts faked {figures.get('builds')} / {figures.get('rollouts')}"
        )
    print(f"operator error log lines: {len(errors)}")
    for line in errors[:5]:
        print("  ", line[:300])


def summary(results: dict[str, Any]) -> None:
    """One table of every scenario: CPU per agent per phase next to wall clock and load."""
    print("\noperator CPU ms per agent (CPU s / wall s, load before → after):")
    header = f"{'scenario':26}{'create':>30}{'net of idle':>13}"
    header += f"{'idle ' + str(IDLE_SECONDS) + ' s':>30}{'delete':>30}"
    print(header + "   apply→Ready p50 / p95")
    for name, figures in results.items():
        if "error" in figures:
            print(f"{name:26}failed: {figures['error']}")
            continue
        cells = []
        for phase in ("create", "idle", "delete"):
            f = figures[phase]
            mark = "" if f["complete"] else "*"
            cell = f"{f['operator_cpu_ms_per_agent']}{mark} ({f['operator_cpu_s']}/{f['wall_s']})"
            cells.append(f"{cell:>30}")
            if phase == "create":
                cells.append(f"{f.get('operator_cpu_ms_per_agent_net_of_idle', '—'):>13}")
        create = figures["create"]
        latency = f"{create.get('p50_ms', '—')} / {create.get('p95_ms', '—')} ms"
        loads = f"load {create['load_before']} → {figures['delete']['load_after']}"
        print(f"{name:26}" + "".join(cells) + f"   {latency}, {loads}")
    print("* the phase ran out of time before every agent got there")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument(
        "--scenario", choices=sorted(SCENARIOS | REAL_SCENARIOS), help="run only this one"
    )
    parser.add_argument("--out", type=Path, help="where --scenario writes its figures")
    parser.add_argument(
        "--timeout", type=float, default=120, help="seconds each phase may take (create, delete)"
    )
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
            print(f"== scenario {name}, load {phases.load()}", flush=True)
            out = Path(tmp) / f"{name}.json"
            command = [sys.executable, "-m", "tests.bench.bench_operator", "--scenario", name]
            command += ["--agents", str(args.agents), "--timeout", str(args.timeout)]
            done = subprocess.run([*command, "--out", str(out)], check=False, cwd=ROOT)
            if done.returncode == 0 and out.exists():
                results[name] = json.loads(out.read_text())
            else:
                results[name] = {"error": f"exit status {done.returncode}"}
    summary(results)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if all("error" not in r for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
