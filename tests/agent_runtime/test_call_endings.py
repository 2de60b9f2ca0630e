"""How calls end, in a real WorkerHost in this process (LiveKit /agent double, API double):
a call the drain timeout cuts off still has its held reports flushed and ends as Drained; a
call that reaches the spec's maximum duration is ended and reported as Timeout.

The job function is the standard worker's own supervision (``supervise_call``: reporting and
the duration timer) around an AgentSession that never joins a room: the LiveKit double serves
the worker protocol, not media, and the endings under test do not need the media path.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from livekit.agents import AgentSession, JobContext

from arkenos_agent_runtime.services import CallParties, CallServices
from arkenos_agent_runtime.standard.call import supervise_call
from arkenos_agent_runtime.tools.context import CallData
from arkenos_crds.runtime import (
    CallDirection,
    EndReason,
    RuntimeConfig,
    SpeakerRole,
    TranscriptSegment,
)
from tests.agent_runtime.conftest import (
    JobFunction,
    RecordingTelephony,
    StartHost,
    dispatch,
    now_check,
)
from tests.doubles.arkenos_api import ArkenosAPIDouble, Fault, StoredSession
from tests.doubles.livekit_worker import LiveKitWorkerDouble
from tests.doubles.server import ServedApp
from tests.substrate.waiting import eventually

PARTIES = CallParties(CallDirection.INBOUND, "+15550001111", "+15550002222", None)
LAST_WORDS = ("I need to reschedule", "Thursday works", "thanks, bye")


def call_job(config: RuntimeConfig, last_words: tuple[str, ...] = ()) -> JobFunction:
    """The job: a supervised session; ``last_words`` are transcripts the reporter holds."""

    async def job(ctx: JobContext, services: CallServices) -> None:
        call = CallData(
            config=config,
            room=ctx.room.name,
            sip_participant=None,
            telephony=RecordingTelephony(),
            guard=services.guard,
            http=services.http,
        )
        session = AgentSession[CallData](userdata=call)
        reporter = supervise_call(ctx, services, session, call, PARTIES, time.time())
        for text in last_words:
            started = datetime.now(UTC)
            segment = TranscriptSegment(
                seq=reporter.next_seq(), role=SpeakerRole.USER, text=text, started_at=started
            )
            reporter.add(segment)

    return job


async def test_a_call_cut_off_by_the_drain_timeout_flushes_its_reports_and_ends_drained(
    run_host: StartHost,
    livekit: tuple[LiveKitWorkerDouble, ServedApp],
    api_double: ArkenosAPIDouble,
    make_config: Callable[..., RuntimeConfig],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The first events batch hangs past the drain timeout, then fails: at the moment the
    # drain gives up on the call, the reporter still holds every transcript.
    api_double.faults.append(Fault("/internal/v1/sessions/", count=1, delay=2.5))
    host, running = await run_host(
        call_job(make_config(), LAST_WORDS), ARKENOS_DRAIN_TIMEOUT_SECONDS="1"
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
) -> None:
    config = make_config()
    # The CRD's minimum is 30 s; the timer reads the field, so a copy without validation
    # gives the same code path a 1 s limit.
    short = config.spec.model_copy(update={"max_call_duration_seconds": 1})
    host, running = await run_host(call_job(config.model_copy(update={"spec": short})))
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
