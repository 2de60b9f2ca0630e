"""Voice over real WebRTC through livekit-server: turn latency, call setup and concurrency.

Everything runs as it does in production, on loopback: livekit-server (with Redis) built from
its pinned Go module; the platform's standard worker (``arkenos-worker``) fetching its config
from the worker-facing API double and reporting to it; a bare livekit-agents worker in the
shape of LiveKit's starter (tests/bench/bare_worker.py) with the same models, greeting and turn
handling; both on the same OpenAI-compatible double (fixed answers, provider-like delays, TTS
a tone). Callers are participants of the livekit rtc SDK (libwebrtc) in this process.

- Turn: the caller's end of speech (last sample handed to its microphone source) → the first
  loud frame of the agent's reply out of the caller's jitter buffer. Calls of BLOCK turns
  alternate between the bare and the platform worker (which goes first alternates too).
- Call setup: room created with the dispatch → agent joined → first greeting frame at the
  caller, on warm workers (each worker's first call is a warm-up, not counted); the split by
  stage, and from the API's POST, is bench_call_setup's.
- Concurrency: levels of simultaneous calls on one platform worker, each level's calls joined
  (staggered), then all held together for a window of continuous turns at random offsets
  (BENCH_VOICE_WINDOW_S, default 30 s; the single call's BENCH_VOICE_BASELINE_S, default 60 s,
  sets the yardstick p95), raised until the p95 turn latency is 20 % above the single call's
  (or a reply goes missing). Calls per core two ways: the level reached over the machine's
  cores (which the worker, the callers and livekit-server share here), and over the cores the
  worker itself kept busy at that level. CPU per call-second (CPU seconds over the window /
  seconds of calls held) of the worker, livekit-server and the callers (this process: mostly
  libwebrtc's own threads, Opus and SRTP); the worker's inverse is the calls one core carries
  by the worker's CPU alone. Each level also records how busy the whole machine was (other
  engineers' work included), and the report says what stopped the levels: a saturated
  machine, a worker holding its one core (jobs are threads of one process), or neither.

CPU seconds of each worker process (with its job processes) and of livekit-server are read
from /proc around each phase. The machine is shared with other engineers' builds and tests:
the load average is recorded next to the figures. Prints them and writes
bench-results/voice_rtc.json. BENCH_VOICE_TURNS sets the turns per agent (default 50),
BENCH_VOICE_LEVELS the concurrency levels tried (default 1,2,4,8,12,16,20,24,32),
BENCH_VOICE_PHASES which phases run (default turns,concurrency).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psutil
from livekit import api as lkapi
from livekit import rtc

from arkenos_crds.runtime import Provider, RuntimeConfig
from arkenos_crds.voiceagent import STANDARD_DISPATCH_NAME, VoiceAgentSpec
from arkenos_devstack.livekit import LiveKitStack
from arkenos_devstack.process import ManagedProcess, free_port
from tests.doubles.arkenos_api import POOL, ArkenosAPIDouble
from tests.doubles.openai import ChatRule, OpenAIDouble
from tests.doubles.server import serve_aiohttp
from tests.realcalls.support.agent import AGENT_ANSWERS, CALLER_SAYS, agent_spec
from tests.realcalls.support.caller import WebCaller
from tests.realcalls.support.platform import caller_token, create_dispatched_room
from tests.realcalls.support.speech import espeak_wav, read_wav
from tests.realcalls.support.worker import WorkerProcess, start_worker

RESULTS = Path(__file__).resolve().parents[2] / "bench-results" / "voice_rtc.json"
TURNS = int(os.environ.get("BENCH_VOICE_TURNS", "50"))
BLOCK = 5
LEVELS = tuple(
    int(n) for n in os.environ.get("BENCH_VOICE_LEVELS", "1,2,4,8,12,16,20,24,32").split(",")
)
BASELINE_WINDOW_S = float(os.environ.get("BENCH_VOICE_BASELINE_S", "60"))
LEVEL_WINDOW_S = float(os.environ.get("BENCH_VOICE_WINDOW_S", "30"))
PHASES = set(os.environ.get("BENCH_VOICE_PHASES", "turns,concurrency").split(","))
AEC_WARMUP_S = 3.5  # livekit-agents ignores the caller this long after the agent first speaks
REPLY_TIMEOUT_S = 8.0
KEY = "sk-bench-0123456789"
POOL_TOKEN = "bench-pool-token-0123456789"
BARE_NAME = "bench-bare"
WORKSPACE, AGENT = "bench", "support"


@dataclass
class CallFigures:
    setup_ms: float | None = None
    joined_ms: float | None = None
    turns_ms: list[float] = field(default_factory=list)
    missed: int = 0


async def one_call(
    stack: LiveKitStack, dispatch_name: str, speech: np.ndarray, turns: int
) -> CallFigures:
    figures = CallFigures()
    room = f"bench-{uuid.uuid4().hex[:10]}"
    created = time.perf_counter()
    await create_dispatched_room(stack, room, WORKSPACE, AGENT, dispatch_name)
    caller = await WebCaller.join(stack.url, caller_token(stack, room))
    try:
        greeting = await caller.agent_speech_after(0.0, within=30)
        figures.setup_ms = (greeting.started_at - created) * 1000
        if caller.heard.agent_joined_at is not None:
            figures.joined_ms = (caller.heard.agent_joined_at - created) * 1000
        await caller.agent_quiet(within=10)
        await asyncio.sleep(AEC_WARMUP_S)
        for _ in range(turns):
            ended = await caller.say(speech)
            try:
                reply = await caller.agent_speech_after(ended, within=REPLY_TIMEOUT_S)
            except TimeoutError:
                figures.missed += 1
                continue
            figures.turns_ms.append((reply.started_at - ended) * 1000)
            await caller.agent_quiet(within=10)
            await asyncio.sleep(0.3)
    finally:
        await caller.leave()
        keys = stack.keys
        async with lkapi.LiveKitAPI(stack.http_url, keys.api_key, keys.api_secret) as lk:
            await lk.room.delete_room(lkapi.DeleteRoomRequest(room=room))
    return figures


def uptime() -> str:
    """The load averages (1, 5, 15 min) as `uptime` prints them."""
    return ", ".join(f"{load:.2f}" for load in os.getloadavg())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
    }


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and its descendants, running or ended (the bare worker's job
    processes are forked by multiprocessing's forkserver and exit after their call: their
    time lands in the forkserver's children times)."""
    try:
        process = psutil.Process(pid)
        total = 0.0
        for member in (process, *process.children(recursive=True)):
            times = member.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
        return total
    except psutil.NoSuchProcess:
        return 0.0


