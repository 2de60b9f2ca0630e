"""Reporting to the API double: batches with sequence numbers, retries that stay idempotent,
a bounded buffer, and an API that is down while the conversation carries on."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from livekit.agents import AgentSession

from arkenos_agent_runtime.api_client import HTTPRuntimeAPI, TokenSource
from arkenos_agent_runtime.call.pipeline import VADCache
from arkenos_agent_runtime.call.session import build_session
from arkenos_agent_runtime.reporting.reporter import ReportingOptions, SessionReporter
from arkenos_agent_runtime.reporting.session_events import SessionObserver, usage_providers
from arkenos_agent_runtime.standard.session import build_agent
from arkenos_agent_runtime.tools.context import CallData
from arkenos_crds.runtime import (
    CallDirection,
    EndReason,
    Provider,
    RuntimeConfig,
    SessionStart,
    SpeakerRole,
    TranscriptSegment,
    UsageEvent,
    UsageMetric,
)
from tests.doubles.arkenos_api import POOL, ArkenosAPIDouble, Fault
from tests.doubles.server import serve_aiohttp

POOL_TOKEN = "pool-token-abc"
FAST = ReportingOptions(batch_size=3, flush_interval=0.05, backoff_initial=0.01, backoff_max=0.05)
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def session_start(job_id: str = "AJ_1") -> SessionStart:
    return SessionStart(
        workspace="acme",
        agent="support",
        room="room-1",
        job_id=job_id,
        direction=CallDirection.INBOUND,
        caller="+15550001111",
        callee="+15550002222",
        dispatched_at=NOW,
        started_at=NOW,
    )


@pytest.fixture
def api_double() -> ArkenosAPIDouble:
    return ArkenosAPIDouble(tokens={POOL_TOKEN: POOL, "agent-token": "acme/other"})


@pytest.fixture
async def api(api_double: ArkenosAPIDouble, tmp_path: Path) -> AsyncIterator[HTTPRuntimeAPI]:
    token_file = tmp_path / "token"
    token_file.write_text(POOL_TOKEN + "\n")
    with serve_aiohttp(api_double.app()) as served:
        client = HTTPRuntimeAPI(served.url, TokenSource(str(token_file)))
        yield client
        await client.aclose()


def transcript(reporter: SessionReporter, text: str) -> TranscriptSegment:
    return TranscriptSegment(
        seq=reporter.next_seq(), role=SpeakerRole.USER, text=text, started_at=NOW
    )


async def test_events_go_in_batches_with_sequence_numbers(
    api: HTTPRuntimeAPI, api_double: ArkenosAPIDouble
) -> None:
    reporter = SessionReporter(api, session_start(), FAST)
    reporter.start()
    for i in range(6):
        reporter.add(transcript(reporter, f"segment {i}"))
    reporter.add(
        UsageEvent(
            seq=reporter.next_seq(),
            provider=Provider.OPENAI,
            model="gpt-4o-mini",
            metric=UsageMetric.LLM_INPUT_TOKENS,
            quantity=42,
            at=NOW,
        )
    )
    counts = await reporter.close(EndReason.CALLER_HUNG_UP)

    assert reporter.session_id is not None
    stored = api_double.sessions[reporter.session_id]
    assert [e["seq"] for e in api_double.events(reporter.session_id)] == list(range(7))
    assert api_double.events(reporter.session_id)[-1]["quantity"] == 42
    assert stored.batches == 3
    assert stored.end is not None
    assert stored.end.reason == "CallerHungUp"
    assert (counts.sent, counts.duplicates, counts.unsent, counts.dropped_full) == (7, 0, 0, 0)


async def test_failed_batches_are_retried_and_stay_idempotent(
    api: HTTPRuntimeAPI, api_double: ArkenosAPIDouble
) -> None:
    # The first batch is stored but its answer is lost; the next attempt fails outright.
    api_double.faults += [
        Fault("/internal/v1/sessions/", count=1, status=502, after_store=True),
        Fault("/internal/v1/sessions/", count=1, status=500),
    ]
    reporter = SessionReporter(api, session_start(), FAST)
    reporter.start()
    for i in range(3):
        reporter.add(transcript(reporter, f"segment {i}"))
    counts = await reporter.close(EndReason.AGENT_ENDED)

    assert reporter.session_id is not None
    assert [e["text"] for e in api_double.events(reporter.session_id)] == [
        "segment 0",
        "segment 1",
        "segment 2",
    ]
    assert counts.retries == 2
    assert (counts.sent, counts.duplicates) == (0, 3)
    assert counts.failures == {"502": 1, "500": 1}
    assert api_double.sessions[reporter.session_id].batches == 2


async def test_buffer_is_bounded_and_drops_the_oldest(
    api: HTTPRuntimeAPI, api_double: ArkenosAPIDouble
) -> None:
    api_double.down = True
    options = ReportingOptions(
        buffer_size=5, batch_size=100, backoff_initial=0.01, backoff_max=0.02
    )
    reporter = SessionReporter(api, session_start(), options)
    reporter.start()
    for i in range(8):
        reporter.add(transcript(reporter, f"segment {i}"))
    api_double.down = False
    counts = await reporter.close(EndReason.CALLER_HUNG_UP)

    assert reporter.session_id is not None
    assert [e["seq"] for e in api_double.events(reporter.session_id)] == [3, 4, 5, 6, 7]
    assert counts.dropped_full == 3


async def test_a_refused_token_is_not_retried(api_double: ArkenosAPIDouble, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("agent-token")
    with serve_aiohttp(api_double.app()) as served:
        client = HTTPRuntimeAPI(served.url, TokenSource(str(token_file)))
        reporter = SessionReporter(client, session_start(), FAST)
        reporter.start()
        reporter.add(transcript(reporter, "hello"))
        counts = await reporter.close(EndReason.CALLER_HUNG_UP)
        await client.aclose()
    assert reporter.session_id is None
    assert counts.failures == {"403": 1}
    assert counts.unsent == 1


def observed_session(
    config: RuntimeConfig, call: CallData, reporter: SessionReporter
) -> AgentSession[CallData]:
    """A text-mode session of the config, reported through ``reporter`` (started)."""
    session = build_session(config, vad=VADCache().get(config.spec.turn_detection.vad), call=call)
    SessionObserver(reporter, None, usage_providers(config.spec)).attach(session)
    reporter.start()
    return session


async def test_conversation_carries_on_while_the_api_is_down(
    api: HTTPRuntimeAPI,
    api_double: ArkenosAPIDouble,
    make_config: Callable[..., RuntimeConfig],
    make_call: Callable[..., CallData],
    caplog: pytest.LogCaptureFixture,
) -> None:
    api_double.down = True
    config = make_config(greeting={"mode": "WaitForCaller"})
    reporter = SessionReporter(
        api,
        session_start(),
        ReportingOptions(backoff_initial=0.01, backoff_max=0.05, close_timeout=0.5),
    )
    session = observed_session(config, make_call(config), reporter)
    async with session:
        await session.start(build_agent(config, {}))
        for question in ("first question", "second question", "third question"):
            result = await session.run(user_input=question)
            result.expect.next_event().is_message(role="assistant")
    assert not reporter.registered.is_set()

    with caplog.at_level(logging.WARNING, logger="arkenos.reporting"):
        counts = await reporter.close(EndReason.CALLER_HUNG_UP)
    assert counts.unsent >= 6  # three questions and three answers, at least
    assert counts.failures["503"] >= 2
    assert any(
        "unsent" in r.getMessage() and "registered=False" in r.getMessage() for r in caplog.records
    )


async def test_events_reach_the_api_after_it_comes_back(
    api: HTTPRuntimeAPI,
    api_double: ArkenosAPIDouble,
    make_config: Callable[..., RuntimeConfig],
    make_call: Callable[..., CallData],
) -> None:
    api_double.down = True
    config = make_config(greeting={"mode": "WaitForCaller"})
    reporter = SessionReporter(api, session_start(), FAST)
    session = observed_session(config, make_call(config), reporter)
    async with session:
        await session.start(build_agent(config, {}))
        await session.run(user_input="hello there")
        api_double.down = False
        await asyncio.wait_for(reporter.registered.wait(), 5)
    counts = await reporter.close(EndReason.CALLER_HUNG_UP)

    assert reporter.session_id is not None
    events = api_double.events(reporter.session_id)
    transcripts = [(e["role"], e["text"].strip()) for e in events if e["kind"] == "transcript"]
    assert transcripts == [("user", "hello there"), ("agent", "You said: hello there")]
    usage = {e["metric"]: e["quantity"] for e in events if e["kind"] == "usage"}
    assert usage["llm_input_tokens"] > 0
    assert usage["llm_output_tokens"] > 0
    assert (counts.unsent, counts.dropped_full) == (0, 0)
