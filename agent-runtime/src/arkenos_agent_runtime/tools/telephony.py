"""Telephony actions the built-in tools take, behind a small Protocol: hang up a call,
transfer a SIP caller. ``LiveKitTelephony`` is the real implementation over livekit-api."""

from __future__ import annotations

from typing import Protocol

from livekit import api


class Telephony(Protocol):
    async def hang_up(self, room: str) -> None: ...

    async def transfer(self, room: str, participant_identity: str, number: str) -> None: ...


class LiveKitTelephony:
    """Uses LiveKit's server API (RoomService.DeleteRoom, SIP.TransferSIPParticipant)."""

    def __init__(self, lkapi: api.LiveKitAPI) -> None:
        self._api = lkapi

    async def hang_up(self, room: str) -> None:
        await self._api.room.delete_room(api.DeleteRoomRequest(room=room))

    async def transfer(self, room: str, participant_identity: str, number: str) -> None:
        request = api.TransferSIPParticipantRequest(
            room_name=room,
            participant_identity=participant_identity,
            transfer_to=f"tel:{number}",
            play_dialtone=False,
        )
        await self._api.sip.transfer_sip_participant(request)
