"""Telephony through the Arkenos API (``ApiTelephony``) against the API double: the built-in
tools hang up and transfer the call's registered session with the workload's token, an action
waits for the session's registration, and the API's refusals (destination rules, an ended
call, another workload's session, a bad token) reach the tool as errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from arkenos_agent_runtime.api_client import APIError, HTTPRuntimeAPI, TokenSource
from arkenos_agent_runtime.call.pipeline import VADCache
from arkenos_agent_runtime.call.session import build_session
from arkenos_agent_runtime.reporting.reporter import ReportingOptions, SessionReporter
from arkenos_agent_runtime.standard.session import build_agent
from arkenos_agent_runtime.tools.context import CallData
from arkenos_agent_runtime.tools.telephony import ApiTelephony, CallSessionId, TelephonyError
from arkenos_crds.runtime import (
    CallDirection,
    EndReason,
    RuntimeConfig,
    SessionEnd,
    SessionStart,
    SessionTransfer,
)
from tests.doubles.arkenos_api import POOL, ArkenosAPIDouble
from tests.doubles.openai import ChatRule, OpenAIDouble, ToolCallReply
from tests.doubles.server import serve_aiohttp

POOL_TOKEN, OTHER_AGENT_TOKEN = "pool-token-telephony", "other-agent-token"
CALLER = "sip_+15550001111"
SALES, PREMIUM = "+15557654321", "+19005550123"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
FAST = ReportingOptions(flush_interval=0.01, backoff_initial=0.01, backoff_max=0.02)
TRANSFER_TOOL = {
    "name": "transfer_call",
    "type": "TransferCall",
    "transfer": {"allowedNumbers": [SALES, PREMIUM]},
}


def _start(direction: CallDirection = CallDirection.INBOUND) -> SessionStart:
    return SessionStart(
        workspace="acme",
        agent="support",
        room="call-room-1",
        job_id="AJ_telephony",
        direction=direction,
        caller="+15550001111",
        callee="+15550002222",
        dispatched_at=NOW,
        started_at=NOW,
    )


@pytest.fixture
def api_double() -> ArkenosAPIDouble:
    return ArkenosAPIDouble(
        tokens={POOL_TOKEN: POOL, OTHER_AGENT_TOKEN: "acme/other"},
        refused_destinations={PREMIUM: f"{PREMIUM} is a premium-rate or shared-cost number"},
    )


@pytest.fixture
async def served(api_double: ArkenosAPIDouble) -> AsyncIterator[str]:
    with serve_aiohttp(api_double.app()) as app:
        yield app.url


async def _client(url: str, tmp_path: Path, token: str) -> HTTPRuntimeAPI:
    token_file = tmp_path / f"token-{token}"
    token_file.write_text(token + "\n")
    return HTTPRuntimeAPI(url, TokenSource(str(token_file)))


@pytest.fixture
async def api(served: str, tmp_path: Path) -> AsyncIterator[HTTPRuntimeAPI]:
    client = await _client(served, tmp_path, POOL_TOKEN)
    yield client
    await client.aclose()


async def _registered(api: HTTPRuntimeAPI, direction: CallDirection) -> CallSessionId:
    session_id = CallSessionId()
    session_id.set((await api.start_session(_start(direction))).session_id)
    return session_id


def _call_through(api: HTTPRuntimeAPI, session_id: CallSessionId, call: CallData) -> CallData:
    """``call`` with its telephony through the API, for the session ``session_id`` names."""
    call.telephony, call.session_id = ApiTelephony(api, session_id), session_id
    return call


async def _run_tool(config: RuntimeConfig, call: CallData, utterance: str) -> tuple[bool, str]:
    """(is_error, output) of the tool call the OpenAI double answers ``utterance`` with."""
    session = build_session(config, vad=VADCache().get(config.spec.turn_detection.vad), call=call)
    await session.start(build_agent(config, {}))
    async with session:
        result = await session.run(user_input=utterance)
        result.expect.next_event().is_function_call()
        item = result.expect.next_event().is_function_call_output().event().item
    return item.is_error, item.output


async def test_transfer_call_transfers_the_registered_session_through_the_api(
    api: HTTPRuntimeAPI,
    api_double: ArkenosAPIDouble,
    make_config: Callable[..., RuntimeConfig],
    make_call: Callable[..., CallData],
    openai_double: OpenAIDouble,
) -> None:
    openai_double.rules.append(
        ChatRule(match="Sales", tool_call=ToolCallReply("transfer_call", {"number": SALES}))
    )
    config = make_config(tools=[TRANSFER_TOOL], greeting={"mode": "WaitForCaller"})
    session_id = CallSessionId()
    call = _call_through(api, session_id, make_call(config))
    # The call's reporter registers the session and hands the id on, as supervision wires it.
    reporter = SessionReporter(api, _start(), FAST, on_registered=session_id.set)
    reporter.start()

    is_error, output = await _run_tool(config, call, "Sales, please")
    await reporter.close(EndReason.TRANSFERRED)

    assert not is_error, output
    assert reporter.session_id is not None
    stored = api_double.sessions[reporter.session_id]
    assert stored.transfers == [SessionTransfer(to=SALES, participant_identity=CALLER)]
    assert call.end_reason == EndReason.TRANSFERRED


async def test_a_refused_destination_reaches_the_tool_as_an_error(
    api: HTTPRuntimeAPI,
    api_double: ArkenosAPIDouble,
    make_config: Callable[..., RuntimeConfig],
    make_call: Callable[..., CallData],
    openai_double: OpenAIDouble,
) -> None:
    # The tool's own list allows it; the workspace's destination rules (the API's) do not.
    openai_double.rules.append(
        ChatRule(match="premium", tool_call=ToolCallReply("transfer_call", {"number": PREMIUM}))
    )
    config = make_config(tools=[TRANSFER_TOOL], greeting={"mode": "WaitForCaller"})
    session_id = await _registered(api, CallDirection.INBOUND)
    call = _call_through(api, session_id, make_call(config))

    is_error, output = await _run_tool(config, call, "The premium line")

    assert is_error
    assert f"transfer to {PREMIUM} failed" in output
    [stored] = api_double.sessions.values()
    assert stored.transfers == []
    assert call.end_reason is None
    with pytest.raises(APIError, match="premium-rate") as refused:
        await ApiTelephony(api, session_id).transfer(CALLER, PREMIUM)
    assert refused.value.status == 422


async def test_end_call_hangs_up_the_registered_session(
    api: HTTPRuntimeAPI,
    api_double: ArkenosAPIDouble,
    make_config: Callable[..., RuntimeConfig],
    make_call: Callable[..., CallData],
    openai_double: OpenAIDouble,
) -> None:
    openai_double.rules.append(ChatRule(match="bye", tool_call=ToolCallReply("end_call", {})))
    config = make_config(tools=[{"name": "end_call", "type": "EndCall"}])
    session_id = await _registered(api, CallDirection.WEB)
    call = _call_through(api, session_id, make_call(config))

    is_error, output = await _run_tool(config, call, "That's all, bye")

    assert not is_error, output
    [stored] = api_double.sessions.values()
    assert stored.hang_ups == 1
    assert call.end_reason == EndReason.AGENT_ENDED


async def test_an_action_waits_for_the_sessions_registration(
    api: HTTPRuntimeAPI, api_double: ArkenosAPIDouble
) -> None:
    session_id = CallSessionId()
    reporter = SessionReporter(api, _start(), FAST, on_registered=session_id.set)
    hang_up = asyncio.create_task(ApiTelephony(api, session_id).hang_up())
    await asyncio.sleep(0.05)
    assert not hang_up.done()

    reporter.start()
    await asyncio.wait_for(hang_up, 5)
    await reporter.close(EndReason.AGENT_ENDED)

    assert reporter.session_id is not None
    assert api_double.sessions[reporter.session_id].hang_ups == 1


async def test_without_a_registered_session_the_action_fails_in_bounded_time(
    api: HTTPRuntimeAPI, api_double: ArkenosAPIDouble
) -> None:
    telephony = ApiTelephony(api, CallSessionId(), registration_wait=0.05)

    with pytest.raises(TelephonyError, match="not registered"):
        await telephony.hang_up()
    assert api_double.requests == []


async def test_the_api_refuses_ended_foreign_and_unauthenticated_actions(
    api: HTTPRuntimeAPI, api_double: ArkenosAPIDouble, served: str, tmp_path: Path
) -> None:
    session_id = await _registered(api, CallDirection.INBOUND)
    other_agent = await _client(served, tmp_path, OTHER_AGENT_TOKEN)
    forged = await _client(served, tmp_path, "not-a-token")
    statuses: list[int | None] = []
    try:
        for client in (other_agent, forged):
            with pytest.raises(APIError) as refused:
                await ApiTelephony(client, session_id).hang_up()
            statuses.append(refused.value.status)
    finally:
        await other_agent.aclose()
        await forged.aclose()
    await api.end_session(
        await session_id.get(0), SessionEnd(ended_at=NOW, reason=EndReason.CALLER_HUNG_UP)
    )
    with pytest.raises(APIError, match="ended") as ended:
        await ApiTelephony(api, session_id).transfer(CALLER, SALES)

    assert statuses == [404, 401]
    assert ended.value.status == 409
    [stored] = api_double.sessions.values()
    assert (stored.hang_ups, stored.transfers) == (0, [])
