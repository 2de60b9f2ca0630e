"""How calls end, in a real WorkerHost in this process (LiveKit /agent double, API double):
a call the drain timeout cuts off still has its held reports flushed and ends as Drained; a
call that reaches the spec's maximum duration is ended and reported as Timeout; a call's
telephony hangs up through the API, for the session the call's reporter registered.

Each scenario runs once per entry point (standard and custom): the job is the entry point's own
step after the room is joined and the config fetched, so its session, built from the config,
runs under the shared supervision (reporting and the duration timer). The session joins no
room: the LiveKit double serves the worker protocol, not media, and the endings under test do
not need the media path.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from livekit.agents import Agent, AgentSession, ChatMessage, ConversationItemAddedEvent, JobContext

from arkenos_agent_runtime.call.setup import CallStart
from arkenos_agent_runtime.custom.context import AgentContext
from arkenos_agent_runtime.custom.runner import start_custom_session
from arkenos_agent_runtime.services import CallParties, CallServices
from arkenos_agent_runtime.standard.call import start_standard_session
from arkenos_crds.runtime import (
    CallDirection,
    DispatchMetadata,
    EndReason,
    RuntimeConfig,
)
from tests.agent_runtime.conftest import (
    JobFunction,
    StartHost,
    dispatch,
    now_check,
)
from tests.doubles.arkenos_api import ArkenosAPIDouble, Fault, StoredSession
from tests.doubles.livekit_worker import LiveKitWorkerDouble
from tests.doubles.server import ServedApp
from tests.substrate.waiting import eventually

PARTIES = CallParties(CallDirection.INBOUND, "+15550001111", "+15550002222", None)
METADATA = DispatchMetadata(workspace="acme", agent="support", direction=CallDirection.INBOUND)
LAST_WORDS = ("I need to reschedule", "Thursday works", "thanks, bye")
EntryPoint = Callable[[JobContext, CallServices, CallStart], Awaitable[None]]


async def custom_entrypoint(ctx: AgentContext) -> None:
    """User code as the starter template writes it."""
    await ctx.start(ctx.build_session(), Agent(instructions="You are the night desk."))


async def _custom(job: JobContext, services: CallServices, start: CallStart) -> None:
    await start_custom_session(job, services, start, custom_entrypoint)


#: Each entry point's own step after the room is joined and the config fetched.
ENTRY_POINTS: dict[str, EntryPoint] = {"standard": start_standard_session, "custom": _custom}


@pytest.fixture(params=sorted(ENTRY_POINTS))
def entry_point(request: pytest.FixtureRequest) -> EntryPoint:
    return ENTRY_POINTS[request.param]


@pytest.fixture
def spoken(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the caller says once the session starts. The LiveKit double serves the worker
    protocol, not media, so a started session joins no room: it hears these words instead."""
    words: list[str] = []

    async def start_without_media(self: AgentSession[Any], *_: Any, **__: Any) -> None:
        for text in words:
            item = ChatMessage(role="user", content=[text])
            self.emit("conversation_item_added", ConversationItemAddedEvent(item=item))

    monkeypatch.setattr(AgentSession, "start", start_without_media)
    return words


def call_job(entry_point: EntryPoint, config: RuntimeConfig) -> JobFunction:
    """The job: the entry point's session under the shared supervision."""

    async def job(ctx: JobContext, services: CallServices) -> None:
        await entry_point(ctx, services, CallStart(config, METADATA, PARTIES, time.time()))

    return job


async def test_a_call_cut_off_by_the_drain_timeout_flushes_its_reports_and_ends_drained(
    run_host: StartHost,
    livekit: tuple[LiveKitWorkerDouble, ServedApp],
    api_double: ArkenosAPIDouble,
    make_config: Callable[..., RuntimeConfig],
    caplog: pytest.LogCaptureFixture,
    entry_point: EntryPoint,
    spoken: list[str],
) -> None:
    # The first events batch hangs past the drain timeout, then fails: at the moment the
    # drain gives up on the call, the reporter still holds every transcript.
    api_double.faults.append(Fault("/internal/v1/sessions/", count=1, delay=2.5))
    spoken.extend(LAST_WORDS)
    host, running = await run_host(
        call_job(entry_point, make_config()), ARKENOS_DRAIN_TIMEOUT_SECONDS="1"
    )
    await dispatch(livekit, "call-drained")
    await eventually(
        now_check(lambda: any(r.endswith("/events") for r in api_double.requests)),
        within=15,
        what="the first events batch",
    )
    ((session_id, session),) = api_double.sessions.items()
    assert session.events == {}

    with caplog.at_level(logging.INFO, logger="arkenos"):
        host.request_stop()
        await asyncio.wait_for(running, 30)

    assert "drain timeout reached; ending the remaining calls" in caplog.messages
    assert [e["text"] for e in api_double.events(session_id)] == list(LAST_WORDS)
    assert session.end is not None
    assert session.end.reason == EndReason.DRAINED
    report = next(r for r in caplog.records if r.getMessage().startswith("session report"))
    assert "3 sent" in report.getMessage()
    assert "0 unsent" in report.getMessage()


async def test_a_call_is_ended_at_its_maximum_duration_and_reported_as_timeout(
    run_host: StartHost,
    livekit: tuple[LiveKitWorkerDouble, ServedApp],
    api_double: ArkenosAPIDouble,
    make_config: Callable[..., RuntimeConfig],
    entry_point: EntryPoint,
    spoken: list[str],
) -> None:
    config = make_config()
    # The CRD's minimum is 30 s; the timer reads the field, so a copy without validation
    # gives the same code path a 1 s limit.
    short = config.spec.model_copy(update={"max_call_duration_seconds": 1})
    host, running = await run_host(call_job(entry_point, config.model_copy(update={"spec": short})))
    dispatched = time.monotonic()
    await dispatch(livekit, "call-too-long")

    def ended() -> StoredSession | None:
        sessions = list(api_double.sessions.values())
        return sessions[0] if sessions and sessions[0].end is not None else None

    session = await eventually(now_check(ended), within=15, what="the session's end")
    assert session.end is not None
    assert session.end.reason == EndReason.TIMEOUT
    assert time.monotonic() - dispatched >= 1
    await eventually(
        now_check(lambda: not host.server.active_jobs), within=10, what="the job's end"
    )
    host.request_stop()
    await asyncio.wait_for(running, 30)


async def test_a_calls_telephony_hangs_up_its_registered_session_through_the_api(
    run_host: StartHost,
    livekit: tuple[LiveKitWorkerDouble, ServedApp],
    api_double: ArkenosAPIDouble,
    make_config: Callable[..., RuntimeConfig],
    entry_point: EntryPoint,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hung_up: list[bool] = []

    async def start_and_hang_up(self: AgentSession[Any], *_: Any, **__: Any) -> None:
        # What end_call does once the goodbye is played: the call's own telephony, as the
        # entry point wired it (no LiveKit server credential in the worker).
        await self.userdata.telephony.hang_up()
        hung_up.append(True)

    monkeypatch.setattr(AgentSession, "start", start_and_hang_up)
    config = make_config()
    short = config.spec.model_copy(update={"max_call_duration_seconds": 1})
    host, running = await run_host(call_job(entry_point, config.model_copy(update={"spec": short})))
    await dispatch(livekit, "call-hung-up")

    await eventually(now_check(lambda: hung_up or None), within=15, what="the hang-up")
    ((_, session),) = api_double.sessions.items()
    assert session.hang_ups == 1
    assert session.start.room == "call-hung-up"
    host.request_stop()
    await asyncio.wait_for(running, 30)
