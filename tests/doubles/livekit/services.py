"""The Twirp methods the LiveKit double serves, with the grants LiveKit's server demands of
each (``sip.admin`` to manage SIP objects, ``sip.call`` to dial and transfer, ``roomCreate`` /
``roomList`` / ``roomAdmin`` for rooms and dispatches)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import Message
from livekit.api.access_token import Claims
from livekit.protocol import agent_dispatch as proto_dispatch
from livekit.protocol import room as proto_room
from livekit.protocol import sip as proto_sip

from tests.doubles.livekit.state import LiveKitState, SipCall, Transfer, TwirpError, new_id

Handler = Callable[[LiveKitState, Any], Message]
Authorize = Callable[[Claims, Any], str | None]


@dataclass(frozen=True)
class Method:
    request: type[Message]
    handler: Handler
    authorize: Authorize


def sip_admin(claims: Claims, _: Any) -> str | None:
    return None if claims.sip and claims.sip.admin else "requires SIP admin permission"


def sip_call(claims: Claims, _: Any) -> str | None:
    return None if claims.sip and claims.sip.call else "requires SIP call permission"


def room_create(claims: Claims, _: Any) -> str | None:
    return None if claims.video and claims.video.room_create else "requires roomCreate permission"


def room_list(claims: Claims, _: Any) -> str | None:
    return None if claims.video and claims.video.room_list else "requires roomList permission"


def room_admin_of(room_of: Callable[[Any], str]) -> Authorize:
    def check(claims: Claims, request: Any) -> str | None:
        video = claims.video
        if video and video.room_admin and video.room == room_of(request):
            return None
        return "requires roomAdmin permission for the room"

    return check


def all_of(*checks: Authorize) -> Authorize:
    def check(claims: Claims, request: Any) -> str | None:
        return next((p for p in (c(claims, request) for c in checks) if p), None)

    return check


def _page(items: list[Any], id_of: Callable[[Any], str], request: Any) -> list[Any]:
    ordered = sorted(items, key=id_of)
    if request.HasField("page"):
        if request.page.after_id:
            ordered = [i for i in ordered if id_of(i) > request.page.after_id]
        if request.page.limit > 0:
            ordered = ordered[: request.page.limit]
    return ordered


# --- SIP ------------------------------------------------------------------------------------


def _list_trunks(trunks: dict[str, Any], request: Any, response: type[Message]) -> Message:
    items = [
        t
        for t in trunks.values()
        if (not request.trunk_ids or t.sip_trunk_id in request.trunk_ids)
        and (not request.numbers or set(request.numbers) & set(t.numbers))
    ]
    return response(items=_page(items, lambda t: t.sip_trunk_id, request))


def _list_inbound(state: LiveKitState, req: proto_sip.ListSIPInboundTrunkRequest) -> Message:
    with state.lock:
        return _list_trunks(state.inbound_trunks, req, proto_sip.ListSIPInboundTrunkResponse)


def _list_outbound(state: LiveKitState, req: proto_sip.ListSIPOutboundTrunkRequest) -> Message:
    with state.lock:
        return _list_trunks(state.outbound_trunks, req, proto_sip.ListSIPOutboundTrunkResponse)


def _update_inbound(state: LiveKitState, req: proto_sip.UpdateSIPInboundTrunkRequest) -> Message:
    if req.WhichOneof("action") != "replace":
        raise TwirpError("unimplemented", "the double replaces inbound trunks only")
    return state.replace_inbound_trunk(req.sip_trunk_id, req.replace)


def _create_rule(state: LiveKitState, req: proto_sip.CreateSIPDispatchRuleRequest) -> Message:
    if req.HasField("dispatch_rule"):
        return state.create_dispatch_rule(req.dispatch_rule)
    # The older request shape carries the rule's fields at the top level.
    info = proto_sip.SIPDispatchRuleInfo(
        trunk_ids=req.trunk_ids,
        hide_phone_number=req.hide_phone_number,
        inbound_numbers=req.inbound_numbers,
        name=req.name,
        metadata=req.metadata,
        attributes=req.attributes,
        room_preset=req.room_preset,
    )
    if req.HasField("rule"):
        info.rule.CopyFrom(req.rule)
    if req.HasField("room_config"):
        info.room_config.CopyFrom(req.room_config)
    return state.create_dispatch_rule(info)


def _update_rule(state: LiveKitState, req: proto_sip.UpdateSIPDispatchRuleRequest) -> Message:
    action = req.WhichOneof("action")
    if action == "replace":
        return state.replace_dispatch_rule(req.sip_dispatch_rule_id, req.replace)
    if action != "update":
        raise TwirpError("invalid_argument", "either replace or update must be set")
    with state.lock:
        info = proto_sip.SIPDispatchRuleInfo()
        info.CopyFrom(state.dispatch_rule(req.sip_dispatch_rule_id))
        update = req.update
        if update.HasField("rule"):
            info.rule.CopyFrom(update.rule)
        if update.HasField("name"):
            info.name = update.name
        if update.HasField("metadata"):
            info.metadata = update.metadata
        if update.HasField("trunk_ids"):
            ids = [] if update.trunk_ids.clear else list(update.trunk_ids.set or info.trunk_ids)
            ids += [i for i in update.trunk_ids.add if i not in ids]
            info.ClearField("trunk_ids")
            info.trunk_ids.extend(i for i in ids if i not in update.trunk_ids.remove)
        for key, value in update.attributes.items():
            info.attributes[key] = value
        return state.replace_dispatch_rule(req.sip_dispatch_rule_id, info)


def _list_rules(state: LiveKitState, req: proto_sip.ListSIPDispatchRuleRequest) -> Message:
    with state.lock:
        items = [
            r
            for r in state.dispatch_rules.values()
            if (not req.dispatch_rule_ids or r.sip_dispatch_rule_id in req.dispatch_rule_ids)
            and (not req.trunk_ids or set(req.trunk_ids) & set(r.trunk_ids))
        ]
    page = _page(items, lambda r: r.sip_dispatch_rule_id, req)
    return proto_sip.ListSIPDispatchRuleResponse(items=page)


def _create_participant(state: LiveKitState, req: proto_sip.CreateSIPParticipantRequest) -> Message:
    with state.lock:
        trunk = state.outbound_trunks.get(req.sip_trunk_id)
        if trunk is None:
            raise TwirpError("not_found", "requested sip trunk does not exist")
        if not req.sip_call_to or not req.room_name:
            raise TwirpError("invalid_argument", "sip_call_to and room_name are required")
        identity = req.participant_identity or f"sip_{req.sip_call_to}"
        participant = state.add_participant(
            req.room_name, identity, req.participant_name, req.participant_metadata
        )
        call_id = new_id("SCL_")
        from_number = req.sip_number or (trunk.numbers[0] if trunk.numbers else "")
        state.sip_calls.append(
            SipCall(
                trunk.sip_trunk_id, req.sip_call_to, from_number, req.room_name, identity, call_id
            )
        )
    return proto_sip.SIPParticipantInfo(
        participant_id=participant.sid,
        participant_identity=identity,
        room_name=req.room_name,
        sip_call_id=call_id,
    )


def _transfer(state: LiveKitState, req: proto_sip.TransferSIPParticipantRequest) -> Message:
    with state.lock:
        room = state.rooms.get(req.room_name)
        if room is None:
            raise TwirpError("not_found", "requested room does not exist")
        participant = room.participants.get(req.participant_identity)
        if participant is None:
            raise TwirpError("not_found", "participant not found")
        if not req.transfer_to:
            raise TwirpError("invalid_argument", "transfer_to is required")
        # A completed SIP REFER takes the caller out of the room.
        del room.participants[req.participant_identity]
        room.room.num_participants = len(room.participants)
        state.transfers.append(Transfer(req.room_name, req.participant_identity, req.transfer_to))
    return proto_sip.TransferSIPParticipantResponse()


# --- rooms and dispatches -------------------------------------------------------------------


def _create_room(state: LiveKitState, req: proto_room.CreateRoomRequest) -> Message:
    with state.lock:
        existed = req.name in state.rooms
        room = state.ensure_room(req.name, req.metadata)
        if not existed:
            for agent in req.agents:
                state.dispatch(req.name, agent)
        return room.room


def _list_rooms(state: LiveKitState, req: proto_room.ListRoomsRequest) -> Message:
    with state.lock:
        rooms = [r.room for name, r in state.rooms.items() if not req.names or name in req.names]
    return proto_room.ListRoomsResponse(rooms=rooms)


def _delete_room(state: LiveKitState, req: proto_room.DeleteRoomRequest) -> Message:
    state.delete_room(req.room)
    return proto_room.DeleteRoomResponse()


def _list_participants(state: LiveKitState, req: proto_room.ListParticipantsRequest) -> Message:
    with state.lock:
        room = state.rooms.get(req.room)
        if room is None:
            raise TwirpError("not_found", "requested room does not exist")
        participants = list(room.participants.values())
    return proto_room.ListParticipantsResponse(participants=participants)


def _create_dispatch(
    state: LiveKitState, req: proto_dispatch.CreateAgentDispatchRequest
) -> Message:
    return state.dispatch(req.room, req)


def _list_dispatch(state: LiveKitState, req: proto_dispatch.ListAgentDispatchRequest) -> Message:
    with state.lock:
        room = state.rooms.get(req.room)
        found = [
            d
            for d in (room.dispatches.values() if room else ())
            if not req.dispatch_id or d.id == req.dispatch_id
        ]
    return proto_dispatch.ListAgentDispatchResponse(agent_dispatches=found)


def _delete_dispatch(
    state: LiveKitState, req: proto_dispatch.DeleteAgentDispatchRequest
) -> Message:
    with state.lock:
        room = state.rooms.get(req.room)
        dispatch = room.dispatches.pop(req.dispatch_id, None) if room else None
    if dispatch is None:
        raise TwirpError("not_found", "dispatch not found")
    return dispatch


def _of_room(request: Any) -> str:
    return str(getattr(request, "room", "") or getattr(request, "room_name", ""))


METHODS: dict[str, Method] = {
    "SIP/CreateSIPInboundTrunk": Method(
        proto_sip.CreateSIPInboundTrunkRequest,
        lambda s, r: s.create_inbound_trunk(r.trunk),
        sip_admin,
    ),
    "SIP/UpdateSIPInboundTrunk": Method(
        proto_sip.UpdateSIPInboundTrunkRequest, _update_inbound, sip_admin
    ),
    "SIP/CreateSIPOutboundTrunk": Method(
        proto_sip.CreateSIPOutboundTrunkRequest,
        lambda s, r: s.create_outbound_trunk(r.trunk),
        sip_admin,
    ),
    "SIP/ListSIPInboundTrunk": Method(
        proto_sip.ListSIPInboundTrunkRequest, _list_inbound, sip_admin
    ),
    "SIP/ListSIPOutboundTrunk": Method(
        proto_sip.ListSIPOutboundTrunkRequest, _list_outbound, sip_admin
    ),
    "SIP/DeleteSIPTrunk": Method(
        proto_sip.DeleteSIPTrunkRequest, lambda s, r: s.delete_trunk(r.sip_trunk_id), sip_admin
    ),
    "SIP/CreateSIPDispatchRule": Method(
        proto_sip.CreateSIPDispatchRuleRequest, _create_rule, sip_admin
    ),
    "SIP/UpdateSIPDispatchRule": Method(
        proto_sip.UpdateSIPDispatchRuleRequest, _update_rule, sip_admin
    ),
    "SIP/ListSIPDispatchRule": Method(proto_sip.ListSIPDispatchRuleRequest, _list_rules, sip_admin),
    "SIP/DeleteSIPDispatchRule": Method(
        proto_sip.DeleteSIPDispatchRuleRequest,
        lambda s, r: s.delete_dispatch_rule(r.sip_dispatch_rule_id),
        sip_admin,
    ),
    "SIP/CreateSIPParticipant": Method(
        proto_sip.CreateSIPParticipantRequest, _create_participant, sip_call
    ),
    "SIP/TransferSIPParticipant": Method(
        proto_sip.TransferSIPParticipantRequest,
        _transfer,
        all_of(sip_call, room_admin_of(_of_room)),
    ),
    "RoomService/CreateRoom": Method(proto_room.CreateRoomRequest, _create_room, room_create),
    "RoomService/ListRooms": Method(proto_room.ListRoomsRequest, _list_rooms, room_list),
    "RoomService/DeleteRoom": Method(proto_room.DeleteRoomRequest, _delete_room, room_create),
    "RoomService/ListParticipants": Method(
        proto_room.ListParticipantsRequest, _list_participants, room_admin_of(_of_room)
    ),
    "AgentDispatchService/CreateDispatch": Method(
        proto_dispatch.CreateAgentDispatchRequest, _create_dispatch, room_admin_of(_of_room)
    ),
    "AgentDispatchService/ListDispatch": Method(
        proto_dispatch.ListAgentDispatchRequest, _list_dispatch, room_admin_of(_of_room)
    ),
    "AgentDispatchService/DeleteDispatch": Method(
        proto_dispatch.DeleteAgentDispatchRequest, _delete_dispatch, room_admin_of(_of_room)
    ),
}