def busy_seconds(times: Any) -> float:
    """The machine's CPU seconds spent on anything but idling, from ``psutil.cpu_times()``."""
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


@dataclass
class Meter:
    """CPU seconds of named processes (and this one) over a phase."""

    pids: dict[str, int]
    spent: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def phase(self) -> Iterator[dict[str, float]]:
        before = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        own, wall = time.process_time(), time.perf_counter()
        machine = psutil.cpu_times()
        result: dict[str, float] = {}
        yield result
        for name, pid in self.pids.items():
            result[f"{name}_cpu_s"] = round(cpu_seconds(pid) - before[name], 2)
        result["callers_cpu_s"] = round(time.process_time() - own, 2)
        wall_s = time.perf_counter() - wall
        result["wall_s"] = round(wall_s, 1)
        # Every process on the machine (other engineers' too): how close to saturated it was.
        after = psutil.cpu_times()
        busy = busy_seconds(after) - busy_seconds(machine)
        cores = os.cpu_count() or 1
        result["machine_busy_cores"] = round(busy / wall_s, 2)
        result["machine_busy_share"] = round(busy / (wall_s * cores), 3)
        result["load_average"] = uptime()


async def alternating_turns(
    stack: LiveKitStack, speech: np.ndarray, meter: Meter
) -> dict[str, Any]:
    calls: dict[str, list[CallFigures]] = {"bare": [], "platform": []}
    names = {"bare": BARE_NAME, "platform": STANDARD_DISPATCH_NAME}
    for kind in ("bare", "platform"):  # warm-up calls: not counted
        await one_call(stack, names[kind], speech, 1)
    with meter.phase() as cpu:
        for block in range(max(1, TURNS // BLOCK)):
            order = ("bare", "platform") if block % 2 == 0 else ("platform", "bare")
            for kind in order:
                calls[kind].append(await one_call(stack, names[kind], speech, BLOCK))
    figures: dict[str, Any] = {"cpu": cpu}
    for kind, made in calls.items():
        figures[kind] = {
            "turns": summary([t for c in made for t in c.turns_ms]),
            "missed_replies": sum(c.missed for c in made),
            "setup": summary([c.setup_ms for c in made if c.setup_ms is not None]),
            "agent_joined": summary([c.joined_ms for c in made if c.joined_ms is not None]),
            "raw_turns_ms": [round(t, 1) for c in made for t in c.turns_ms],
        }
    bare, platform = figures["bare"]["turns"], figures["platform"]["turns"]
    if bare.get("n") and platform.get("n"):
        figures["ratio_p50"] = round(platform["p50_ms"] / bare["p50_ms"], 4)
        figures["ratio_p95"] = round(platform["p95_ms"] / bare["p95_ms"], 4)
    for kind in ("bare", "platform"):
        made = calls[kind]
        turns_done = sum(len(c.turns_ms) for c in made) or 1
        # Each call: its greeting and BLOCK turns; the worker's CPU covers both.
        figures[f"{kind}_worker_cpu_ms_per_turn"] = round(cpu[f"{kind}_cpu_s"] * 1000 / turns_done)
        figures[f"{kind}_worker_cpu_ms_per_call"] = round(
            cpu[f"{kind}_cpu_s"] * 1000 / (len(made) or 1)
        )
    return figures


@dataclass
class Level:
    """One concurrency level: its calls held together over the same window."""

    calls: int
    turns_ms: list[float] = field(default_factory=list)
    missed: int = 0
    failed: list[str] = field(default_factory=list)
    held_s: float = 0.0


async def held_call(
    stack: LiveKitStack,
    speech: np.ndarray,
    level: Level,
    index: int,
    ready: asyncio.Barrier,
    window: asyncio.Event,
) -> None:
    """One call of a level: join (staggered), hear the greeting, wait for the level's other
    calls, then take turns until the window closes. Turns start at random offsets so the
    calls do not speak in step."""
    rng = random.Random(index)
    await asyncio.sleep(0.4 * index)
    room = f"conc-{uuid.uuid4().hex[:10]}"
    await create_dispatched_room(stack, room, WORKSPACE, AGENT, STANDARD_DISPATCH_NAME)
    caller = await WebCaller.join(stack.url, caller_token(stack, room))
    joined = False
    try:
        await caller.agent_speech_after(0.0, within=30)
        await caller.agent_quiet(within=10)
        await asyncio.sleep(AEC_WARMUP_S)
        joined = True
        await ready.wait()
        held_from = time.perf_counter()
        await asyncio.sleep(rng.uniform(0, 1.5))
        while not window.is_set():
            ended = await caller.say(speech)
            try:
                reply = await caller.agent_speech_after(ended, within=REPLY_TIMEOUT_S)
            except TimeoutError:
                level.missed += 1
                continue
            level.turns_ms.append((reply.started_at - ended) * 1000)
            await caller.agent_quiet(within=10)
            await asyncio.sleep(rng.uniform(0.3, 1.0))
        level.held_s += time.perf_counter() - held_from
    except (TimeoutError, rtc.ConnectError) as error:
        # No greeting, or a caller that could not join: the level fails, the run goes on.
        level.failed.append(repr(error))
        if not joined:
            await ready.wait()  # the others do not wait for a call that never got going
    finally:
        await caller.leave()
        keys = stack.keys
        async with lkapi.LiveKitAPI(stack.http_url, keys.api_key, keys.api_secret) as lk:
            await lk.room.delete_room(lkapi.DeleteRoomRequest(room=room))


async def run_level(
    stack: LiveKitStack, speech: np.ndarray, meter: Meter, calls: int, window_s: float
) -> tuple[Level, dict[str, float]]:
    """``calls`` simultaneous calls; CPU is measured over the window they are all held."""
    level = Level(calls)
    ready = asyncio.Barrier(calls + 1)
    window = asyncio.Event()
    tasks = [
        asyncio.create_task(held_call(stack, speech, level, i, ready, window)) for i in range(calls)
    ]
    await ready.wait()
    with meter.phase() as cpu:
        await asyncio.sleep(window_s)
        window.set()
        # The turns under way finish inside the phase: their CPU belongs to the window.
        await asyncio.gather(*tasks)
    return level, cpu


async def concurrency(stack: LiveKitStack, speech: np.ndarray, meter: Meter) -> dict[str, Any]:
    """Levels of simultaneous calls on the platform worker, from one call up, each held for
    the same window of continuous turns, until the p95 turn latency is 20 % above the single
    call's (or a reply goes missing). The single call's window is longer: its p95 is the
    yardstick."""
    rows: list[dict[str, Any]] = []
    baseline: float | None = None
    cores = os.cpu_count() or 1
    for calls in LEVELS:
        window_s = BASELINE_WINDOW_S if calls == 1 else LEVEL_WINDOW_S
        level, cpu = await run_level(stack, speech, meter, calls, window_s)
        call_seconds = level.held_s or 1.0
        row: dict[str, Any] = {
            "calls": calls,
            **summary(level.turns_ms),
            "missed_replies": level.missed,
            "failed_calls": level.failed,
            **cpu,
            "call_seconds": round(level.held_s, 1),
            # Cores each part kept busy over the window (CPU seconds / wall seconds).
            **{
                f"{name}_cores": round(cpu[f"{name}_cpu_s"] / cpu["wall_s"], 2)
                for name in ("platform", "livekit_server", "callers")
            },
            # CPU seconds per second of a held call: the share of a core one call takes.
            **{
                f"{name}_cpu_per_call_second": round(cpu[f"{name}_cpu_s"] / call_seconds, 4)
                for name in ("platform", "livekit_server", "callers")
            },
        }
        rows.append(row)
        print(f"  {calls} simultaneous calls: {row}", flush=True)
        if not level.turns_ms:
            break
        if baseline is None:
            baseline = row["p95_ms"]
            continue
        if row["p95_ms"] > 1.2 * baseline or level.missed or level.failed:
            break
    within = [
        r["calls"]
        for r in rows
        if r.get("n")
        and not r["missed_replies"]
        and not r["failed_calls"]
        and r["p95_ms"] <= 1.2 * (baseline or 0)
    ]
    best = max(within, default=0)
    measured = [r for r in rows if r.get("n")]
    # The worker's CPU per call-second at the highest level measured; its inverse is the calls
    # one core carries by CPU alone (the callers and livekit-server run on the same cores here,
    # so the latency-bound figure is lower than a worker-only host would give).
    worker_share = measured[-1]["platform_cpu_per_call_second"] if measured else None
    best_row = next((r for r in rows if r["calls"] == best), None)
    worker_cores = best_row["platform_cores"] if best_row else None
    return {
        "levels": rows,
        "single_call_p95_ms": baseline,
        "max_calls_within_20_percent": best,
        # The level reached over the machine's cores (worker, callers and livekit-server share
        # them), and over the cores the worker itself kept busy at that level.
        "calls_per_core": round(best / cores, 2),
        "calls_per_machine_core": round(best / cores, 2),
        "worker_cores_at_best": worker_cores,
        "calls_per_worker_core": round(best / worker_cores, 1) if worker_cores else None,
        "reached_last_level": bool(rows) and rows[-1]["calls"] == LEVELS[-1] and best == LEVELS[-1],
        "worker_cpu_per_call_second": worker_share,
        "calls_per_core_by_worker_cpu": round(1 / worker_share, 1) if worker_share else None,
        "limit": limit(rows, best, cores),
    }


def limit(rows: list[dict[str, Any]], best: int, cores: int) -> str:
    """What stopped the levels, in figures: the first level past ``best`` and how busy the
    machine and each part were there."""
    past = next((r for r in rows if r["calls"] > best), None)
    if past is None:
        return "no level failed: the highest level tried was within +20 %"
    parts = (
        f"worker {past['platform_cores']}, callers {past['callers_cores']}, "
        f"livekit-server {past['livekit_server_cores']} cores"
    )
    ours = past["platform_cores"] + past["callers_cores"] + past["livekit_server_cores"]
    machine = (
        f"machine {past['machine_busy_cores']} of {cores} cores busy "
        f"({past['machine_busy_share']:.0%}), load {past['load_average']}"
    )
    if past["machine_busy_share"] >= 0.9:
        who = "the callers" if past["callers_cores"] >= past["platform_cores"] else "the worker"
        return (
            f"at {past['calls']} calls the machine was saturated ({machine}; of it the bench's "
            f"own {ours:.2f}: {parts}; {who} the largest share of ours)"
        )
    if past["platform_cores"] >= 0.9:
        return f"at {past['calls']} calls the worker held one core ({parts}; {machine})"
    return f"at {past['calls']} calls: {parts}; {machine}"


def runtime_config(openai_url: str) -> RuntimeConfig:
    spec = agent_spec(openai_url)
    return RuntimeConfig(
        workspace=WORKSPACE,
        agent=AGENT,
        generation=1,
        dispatch_name=STANDARD_DISPATCH_NAME,
        spec=VoiceAgentSpec.model_validate(spec),
        keys={Provider.OPENAI: KEY},
    )


def start_bare_worker(
    stack: LiveKitStack,
    openai_url: str,
    log_file: Path,
    extra_env: dict[str, str] | None = None,
) -> ManagedProcess:
    env = {
        **os.environ,
        "LIVEKIT_URL": stack.url,
        "LIVEKIT_API_KEY": stack.keys.api_key,
        "LIVEKIT_API_SECRET": stack.keys.api_secret,
        "BARE_AGENT_NAME": BARE_NAME,
        "BARE_OPENAI_URL": openai_url,
        "BARE_OPENAI_KEY": KEY,
        "BARE_HEALTH_PORT": str(free_port()),
        **(extra_env or {}),
    }
    argv = [sys.executable, "-m", "tests.bench.bare_worker", "start"]
    process = ManagedProcess("bare-worker", argv, log_file=log_file, env=env).start()

    def registered() -> bool:
        return "registered worker" in log_file.read_text(errors="replace")

    process.wait_ready(registered, within=120, what="registered with LiveKit")
    return process


async def measure(
    stack: LiveKitStack, speech: np.ndarray, pids: Callable[[], dict[str, int]]
) -> dict[str, Any]:
    meter = Meter(pids())
    print(f"load average at the start: {uptime()} on {os.cpu_count()} cores", flush=True)
    results: dict[str, Any] = {}
    if "turns" in PHASES:
        print(f"voice to voice: {TURNS} turns per worker, alternating in calls of {BLOCK}")
        turns = await alternating_turns(stack, speech, meter)
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.with_suffix(".turns.json").write_text(json.dumps(turns, indent=2) + "\n")
        print(f"turn figures: {json.dumps({k: v for k, v in turns.items() if k != 'bare'})}")
        results["turns"] = turns
    if "concurrency" in PHASES:
        print(
            f"concurrency on one platform worker: levels {LEVELS}, {LEVEL_WINDOW_S:.0f} s of "
            f"turns each ({BASELINE_WINDOW_S:.0f} s for the single call)",
            flush=True,
        )
        await one_call(stack, STANDARD_DISPATCH_NAME, speech, 1)  # warm-up, not counted
        results["concurrency"] = await concurrency(stack, speech, meter)
    return results


def main() -> None:
    openai_double = OpenAIDouble(
        api_key=KEY,
        transcripts=[CALLER_SAYS],
        rules=[ChatRule(match="order", text=AGENT_ANSWERS)],
        chat_delay=0.15,
        transcription_delay=0.1,
        speech_delay=0.08,
        speech_seconds=0.8,
        speech_tone_hz=440.0,
    )
    api_double = ArkenosAPIDouble(tokens={POOL_TOKEN: POOL})
    # The servers' and workers' logs stay for reading after the run.
    folder = Path(tempfile.mkdtemp(prefix="bench-voice-rtc-"))
    print(f"logs in {folder}", flush=True)
    with (
        serve_aiohttp(openai_double.app()) as openai_served,
        serve_aiohttp(api_double.app()) as api_served,
        LiveKitStack(folder / "livekit", with_sip=False) as stack,
    ):
        openai_url = openai_served.url + "/v1"
        api_double.configs[(WORKSPACE, AGENT)] = runtime_config(openai_url)
        token_file = folder / "token"
        token_file.write_text(POOL_TOKEN)
        speech = read_wav(espeak_wav(CALLER_SAYS, folder / "caller.wav"))
        # Sessions up to the highest level tried (the worker refuses jobs past max_sessions).
        sessions = {"ARKENOS_MAX_SESSIONS": str(max(25, 2 * max(LEVELS)))}
        platform: WorkerProcess = start_worker(
            stack, api_served.url, token_file, folder / "platform-worker.log", sessions
        )
        bare = start_bare_worker(stack, openai_url, folder / "bare-worker.log")
        server = next(p for p in stack.processes if p.name == "livekit-server")

        def pids() -> dict[str, int]:
            found = {"platform": platform.process, "bare": bare, "livekit_server": server}
            return {name: p.process.pid for name, p in found.items() if p.process is not None}

        try:
            results = asyncio.run(measure(stack, speech, pids))
        finally:
            platform.stop()
            bare.stop()
    results["machine"] = {
        "cpus": os.cpu_count(),
        "load_average_at_end": uptime(),
        "shared": "other engineers' builds and test suites ran on the same cores (8 helpers on "
        "2 cores when measured): wall-clock figures are noisy, CPU per turn/call steadier",
    }
    results["doubles"] = {
        "chat_delay_s": 0.15,
        "transcription_delay_s": 0.1,
        "speech_delay_s": 0.08,
    }
    results["targets"] = {"ratio": 1.01, "setup_p95_ms": 1000, "calls_per_core": 12}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    report(results)


def report(results: dict[str, Any]) -> None:
    if "turns" in results:
        report_turns(results["turns"])
    if "concurrency" in results:
        report_concurrency(results["concurrency"])
    print(f"  load average at the end: {results['machine']['load_average_at_end']}")
    print(
        "  the machine is shared (other builds and tests on the same cores): wall-clock "
        "latencies are noisy; read them next to the CPU figures and the load"
    )
    print(f"wrote {RESULTS}")


def report_turns(turns: dict[str, Any]) -> None:
    for kind in ("bare", "platform"):
        figures = turns[kind]
        print(
            f"  {kind:8} turns {figures['turns']}, missed {figures['missed_replies']}; "
            f"setup {figures['setup']}; agent joined {figures['agent_joined']}"
        )
    print(
        f"  ratio p50 {turns.get('ratio_p50')}, p95 {turns.get('ratio_p95')} (target <= 1.01); "
        f"CPU {turns['cpu']}"
    )
    for kind in ("bare", "platform"):
        print(
            f"  {kind:8} worker CPU: {turns[f'{kind}_worker_cpu_ms_per_turn']} ms per turn, "
            f"{turns[f'{kind}_worker_cpu_ms_per_call']} ms per call (greeting + {BLOCK} turns)"
        )


def report_concurrency(conc: dict[str, Any]) -> None:
    print(
        f"  concurrency: {conc['max_calls_within_20_percent']} calls within +20 % of the "
        f"single-call p95 ({conc['single_call_p95_ms']} ms): {conc['calls_per_core']} per core"
        + (" (the highest level tried: more may fit)" if conc["reached_last_level"] else "")
    )
    print(
        f"  calls per core: {conc['calls_per_machine_core']} over the machine's cores, "
        f"{conc['calls_per_worker_core']} over the {conc['worker_cores_at_best']} cores the "
        "worker used at that level"
    )
    print(
        f"  worker CPU per call-second {conc['worker_cpu_per_call_second']}: "
        f"{conc['calls_per_core_by_worker_cpu']} calls per core by the worker's CPU alone"
    )
    for row in conc["levels"]:
        print(
            f"  {row['calls']:3} calls: p95 {row.get('p95_ms')} ms; CPU per call-second worker "
            f"{row['platform_cpu_per_call_second']}, callers {row['callers_cpu_per_call_second']}"
            f", livekit-server {row['livekit_server_cpu_per_call_second']}; machine "
            f"{row['machine_busy_share']:.0%} busy, load {row['load_average']}"
        )
    print(f"  limit: {conc['limit']}")


if __name__ == "__main__":
    main()
