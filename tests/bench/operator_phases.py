"""The phases of the operator benchmark, shared by the emulated run (bench_operator) and the
real-control-plane run (operator_realk8s): each bounded in time, with progress printed every
few seconds, and the operator process's CPU measured from /proc for each.

- create: the agents are applied in steps (at a steady rate, or as fast as the API takes
  them), until every one is Ready or the phase's time is up: apply→Ready p50/p95/p99 and the
  operator's CPU from the first apply until all are Ready, per agent;
- idle: nothing changes for one resync interval (the custom agents' sweep scales and resyncs
  them, the pool's scaler ticks): the operator's CPU per agent over that interval; the create
  figure is also given net of this idle rate over its wall time (the sweep and the pool's
  timer run during create, and on a loaded machine create lasts long);
- delete: every agent is deleted, until all are gone and the operator has gone back to its
  idle CPU rate (it handles the DELETED events after the objects are gone): CPU per agent.

A phase that runs out of time says how far it got and the run goes on: the figures are for
reading, not a pass/fail assertion. The machine's load average is printed with every phase,
as CPU seconds per agent are the figure to trust on a shared machine and wall clock is not.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from arkenos_operator.kube import VOICE_AGENTS

Body = dict[str, Any]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROGRESS_EVERY_S = 5.0
#: How many agents one step applies or deletes before the progress line.
STEP = 100
#: Concurrent requests of the benchmark's client.
CONCURRENCY = 64
#: The delete phase ends when the operator's CPU over a second falls back to this multiple of
#: its idle rate (plus a floor), at most this long after the last agent is gone.
SETTLE_FACTOR, SETTLE_FLOOR_S, SETTLE_CAP_S = 1.5, 0.02, 20.0
NO_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_read=None)


def load() -> str:
    """The 1, 5 and 15 minute load averages."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds a live process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return round(peak_kb / 1024, 1)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def key_of(obj: Body) -> str:
    return f"{obj['metadata']['namespace']}/{obj['metadata']['name']}"


