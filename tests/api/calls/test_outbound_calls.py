"""Outbound calls: room, dispatch and CreateSIPParticipant over the PhoneNumber's outbound
trunk; refused for a PhoneNumber not Ready or with outbound off, for destinations outside the
workspace's rules (premium-rate by default); hang-up and transfer of a live call."""

from __future__ import annotations

from typing import Any

from arkenos_crds.runtime import DispatchMetadata
from tests.api.calls._support import phone_line, ready_agent
from tests.api.helpers import Api, Cluster, Person
from tests.doubles.livekit import LiveKitDouble

DESTINATION = "+14155550123"


def _calls(workspace: str) -> str:
    return f"/api/v1/workspaces/{workspace}/calls"


async def _outbound_world(
    owner: tuple[Person, str], cluster: Cluster, livekit: tuple[LiveKitDouble, str], **line: Any
) -> tuple[Person, str, LiveKitDouble]:
    admin, workspace = owner
    double, _ = livekit
    await ready_agent(admin, cluster, workspace, "sales")
    # The outbound trunk exists in LiveKit, as the operator created it.
    from livekit.protocol import sip as proto_sip

    trunk = double.state.create_outbound_trunk(
        proto_sip.SIPOutboundTrunkInfo(address="acme.pstn.twilio.com", numbers=["+14155559000"])
    )
    await phone_line(cluster, workspace, "sales-line", "sales", **line)
    await cluster.request(
        "PATCH",
        f"/apis/arkenos.io/v1alpha1/namespaces/{workspace}/phonenumbers/sales-line/status",
        json={"status": {"livekit": {"outboundTrunkId": trunk.sip_trunk_id}}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    return admin, workspace, double


async def test_an_outbound_call_dials_over_the_lines_trunk(
    api: Api, owner: tuple[Person, str], cluster: Cluster, livekit: tuple[LiveKitDouble, str]
) -> None:
    admin, workspace, double = await _outbound_world(owner, cluster, livekit)

    placed = await admin.post(
        _calls(workspace), json={"phoneNumber": "sales-line", "to": DESTINATION}
    )

    assert placed.status_code == 201, placed.text
    body = placed.json()
    with double.state.lock:
        [call] = double.state.sip_calls
        [dispatch] = double.state.rooms[body["room"]].dispatches.values()
    assert (call.call_to, call.from_number, call.room_name) == (
        DESTINATION,
        "+14155559000",
        body["room"],
    )
    assert body["sipCallId"] == call.sip_call_id
    assert body["status"] == "Dialing"
    metadata = DispatchMetadata.model_validate_json(dispatch.metadata)
    assert metadata.direction == "Outbound"
    assert metadata.phone_number == "+14155559000"
    sessions = await admin.get(f"/api/v1/workspaces/{workspace}/sessions/{body['sessionId']}")
    assert sessions.status_code == 200
    assert sessions.json()["callee"] == DESTINATION
    assert sessions.json()["direction"] == "Outbound"


async def test_lines_not_ready_or_without_outbound_are_refused(
    api: Api, owner: tuple[Person, str], cluster: Cluster, livekit: tuple[LiveKitDouble, str]
) -> None:
    admin, workspace = owner
    double, _ = livekit
    await ready_agent(admin, cluster, workspace, "sales")
    await phone_line(cluster, workspace, "pending", "sales", ready=False)
    await phone_line(
        cluster, workspace, "inbound-only", "sales", outbound=False, number="+14155559001"
    )

    pending = await admin.post(
        _calls(workspace), json={"phoneNumber": "pending", "to": DESTINATION}
    )
    inbound = await admin.post(
        _calls(workspace), json={"phoneNumber": "inbound-only", "to": DESTINATION}
    )
    missing = await admin.post(_calls(workspace), json={"phoneNumber": "nope", "to": DESTINATION})

    assert pending.status_code == 409
    assert "waiting for the Twilio trunk" in pending.json()["message"]
    assert inbound.status_code == 409
    assert "spec.outbound" in inbound.json()["message"]
    assert missing.status_code == 404
    assert double.state.sip_calls == []


async def test_destination_rules(
    api: Api, owner: tuple[Person, str], cluster: Cluster, livekit: tuple[LiveKitDouble, str]
) -> None:
    admin, workspace, double = await _outbound_world(owner, cluster, livekit)

    async def call(to: str) -> Any:
        return await admin.post(_calls(workspace), json={"phoneNumber": "sales-line", "to": to})

    premium = await call("+19005550123")  # a US 900 number: premium rate
    invalid = await call("+10005550123")
    assert premium.status_code == 422
    assert premium.json()["code"] == "premium_destination"
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "invalid_destination"
    assert double.state.sip_calls == []


async def test_hang_up_deletes_the_room_and_transfer_refers_the_caller(
    api: Api, owner: tuple[Person, str], cluster: Cluster, livekit: tuple[LiveKitDouble, str]
) -> None:
    admin, workspace, double = await _outbound_world(owner, cluster, livekit)
    body = (
        await admin.post(_calls(workspace), json={"phoneNumber": "sales-line", "to": DESTINATION})
    ).json()
    sessions = f"/api/v1/workspaces/{workspace}/sessions/{body['sessionId']}"

    transferred = await admin.post(f"{sessions}/transfer", json={"to": "+14155550199"})
    assert transferred.status_code == 204, transferred.text
    with double.state.lock:
        assert [(t.participant_identity, t.transfer_to) for t in double.state.transfers] == [
            (f"sip_{DESTINATION}", "tel:+14155550199")
        ]

    hung_up = await admin.post(f"{sessions}/hangup")
    assert hung_up.status_code == 204, hung_up.text
    with double.state.lock:
        assert body["room"] not in double.state.rooms
    # LiveKit no longer has the room: a second hang-up ends the session here (nobody else will).
    again = await admin.post(f"{sessions}/hangup")
    assert again.status_code == 204
    ended = await admin.post(f"{sessions}/hangup")
    assert ended.status_code == 409
    assert ended.json()["code"] == "call_ended"
