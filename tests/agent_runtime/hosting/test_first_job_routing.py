"""The worker routes livekit's events from its first job on, not from its start: a worker
registered and waiting has not installed the routing (which starts livekit's native runtime),
and two jobs starting together install it once. That a worker process without calls never
starts the runtime, and exits 0, is checked in test_worker_protocol."""

from __future__ import annotations

import asyncio

import pytest

from arkenos_agent_runtime import ffi_routing
from arkenos_agent_runtime.ffi_routing import RoutedFfiQueue
from tests.agent_runtime.conftest import StartHost, held_calls, now_check, offer
from tests.doubles.livekit_worker import LiveKitWorkerDouble
from tests.doubles.server import ServedApp
from tests.substrate.waiting import eventually


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

    # Offered at the same instant, so the two jobs start together. Threads installing at
    # exactly the same instant are tested on FirstJobRouting itself (test_ffi_routing).
    assert await asyncio.gather(offer(livekit, "call-1"), offer(livekit, "call-2")) == [True, True]
    await eventually(
        now_check(lambda: len(started) == 2 or None), within=20, what="2 calls started"
    )

    assert host.ffi_routing.installed
    assert len(installs) == 1
    host.request_stop()
    await asyncio.wait_for(running, 30)
