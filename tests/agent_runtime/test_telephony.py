"""LiveKitTelephony makes the exact Twirp calls LiveKit's server API expects, with the right
grants. LiveKit's Twirp double (tests/doubles/livekit.py, issue 4) is not on main yet, so this
test records the calls with a faithful in-test Twirp endpoint: protobuf bodies, JWT checked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from aiohttp import web
from livekit import api
from livekit.protocol import room as room_proto
from livekit.protocol import sip as sip_proto

from arkenos_agent_runtime.tools.telephony import LiveKitTelephony
from tests.doubles.server import serve_aiohttp

KEY, SECRET = "APItwirp", "twirp-secret-0123456789abcdef0123456789"
ROUTES: dict[str, tuple[Any, Any]] = {
    "/twirp/livekit.SIP/TransferSIPParticipant": (
        sip_proto.TransferSIPParticipantRequest,
        sip_proto.TransferSIPParticipantResponse,
    ),
    "/twirp/livekit.RoomService/DeleteRoom": (
        room_proto.DeleteRoomRequest,
        room_proto.DeleteRoomResponse,
    ),
}


@pytest.fixture
def twirp() -> Iterator[tuple[str, list[tuple[str, Any, dict[str, Any]]]]]:
    calls: list[tuple[str, Any, dict[str, Any]]] = []

    async def handle(request: web.Request) -> web.Response:
        request_type, response_type = ROUTES[request.path]
        token = request.headers["Authorization"].removeprefix("Bearer ")
        try:
            claims = jwt.decode(token, SECRET, algorithms=["HS256"], issuer=KEY)
        except jwt.PyJWTError:
            return web.json_response({"code": "unauthenticated", "msg": "bad token"}, status=401)
        if request.content_type != "application/protobuf":
            return web.json_response({"code": "malformed", "msg": "protobuf only"}, status=400)
        message = request_type.FromString(await request.read())
        calls.append((request.path, message, claims))
        body = response_type().SerializeToString()
        return web.Response(body=body, content_type="application/protobuf")

    app = web.Application()
    for path in ROUTES:
        app.router.add_post(path, handle)
    with serve_aiohttp(app) as served:
        yield served.url, calls


async def test_transfer_is_a_sip_refer_to_the_tel_uri_with_call_grants(
    twirp: tuple[str, list[tuple[str, Any, dict[str, Any]]]],
) -> None:
    url, calls = twirp
    async with api.LiveKitAPI(url, KEY, SECRET) as lkapi:
        await LiveKitTelephony(lkapi).transfer("call-room-1", "sip_+15550001111", "+15557654321")
    [(path, message, claims)] = calls
    assert path == "/twirp/livekit.SIP/TransferSIPParticipant"
    assert (message.room_name, message.participant_identity, message.transfer_to) == (
        "call-room-1",
        "sip_+15550001111",
        "tel:+15557654321",
    )
    assert claims["sip"]["call"] is True
    assert claims["video"]["roomAdmin"] is True
    assert claims["video"]["room"] == "call-room-1"


async def test_hang_up_deletes_the_room(
    twirp: tuple[str, list[tuple[str, Any, dict[str, Any]]]],
) -> None:
    url, calls = twirp
    async with api.LiveKitAPI(url, KEY, SECRET) as lkapi:
        await LiveKitTelephony(lkapi).hang_up("call-room-1")
    [(path, message, claims)] = calls
    assert path == "/twirp/livekit.RoomService/DeleteRoom"
    assert message.room == "call-room-1"
    assert claims["video"]["roomCreate"] is True
