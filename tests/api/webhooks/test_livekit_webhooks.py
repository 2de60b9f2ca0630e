"""LiveKit's webhooks: verified with livekit-api's WebhookReceiver (signed JWT and the body's
SHA-256), fresh and once per event id; forged, unsigned, stale and replayed deliveries get
401 and change nothing. A room that finished (or an agent that dropped out) ends the sessions
no worker ended as Lost; SIP participant events move an outbound call along, in any order."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

from livekit.protocol import models as proto_models
from sqlalchemy import func, select

from arkenos_api.internal.models import CallSession
from arkenos_api.webhooks.models import WebhookReceipt
from tests.api.calls.conftest import LK_KEY, LK_SECRET
from tests.api.helpers import Api, Person
from tests.api.sessions.factories import add_session
from tests.doubles.livekit import webhooks

Reason = proto_models.DisconnectReason


async def _deliver(api: Api, body: bytes, headers: dict[str, str]) -> Any:
    async with api.client() as client:
        return await client.post("/webhooks/livekit", content=body, headers=headers)


async def _session(api: Api, session_id: uuid.UUID) -> CallSession:
    async with api.app.state.sessionmaker() as db:
        found = await db.get(CallSession, session_id)
    assert found is not None
    return found


async def _receipts(api: Api) -> int:
    async with api.app.state.sessionmaker() as db:
        return int(await db.scalar(select(func.count()).select_from(WebhookReceipt)) or 0)


async def _room(api: Api, session_id: uuid.UUID) -> str:
    return (await _session(api, session_id)).room


async def test_a_finished_room_ends_the_session_its_worker_never_ended(
    api: Api, owner: tuple[Person, str]
) -> None:
    _, workspace = owner
    crashed = await add_session(api, workspace, seconds=None, status="Active")
    ended = await add_session(api, workspace, seconds=60)
    for session_id in (crashed, ended):
        body, headers = webhooks.signed(
            webhooks.event("room_finished", await _room(api, session_id)), LK_KEY, LK_SECRET
        )
        response = await _deliver(api, body, headers)
        assert response.status_code == 204, response.text

    lost = await _session(api, crashed)
    assert (lost.status, lost.end_reason) == ("Ended", "Lost")
    assert lost.cost is not None  # priced like any other end
    untouched = await _session(api, ended)
    assert untouched.end_reason == "CallerHungUp"


async def test_an_agent_dropping_out_ends_its_session_but_leaving_normally_does_not(
    api: Api, owner: tuple[Person, str]
) -> None:
    _, workspace = owner
    left = await add_session(api, workspace, seconds=None, status="Active")
    dropped = await add_session(api, workspace, seconds=None, status="Active")
    for session_id, reason in ((left, Reason.CLIENT_INITIATED), (dropped, Reason.SIGNAL_CLOSE)):
        delivery = webhooks.event(
            "participant_left",
            await _room(api, session_id),
            participant=webhooks.agent_participant(reason),
        )
        assert (
            await _deliver(api, *webhooks.signed(delivery, LK_KEY, LK_SECRET))
        ).status_code == 204

    assert (await _session(api, left)).ended_at is None  # its worker reports the end itself
    assert (await _session(api, dropped)).end_reason == "Lost"


async def test_forged_unsigned_stale_and_replayed_deliveries_are_refused(
    api: Api, owner: tuple[Person, str]
) -> None:
    _, workspace = owner
    session_id = await add_session(api, workspace, seconds=None, status="Active")
    room = await _room(api, session_id)
    before = await _receipts(api)

    forged_body, forged_headers = webhooks.signed(
        webhooks.event("room_finished", room), LK_KEY, "not-the-secret-not-the-secret-0001"
    )
    body, headers = webhooks.signed(webhooks.event("room_finished", room), LK_KEY, LK_SECRET)
    tampered = body.replace(room.encode(), b"room-someone-else")
    stale = webhooks.signed(
        webhooks.event("room_finished", room, created_at=int(time.time()) - 3600), LK_KEY, LK_SECRET
    )
    expired = webhooks.signed(
        webhooks.event("room_finished", room),
        LK_KEY,
        LK_SECRET,
        ttl=timedelta(seconds=-120),
    )
    refused = {
        "forged": await _deliver(api, forged_body, forged_headers),
        "unsigned": await _deliver(api, body, {"Content-Type": webhooks.CONTENT_TYPE}),
        "tampered": await _deliver(api, tampered, headers),
        "stale": await _deliver(api, *stale),
        "expired token": await _deliver(api, *expired),
    }
    assert {k: r.status_code for k, r in refused.items()} == dict.fromkeys(refused, 401)
    assert all(r.json()["code"] == "webhook_rejected" for r in refused.values())
    assert (await _session(api, session_id)).ended_at is None
    assert await _receipts(api) == before

    # A genuine delivery is acted on once; the same delivery again is a replay.
    participant = webhooks.sip_participant("sip_+14155550123", call_status="active")
    joined = webhooks.signed(
        webhooks.event("participant_joined", room, participant=participant, event_id="EV_once"),
        LK_KEY,
        LK_SECRET,
    )
    assert (await _deliver(api, *joined)).status_code == 204
    replayed = await _deliver(api, *joined)
    assert replayed.status_code == 401
    assert "replay" in replayed.json()["message"]
    assert await _receipts(api) == before + 1


async def test_sip_events_move_an_outbound_call_forward_only(
    api: Api, owner: tuple[Person, str]
) -> None:
    _, workspace = owner
    callee = "+14155550123"
    answered = await add_session(
        api, workspace, seconds=None, status="Dialing", direction="Outbound", callee=callee
    )
    busy = await add_session(
        api, workspace, seconds=None, status="Dialing", direction="Outbound", callee=callee
    )
    identity = f"sip_{callee}"

    async def send(
        session_id: uuid.UUID, kind: str, participant: proto_models.ParticipantInfo
    ) -> None:
        delivery = webhooks.event(kind, await _room(api, session_id), participant=participant)
        assert (
            await _deliver(api, *webhooks.signed(delivery, LK_KEY, LK_SECRET))
        ).status_code == 204

    # Out of order: "active" arrives before "ringing"; the call stays Active.
    await send(
        answered, "participant_joined", webhooks.sip_participant(identity, call_status="active")
    )
    await send(
        answered, "participant_joined", webhooks.sip_participant(identity, call_status="ringing")
    )
    assert (await _session(api, answered)).status == "Active"

    await send(
        busy, "participant_joined", webhooks.sip_participant(identity, call_status="ringing")
    )
    assert (await _session(api, busy)).status == "Ringing"
    await send(
        busy, "participant_left", webhooks.sip_participant(identity, reason=Reason.USER_REJECTED)
    )
    rejected = await _session(api, busy)
    assert (rejected.status, rejected.end_reason) == ("Busy", "Error")
    # A late "active" for a call that ended changes nothing.
    await send(busy, "participant_joined", webhooks.sip_participant(identity, call_status="active"))
    assert (await _session(api, busy)).status == "Busy"