def is_ready(obj: Body) -> bool:
    conditions = (obj.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


@dataclass
class Tracker:
    """What a watch of every VoiceAgent saw: when each became Ready and when each was gone."""

    ready_at: dict[str, float] = field(default_factory=dict)
    gone_at: dict[str, float] = field(default_factory=dict)
    resource_version: str | None = None
    #: With BENCH_TIMELINE=<file> (for tuning): each agent's watch events, when and what
    #: each changed, written to the file at the end of the run.
    timeline: dict[str, list[Body]] | None = field(
        default_factory=lambda: {} if os.environ.get("BENCH_TIMELINE") else None
    )
    _last: dict[str, Body] = field(default_factory=dict)

    async def run(self, http: aiohttp.ClientSession) -> None:
        """Watch until cancelled, resuming from the last version seen when a watch ends."""
        while True:
            params = {"watch": "true", "allowWatchBookmarks": "true"}
            if self.resource_version:
                params["resourceVersion"] = self.resource_version
            try:
                async with http.get(
                    VOICE_AGENTS.path(None), params=params, timeout=NO_TIMEOUT
                ) as response:
                    response.raise_for_status()
                    async for line in response.content:
                        if line.strip():
                            self._see(json.loads(line))
            except (aiohttp.ClientError, TimeoutError) as error:
                print(f"  (watch of the agents ended: {error!r}; watching again)", flush=True)
                await asyncio.sleep(0.5)

    def _see(self, event: Body) -> None:
        obj = event.get("object") or {}
        if event.get("type") == "ERROR":  # an expired version: start from the current state
            self.resource_version = None
            return
        self.resource_version = (obj.get("metadata") or {}).get("resourceVersion")
        if event.get("type") == "BOOKMARK":
            return
        key, now = key_of(obj), time.perf_counter()
        if self.timeline is not None:
            self._record(key, now, str(event.get("type")), obj)
        if event.get("type") == "DELETED":
            self.gone_at.setdefault(key, now)
        elif is_ready(obj):
            self.ready_at.setdefault(key, now)

    def _record(self, key: str, now: float, kind: str, obj: Body) -> None:
        """One line of the timeline: the event's time, type and the fields it changed."""
        assert self.timeline is not None
        before = self._last.get(key) or {}
        self._last[key] = obj
        changed = sorted(
            f"{part}.{name}"
            for part in ("metadata", "status", "spec")
            for name in set(obj.get(part) or {}) | set(before.get(part) or {})
            if name not in ("resourceVersion", "managedFields")
            and (obj.get(part) or {}).get(name) != (before.get(part) or {}).get(name)
        )
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        before_annotations = (before.get("metadata") or {}).get("annotations") or {}
        changed += sorted(
            f"annotation {a}"
            for a in set(annotations) | set(before_annotations)
            if annotations.get(a) != before_annotations.get(a)
        )
        self.timeline.setdefault(key, []).append(
            {"t": now, "type": kind, "ready": is_ready(obj), "changed": changed}
        )

    def write_timeline(self, applied_at: dict[str, float]) -> None:
        if self.timeline is None:
            return
        out = {
            key: {"applied": applied_at.get(key), "events": events}
            for key, events in self.timeline.items()
        }
        Path(os.environ["BENCH_TIMELINE"]).write_text(json.dumps(out))


AfterCreate = Callable[[Body, dict[str, float], Tracker], Awaitable[None]]


@dataclass
class Meter:
    """The operator's CPU and the wall clock from a phase's start."""

    cpu: Callable[[], float]
    started: float = field(default_factory=time.perf_counter)
    cpu_at_start: float = 0.0
    load_at_start: str = field(default_factory=load)

    def __post_init__(self) -> None:
        self.cpu_at_start = self.cpu()

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def used(self) -> float:
        return self.cpu() - self.cpu_at_start

    def figures(self, agents: int, done: int) -> Body:
        cpu, wall = self.used(), self.elapsed()
        return {
            "agents": agents,
            "done": done,
            "complete": done >= agents,
            "wall_s": round(wall, 2),
            "operator_cpu_s": round(cpu, 2),
            "operator_cpu_ms_per_agent": round(cpu * 1000 / max(agents, 1), 2),
            "operator_cpu_share_of_a_core": round(cpu / wall, 2) if wall else None,
            "load_before": self.load_at_start,
            "load_after": load(),
        }


@contextlib.asynccontextmanager
async def progress(phase: str, meter: Meter, counts: Callable[[], str]) -> Any:
    """Print a progress line every few seconds while the block runs."""

    async def report() -> None:
        while True:
            await asyncio.sleep(PROGRESS_EVERY_S)
            print(
                f"  {phase}: {counts()}, {meter.elapsed():.0f} s, operator CPU "
                f"{meter.used():.1f} s, load {load()}",
                flush=True,
            )

    task = asyncio.create_task(report())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def wait_for(condition: Callable[[], bool], until: float) -> bool:
    while not condition():
        if time.perf_counter() >= until:
            return False
        await asyncio.sleep(0.2)
    return True


async def post(http: aiohttp.ClientSession, body: Body) -> None:
    async with http.post(VOICE_AGENTS.path(body["metadata"]["namespace"]), json=body) as response:
        response.raise_for_status()


async def delete(http: aiohttp.ClientSession, key: str) -> None:
    namespace, name = key.split("/", 1)
    async with http.delete(VOICE_AGENTS.path(namespace, name)) as response:
        if response.status != 404:
            response.raise_for_status()


async def create_phase(
    http: aiohttp.ClientSession,
    tracker: Tracker,
    manifests: list[Body],
    rate: float,
    within_s: float,
    cpu: Callable[[], float],
) -> tuple[Body, dict[str, float]]:
    """Apply ``manifests`` (at ``rate`` per second, or in back-to-back steps when 0) and wait
    until each is Ready or ``within_s`` passes; figures and each agent's apply time."""
    count = len(manifests)
    applied_at: dict[str, float] = {}
    keys = {key_of(m) for m in manifests}
    limit = asyncio.Semaphore(CONCURRENCY)
    meter = Meter(cpu)

    def ready() -> int:
        return len(keys & tracker.ready_at.keys())

    async def apply(index: int, body: Body) -> None:
        if rate > 0:
            await asyncio.sleep(max(0.0, meter.started + index / rate - time.perf_counter()))
        async with limit:
            sent = time.perf_counter()
            await post(http, body)
        applied_at[key_of(body)] = sent

    until = meter.started + within_s

    def counts() -> str:
        return f"{len(applied_at)}/{count} applied, {ready()}/{count} Ready"

    numbered = list(enumerate(manifests))
    async with progress("create", meter, counts):
        for first in range(0, count, STEP):
            await asyncio.gather(*(apply(i, body) for i, body in numbered[first : first + STEP]))
        applied_s = meter.elapsed()
        await wait_for(lambda: ready() >= count, until)
    figures = meter.figures(count, ready())
    latencies = [
        (tracker.ready_at[k] - applied_at[k]) * 1000 for k in applied_at if k in tracker.ready_at
    ]
    if tracker.ready_at.keys() & keys:
        last = max(tracker.ready_at[k] for k in keys if k in tracker.ready_at)
        figures["all_ready_s" if figures["complete"] else "last_ready_s"] = round(
            last - meter.started, 2
        )
    figures |= {"apply_rate_per_s": rate or None, "apply_duration_s": round(applied_s, 2)}
    if latencies:
        figures |= {
            "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1),
            "p99_ms": round(percentile(latencies, 0.99), 1),
            "max_ms": round(max(latencies), 1),
        }
    return figures, applied_at


async def idle_phase(agents: int, seconds: float, cpu: Callable[[], float]) -> Body:
    """Nothing changes for ``seconds``: what the operator spends on its sweep and timers."""
    meter = Meter(cpu)
    async with progress("idle", meter, lambda: f"{agents} agents, nothing changing"):
        await asyncio.sleep(seconds)
    figures = meter.figures(agents, agents)
    figures["operator_cpu_s_per_s"] = round(figures["operator_cpu_s"] / seconds, 3)
    return figures


async def delete_phase(
    http: aiohttp.ClientSession,
    tracker: Tracker,
    keys: Iterable[str],
    within_s: float,
    idle_cpu_per_s: float,
    cpu: Callable[[], float],
) -> Body:
    """Delete every agent; wait until all are gone, then until the operator's CPU falls back
    to about its idle rate (it handles their DELETED events, finalizers and state after)."""
    keys = sorted(keys)
    meter = Meter(cpu)
    limit = asyncio.Semaphore(CONCURRENCY)
    sent = 0

    def gone() -> int:
        return len(tracker.gone_at.keys() & set(keys))

    async def remove(key: str) -> None:
        nonlocal sent
        async with limit:
            await delete(http, key)
        sent += 1

    def counts() -> str:
        return f"{sent}/{len(keys)} deleted, {gone()}/{len(keys)} gone"

    async with progress("delete", meter, counts):
        for first in range(0, len(keys), STEP):
            await asyncio.gather(*(remove(k) for k in keys[first : first + STEP]))
        await wait_for(lambda: gone() >= len(keys), meter.started + within_s)
        all_gone_s = meter.elapsed()
        quiet = max(idle_cpu_per_s * SETTLE_FACTOR, SETTLE_FLOOR_S)
        settle_until = time.perf_counter() + SETTLE_CAP_S
        last = cpu()
        while time.perf_counter() < settle_until:
            await asyncio.sleep(1.0)
            now = cpu()
            if now - last <= quiet:
                break
            last = now
    figures = meter.figures(len(keys), gone())
    figures |= {
        "all_gone_s": round(all_gone_s, 2),
        "settled_after_s": round(meter.elapsed() - all_gone_s, 2),
    }
    return figures


async def run_phases(
    http: aiohttp.ClientSession,
    manifests: list[Body],
    rate: float,
    within_s: float,
    idle_s: float,
    cpu: Callable[[], float],
    on_created: AfterCreate | None = None,
) -> Body:
    """create → idle → delete against one operator; figures of each phase. ``on_created``
    may add to the create phase's figures (it gets each agent's apply time and the watch)."""
    tracker = Tracker()
    watcher = asyncio.create_task(tracker.run(http))
    try:
        print(f"-- create: {len(manifests)} agents, load {load()}", flush=True)
        created, applied_at = await create_phase(http, tracker, manifests, rate, within_s, cpu)
        if on_created is not None:
            await on_created(created, applied_at, tracker)
        tracker.write_timeline(applied_at)
        print_phase("create", created)
        print(f"-- idle: {idle_s:.0f} s, load {load()}", flush=True)
        idle = await idle_phase(len(manifests), idle_s, cpu)
        print_phase("idle", idle)
        # Timers tick while the agents are created too; on a slow (shared) machine the create
        # phase lasts long enough for them to be a large part of its CPU. Net of the idle rate
        # (measured with every agent present, so it is subtracted at most in full):
        net = created["operator_cpu_s"] - idle["operator_cpu_s_per_s"] * created["wall_s"]
        created["operator_cpu_ms_per_agent_net_of_idle"] = round(
            max(net, 0.0) * 1000 / max(len(manifests), 1), 2
        )
        print(
            f"create net of the idle rate: {created['operator_cpu_ms_per_agent_net_of_idle']} "
            "ms per agent",
            flush=True,
        )
        print(f"-- delete: {len(manifests)} agents, load {load()}", flush=True)
        deleted = await delete_phase(
            http,
            tracker,
            (key_of(m) for m in manifests),
            within_s,
            idle["operator_cpu_s_per_s"],
            cpu,
        )
        print_phase("delete", deleted)
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    return {"create": created, "idle": idle, "delete": deleted}


def print_phase(name: str, figures: Body) -> None:
    done = "" if figures["complete"] else f" (INCOMPLETE: {figures['done']}/{figures['agents']})"
    line = (
        f"{name}{done}: operator CPU {figures['operator_cpu_ms_per_agent']} ms per agent "
        f"({figures['operator_cpu_s']} s CPU in {figures['wall_s']} s wall, "
        f"{figures['operator_cpu_share_of_a_core']} of a core), "
        f"load {figures['load_before']} → {figures['load_after']}"
    )
    if "p50_ms" in figures:
        line += (
            f"; apply→Ready p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
            f"p99 {figures['p99_ms']} ms"
        )
    print(line, flush=True)
