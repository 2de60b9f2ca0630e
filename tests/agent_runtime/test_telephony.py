"""The built-in telephony tools against the LiveKit server-API double (tests/doubles/livekit):
livekit-api's real Twirp client, JWT and grants checked by the double, state kept there."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from livekit import api

from arkenos_agent_runtime.call.pipeline import VADCache
from arkenos_agent_runtime.call.session import build_session
from arkenos_agent_runtime.standard.session import build_agent
from arkenos_agent_runtime.tools.context import CallData
from arkenos_agent_runtime.tools.telephony import LiveKitTelephony
from arkenos_crds.runtime import RuntimeConfig
from tests.doubles.livekit import LiveKitDouble
from tests.doubles.livekit.state import Transfer
from tests.doubles.openai import ChatRule, OpenAIDouble, ToolCallReply
from tests.doubles.server import serve_aiohttp

KEY, SECRET = "APItelephony", "telephony-secret-0123456789abcdef01234567"
ROOM, CALLER = "call-room-1", "sip_+15550001111"


@pytest.fixture
def livekit() -> Iterator[tuple[LiveKitDouble, str]]:
    double = LiveKitDouble(keys={KEY: SECRET})
    with serve_aiohttp(double.app()) as served:
        yield double, served.url


async def test_an_allowed_transfer_moves_the_caller_out_of_the_room(
    livekit: tuple[LiveKitDouble, str],
    make_config: Callable[..., RuntimeConfig],
    make_call: Callable[..., CallData],
    openai_double: OpenAIDouble,
) -> None:
    double, url = livekit
    double.state.add_participant(ROOM, CALLER)
    tool = {
        "name": "transfer_call",
        "type": "TransferCall",
        "transfer": {"allowedNumbers": ["+15557654321"]},
    }
    openai_double.rules.append(
        ChatRule(
            match="sales", tool_call=ToolCallReply("transfer_call", {"number": "+15557654321"})
        )
    )
    config = make_config(tools=[tool], greeting={"mode": "WaitForCaller"})
    async with api.LiveKitAPI(url, KEY, SECRET) as lkapi:
        call = make_call(config, telephony=LiveKitTelephony(lkapi))
        vad = VADCache().get(config.spec.turn_detection.vad)
        session = build_session(config, vad=vad, call=call)
        await session.start(build_agent(config, {}))
        async with session:
            result = await session.run(user_input="Sales, please")
            result.expect.next_event().is_function_call(name="transfer_call")
            output = result.expect.next_event().is_function_call_output().event().item
    assert not output.is_error
    assert double.state.transfers == [Transfer(ROOM, CALLER, "tel:+15557654321")]
    assert CALLER not in double.state.rooms[ROOM].participants
    assert call.end_reason == "Transferred"


async def test_transferring_a_caller_not_in_a_room_fails(
    livekit: tuple[LiveKitDouble, str],
) -> None:
    double, url = livekit
    async with api.LiveKitAPI(url, KEY, SECRET) as lkapi:
        with pytest.raises(api.TwirpError, match="room does not exist"):
            await LiveKitTelephony(lkapi).transfer(ROOM, CALLER, "+15557654321")
    assert double.state.transfers == []


async def test_hang_up_deletes_the_room(livekit: tuple[LiveKitDouble, str]) -> None:
    double, url = livekit
    double.state.add_participant(ROOM, CALLER)
    async with api.LiveKitAPI(url, KEY, SECRET) as lkapi:
        await LiveKitTelephony(lkapi).hang_up(ROOM)
    assert ROOM not in double.state.rooms
