"""The LiveKit double, driven by the real ``livekit-api`` client."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
from livekit import api
from livekit.protocol import agent_dispatch as proto_dispatch
from livekit.protocol import room as proto_room
from livekit.protocol import sip as proto_sip

from tests.doubles.livekit import LiveKitDouble
from tests.doubles.server import ServedApp, serve

KEY, SECRET = "devkey", "devsecret-devsecret-devsecret-0001"


@pytest.fixture
def double() -> LiveKitDouble:
    return LiveKitDouble(keys={KEY: SECRET})


@pytest.fixture
def served(double: LiveKitDouble) -> Iterator[ServedApp]:
    with serve(double.app()) as served:
        yield served


@pytest.fixture
async def lkapi(served: ServedApp) -> AsyncIterator[api.LiveKitAPI]:
    client = api.LiveKitAPI(served.url, KEY, SECRET)
    yield client
    await client.aclose()


def _inbound(number: str, name: str = "t") -> proto_sip.CreateSIPInboundTrunkRequest:
    return proto_sip.CreateSIPInboundTrunkRequest(
        trunk=proto_sip.SIPInboundTrunkInfo(name=name, numbers=[number])
    )


def _rule(trunk_id: str, agent: str) -> proto_sip.CreateSIPDispatchRuleRequest:
    return proto_sip.CreateSIPDispatchRuleRequest(
        dispatch_rule=proto_sip.SIPDispatchRuleInfo(
            name="r",
            trunk_ids=[trunk_id],
            rule=proto_sip.SIPDispatchRule(
                dispatch_rule_individual=proto_sip.SIPDispatchRuleIndividual(room_prefix="call")
            ),
            room_config=proto_room.RoomConfiguration(
                agents=[proto_dispatch.RoomAgentDispatch(agent_name=agent, metadata='{"a": 1}')]
            ),
        )
    )


async def test_tokens_are_checked(served: ServedApp) -> None:
    request = proto_sip.ListSIPInboundTrunkRequest()
    async with api.LiveKitAPI(served.url, KEY, "not-the-secret-not-the-secret-000") as wrong:
        with pytest.raises(api.TwirpError) as caught:
            await wrong.sip.list_inbound_trunk(request)
    assert (caught.value.status, caught.value.code) == (401, "unauthenticated")

    expired = (
        api.AccessToken(KEY, SECRET)
        .with_sip_grants(api.SIPGrants(admin=True))
        .with_ttl(datetime.timedelta(minutes=-5))
        .to_jwt()
    )
    async with api.LiveKitAPI.with_token(expired, served.url) as client:
        with pytest.raises(api.TwirpError) as caught:
            await client.sip.list_inbound_trunk(request)
    assert caught.value.status == 401

    room_only = api.AccessToken(KEY, SECRET).with_grants(api.VideoGrants(room_create=True))
    async with api.LiveKitAPI.with_token(room_only.to_jwt(), served.url) as client:
        with pytest.raises(api.TwirpError) as caught:
            await client.sip.list_inbound_trunk(request)
    assert (caught.value.status, caught.value.code) == (403, "permission_denied")


async def test_trunks_are_kept_listed_and_deleted(
    lkapi: api.LiveKitAPI, double: LiveKitDouble
) -> None:
    inbound = await lkapi.sip.create_inbound_trunk(_inbound("+14155550100"))
    assert inbound.sip_trunk_id.startswith("ST_")
    await lkapi.sip.create_inbound_trunk(_inbound("+14155550111"))
    with pytest.raises(api.TwirpError) as caught:
        await lkapi.sip.create_inbound_trunk(_inbound("+14155550100"))
    assert caught.value.code == "invalid_argument"
    assert "Conflicting" in caught.value.message

    listed = await lkapi.sip.list_inbound_trunk(
        proto_sip.ListSIPInboundTrunkRequest(numbers=["+14155550100"])
    )
    assert [t.sip_trunk_id for t in listed.items] == [inbound.sip_trunk_id]

    outbound = await lkapi.sip.create_outbound_trunk(
        proto_sip.CreateSIPOutboundTrunkRequest(
            trunk=proto_sip.SIPOutboundTrunkInfo(
                name="out",
                address="x.pstn.twilio.com",
                numbers=["+14155550100"],
                auth_username="u",
                auth_password="p",
            )
        )
    )
    await lkapi.sip.delete_trunk(proto_sip.DeleteSIPTrunkRequest(sip_trunk_id=inbound.sip_trunk_id))
    await lkapi.sip.delete_trunk(
        proto_sip.DeleteSIPTrunkRequest(sip_trunk_id=outbound.sip_trunk_id)
    )
    with pytest.raises(api.TwirpError) as caught:
        await lkapi.sip.delete_trunk(proto_sip.DeleteSIPTrunkRequest(sip_trunk_id="ST_missing"))
    assert caught.value.status == 404
    assert len(double.state.leaks()) == 1


async def test_dispatch_rules_route_calls_to_agents(
    lkapi: api.LiveKitAPI, double: LiveKitDouble
) -> None:
    trunk = await lkapi.sip.create_inbound_trunk(_inbound("+14155550100"))
    rule = await lkapi.sip.create_dispatch_rule(_rule(trunk.sip_trunk_id, "agent-a"))
    with pytest.raises(api.TwirpError) as caught:
        await lkapi.sip.create_dispatch_rule(_rule(trunk.sip_trunk_id, "agent-b"))
    assert "Conflicting SIP Dispatch Rules" in caught.value.message

    call = double.state.simulate_inbound_call("+14155550100", "+15550001111")
    assert call.room_name.startswith("call_+15550001111_")
    assert [(d.agent_name, d.metadata) for d in call.dispatches] == [("agent-a", '{"a": 1}')]

    replacement = _rule(trunk.sip_trunk_id, "agent-b").dispatch_rule
    updated = await lkapi.sip.update_dispatch_rule(rule.sip_dispatch_rule_id, replacement)
    assert updated.sip_dispatch_rule_id == rule.sip_dispatch_rule_id
    call = double.state.simulate_inbound_call("+14155550100", "+15550001111")
    assert [d.agent_name for d in call.dispatches] == ["agent-b"]

    listed = await lkapi.sip.list_dispatch_rule(
        proto_sip.ListSIPDispatchRuleRequest(trunk_ids=[trunk.sip_trunk_id])
    )
    assert [r.sip_dispatch_rule_id for r in listed.items] == [rule.sip_dispatch_rule_id]
    await lkapi.sip.delete_dispatch_rule(
        proto_sip.DeleteSIPDispatchRuleRequest(sip_dispatch_rule_id=rule.sip_dispatch_rule_id)
    )
    with pytest.raises(LookupError):
        double.state.simulate_inbound_call("+14155550100", "+15550001111")


async def test_rooms_dispatches_calls_and_transfers(
    lkapi: api.LiveKitAPI, double: LiveKitDouble
) -> None:
    room = await lkapi.room.create_room(proto_room.CreateRoomRequest(name="web-1"))
    assert room.sid.startswith("RM_")
    rooms = await lkapi.room.list_rooms(proto_room.ListRoomsRequest(names=["web-1"]))
    assert [r.name for r in rooms.rooms] == ["web-1"]
    dispatch = await lkapi.agent_dispatch.create_dispatch(
        proto_dispatch.CreateAgentDispatchRequest(agent_name="arkenos-standard", room="web-1")
    )
    listed = await lkapi.agent_dispatch.list_dispatch("web-1")
    assert [d.id for d in listed] == [dispatch.id]
    await lkapi.agent_dispatch.delete_dispatch(dispatch.id, "web-1")
    assert await lkapi.agent_dispatch.list_dispatch("web-1") == []

    trunk = await lkapi.sip.create_outbound_trunk(
        proto_sip.CreateSIPOutboundTrunkRequest(
            trunk=proto_sip.SIPOutboundTrunkInfo(
                name="out", address="x.pstn.twilio.com", numbers=["+14155550100"]
            )
        )
    )
    participant = await lkapi.sip.create_sip_participant(
        proto_sip.CreateSIPParticipantRequest(
            sip_trunk_id=trunk.sip_trunk_id,
            sip_call_to="+15550002222",
            room_name="web-1",
            participant_identity="callee",
        )
    )
    assert participant.sip_call_id.startswith("SCL_")
    assert double.state.sip_calls[0].from_number == "+14155550100"
    await lkapi.sip.transfer_sip_participant(
        proto_sip.TransferSIPParticipantRequest(
            room_name="web-1", participant_identity="callee", transfer_to="tel:+15550003333"
        )
    )
    assert [t.transfer_to for t in double.state.transfers] == ["tel:+15550003333"]
    assert "callee" not in double.state.rooms["web-1"].participants
    await lkapi.room.delete_room(proto_room.DeleteRoomRequest(room="web-1"))
    assert double.state.rooms == {}


async def test_faults_then_recovery(lkapi: api.LiveKitAPI, double: LiveKitDouble) -> None:
    double.faults.add("SIP/ListSIPInboundTrunk", 503)
    double.faults.add("SIP/ListSIPInboundTrunk", 429)
    request = proto_sip.ListSIPInboundTrunkRequest()
    with pytest.raises(api.TwirpError) as first:
        await lkapi.sip.list_inbound_trunk(request)
    with pytest.raises(api.TwirpError) as second:
        await lkapi.sip.list_inbound_trunk(request)
    assert (first.value.status, second.value.status) == (503, 429)
    assert second.value.code == "resource_exhausted"
    assert list((await lkapi.sip.list_inbound_trunk(request)).items) == []


async def test_sip_failures_carry_their_sip_status(
    lkapi: api.LiveKitAPI, double: LiveKitDouble
) -> None:
    double.state.add_participant("call-1", "caller")
    double.faults.add(
        "SIP/TransferSIPParticipant",
        400,
        message="transfer failed",
        meta={"sip_status_code": "486", "sip_status": "Busy Here"},
    )
    request = proto_sip.TransferSIPParticipantRequest(
        room_name="call-1", participant_identity="caller", transfer_to="tel:+15550003333"
    )
    with pytest.raises(api.SipCallError) as caught:
        await lkapi.sip.transfer_sip_participant(request)
    assert (caught.value.sip_status_code, caught.value.sip_status) == (486, "Busy Here")
    assert "caller" in double.state.rooms["call-1"].participants


async def test_json_twirp_and_bad_routes(served: ServedApp) -> None:
    token = api.AccessToken(KEY, SECRET).with_sip_grants(api.SIPGrants(admin=True)).to_jwt()
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{served.url}/twirp/livekit.SIP/CreateSIPInboundTrunk",
            json={"trunk": {"name": "j", "numbers": ["+14155550100"]}},
            headers=headers,
        ) as response:
            assert response.status == 200
            body = await response.json()
        assert body["sip_trunk_id"].startswith("ST_")
        assert body["numbers"] == ["+14155550100"]
        async with session.post(
            f"{served.url}/twirp/livekit.SIP/Nope", json={}, headers=headers
        ) as response:
            assert response.status == 404
            assert (await response.json())["code"] == "bad_route"
