"""Offers that reach the worker at the same instant are counted in sessions: a worker with
no call says yes to as many as it has sessions for, however few runners it keeps warm
(livekit's own estimate refused all but the first ``idle_processes`` of them), and no more."""

from __future__ import annotations

import asyncio

from tests.agent_runtime.conftest import StartHost, held_calls, now_check, offer
from tests.doubles.livekit_worker import LiveKitWorkerDouble
from tests.doubles.server import ServedApp
from tests.substrate.waiting import eventually


async def test_a_burst_of_offers_is_accepted_up_to_the_sessions_and_no_further(
    run_host: StartHost, livekit: tuple[LiveKitWorkerDouble, ServedApp]
) -> None:
    started: list[str] = []
    host, running = await run_host(
        held_calls(started),
        ARKENOS_MAX_SESSIONS="3",
        ARKENOS_IDLE_PROCESSES="1",
        ARKENOS_DRAIN_TIMEOUT_SECONDS="1",
    )
    rooms = [f"call-{n}" for n in range(4)]
    answers = await asyncio.gather(*(offer(livekit, room) for room in rooms))

    assert sorted(answers) == [False, True, True, True]
    accepted = {room for room, yes in zip(rooms, answers, strict=True) if yes}
    await eventually(
        now_check(lambda: set(started) == accepted or None), within=30, what="3 calls started"
    )
    # Full: an offer now is refused, as it would be on a worker running its 3 calls.
    assert not await offer(livekit, "call-late")
    host.request_stop()
    await asyncio.wait_for(running, 30)
