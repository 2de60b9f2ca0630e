"""The worker routes livekit's events from its first job on, not from its start: a worker
registered and waiting has not installed the routing (which starts livekit's native runtime),
and two jobs starting together install it once. That a worker process without calls never
starts the runtime, and exits 0, is checked in test_worker_protocol."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from livekit.agents import JobContext

from arkenos_agent_runtime import ffi_routing
from arkenos_agent_runtime.ffi_routing import RoutedFfiQueue
from arkenos_agent_runtime.services import CallServices
from tests.agent_runtime.conftest import StartHost, now_check, offer
from tests.doubles.livekit_worker import LiveKitWorkerDouble
from tests.doubles.server import ServedApp
from tests.substrate.waiting import eventually


def held_calls(started: list[str]) -> Callable[[JobContext, CallServices], Awaitable[None]]:
    """Calls that last until the worker shuts them down; each puts its room in ``started``."""

    async def held_call(ctx: JobContext, services: CallServices) -> None:
        ended = asyncio.Event()

        async def end(_: str) -> None:
            ended.set()

        ctx.add_shutdown_callback(end)
        started.append(ctx.job.room.name)
        await ended.wait()

    return held_call


async def test_the_routing_is_installed_by_the_first_jobs_once(
    run_host: StartHost,
    livekit: tuple[LiveKitWorkerDouble, ServedApp],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    installs: list[RoutedFfiQueue] = []
    route = ffi_routing.route_ffi_events

    def counted() -> RoutedFfiQueue:
        installs.append(route())
        return installs[-1]

    monkeypatch.setattr(ffi_routing, "route_ffi_events", counted)
    started: list[str] = []
    host, running = await run_host(
        held_calls(started), ARKENOS_MAX_SESSIONS="2", ARKENOS_DRAIN_TIMEOUT_SECONDS="1"
    )
    assert not host.ffi_routing.installed
    assert installs == []

    # Offered one after the other (two offers at the same instant were not both accepted
    # here); the second job starts while the first runs. Threads installing at the same
    # instant are tested on FirstJobRouting itself (test_ffi_routing).
    assert await offer(livekit, "call-1")
    assert await offer(livekit, "call-2")
    await eventually(
        now_check(lambda: len(started) == 2 or None), within=20, what="2 calls started"
    )

    assert host.ffi_routing.installed
    assert len(installs) == 1
    host.request_stop()
    await asyncio.wait_for(running, 30)
