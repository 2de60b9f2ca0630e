"""LiveKit calls of the call routes, each one request the real livekit-server serves: a room
with the agent dispatched explicitly, a join token for that room only, a SIP participant over
an outbound trunk, a hang-up (the room deleted for everyone) and a SIP transfer."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import aiohttp
from livekit import api as lk

from arkenos_api.core.errors import ApiError
from arkenos_api.core.livekit import LiveKit, livekit_failed
from arkenos_crds.runtime import DispatchMetadata

#: What a failed LiveKit request raises: LiveKit's own error, or the network's.
LIVEKIT_ERRORS = (lk.TwirpError, aiohttp.ClientError, asyncio.TimeoutError)
#: A room nobody joined closes after this long (the browser's token lives about as long).
EMPTY_ROOM_SECONDS = 300
#: After the last participant leaves, LiveKit closes the room this much later.
DEPARTURE_SECONDS = 20


def wire(metadata: DispatchMetadata) -> str:
    """A dispatch's metadata as LiveKit carries it."""
    return metadata.model_dump_json(by_alias=True, exclude_none=True)


async def create_room_with_agent(
    livekit: LiveKit, room: str, dispatch_name: str, metadata: DispatchMetadata
) -> None:
    request = lk.CreateRoomRequest(
        name=room,
        empty_timeout=EMPTY_ROOM_SECONDS,
        departure_timeout=DEPARTURE_SECONDS,
        agents=[
            lk.RoomAgentDispatch(
                agent_name=dispatch_name,
                metadata=wire(metadata),
            )
        ],
    )
    try:
        await livekit.client.room.create_room(request)
    except LIVEKIT_ERRORS as exc:
        raise livekit_failed("create the call's room", exc) from exc


def browser_token(livekit: LiveKit, room: str, identity: str, name: str, ttl_seconds: int) -> str:
    """A token that joins ``room`` only: publish the microphone, subscribe, nothing else."""
    grants = lk.VideoGrants(
        room_join=True,
        room=room,
        can_publish=True,
        can_subscribe=True,
        can_publish_data=True,
        can_publish_sources=["microphone"],
    )
    return (
        lk.AccessToken(livekit.api_key, livekit.api_secret)
        .with_identity(identity)
        .with_name(name)
        .with_grants(grants)
        .with_ttl(timedelta(seconds=ttl_seconds))
        .to_jwt()
    )


async def dial(
    livekit: LiveKit, *, room: str, trunk_id: str, to: str, from_number: str, identity: str
) -> str:
    """Place the outbound call into ``room``; returns LiveKit's SIP call id. The call rings on;
    SIP participant webhooks report ringing, answer, busy or no answer."""
    request = lk.CreateSIPParticipantRequest(
        sip_trunk_id=trunk_id,
        sip_call_to=to,
        sip_number=from_number,
        room_name=room,
        participant_identity=identity,
        participant_name=to,
        wait_until_answered=False,
    )
    try:
        info = await livekit.client.sip.create_sip_participant(request)
    except LIVEKIT_ERRORS as exc:
        raise livekit_failed("place the call", exc) from exc
    return str(info.sip_call_id)


async def delete_room(livekit: LiveKit, room: str) -> bool:
    """Hang up for everyone in the room; False when LiveKit has no such room (it ended)."""
    try:
        await livekit.client.room.delete_room(lk.DeleteRoomRequest(room=room))
    except lk.TwirpError as exc:
        if exc.code == lk.TwirpErrorCode.NOT_FOUND:
            return False
        raise livekit_failed("hang up", exc) from exc
    except LIVEKIT_ERRORS as exc:
        raise livekit_failed("hang up", exc) from exc
    return True


async def sip_participant(livekit: LiveKit, room: str) -> str:
    """Identity of the phone caller in ``room``."""
    try:
        listed = await livekit.client.room.list_participants(lk.ListParticipantsRequest(room=room))
    except LIVEKIT_ERRORS as exc:
        raise livekit_failed("list the call's participants", exc) from exc
    for participant in listed.participants:
        if participant.kind == lk.ParticipantInfo.Kind.SIP:
            return str(participant.identity)
    raise ApiError(409, "no_phone_caller", "the call has no phone participant to transfer")


async def transfer(livekit: LiveKit, *, room: str, identity: str, to: str) -> None:
    request = lk.TransferSIPParticipantRequest(
        participant_identity=identity, room_name=room, transfer_to=f"tel:{to}"
    )
    try:
        await livekit.client.sip.transfer_sip_participant(request)
    except LIVEKIT_ERRORS as exc:
        raise livekit_failed("transfer the call", exc) from exc
