"""State of the LiveKit double: SIP trunks and dispatch rules, rooms with their participants,
agent dispatches, and the SIP calls placed and transferred; with the checks LiveKit's server
makes (conflicting trunks and rules, unknown ids).

Objects are kept as the protobuf messages the API returns. Methods raise :class:`TwirpError`
with Twirp's error code; the HTTP layer maps it to the status and JSON body.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import TypeVar

from google.protobuf.message import Message
from livekit.protocol import agent_dispatch as proto_dispatch
from livekit.protocol import models as proto_models
from livekit.protocol import sip as proto_sip

M = TypeVar("M", bound=Message)
_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class TwirpError(Exception):
    def __init__(self, code: str, msg: str, meta: dict[str, str] | None = None) -> None:
        super().__init__(msg)
        self.code, self.msg, self.meta = code, msg, meta or {}


def new_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(12))


@dataclass
class RoomState:
    room: proto_models.Room
    participants: dict[str, proto_models.ParticipantInfo] = field(default_factory=dict)
    dispatches: dict[str, proto_dispatch.AgentDispatch] = field(default_factory=dict)


@dataclass(frozen=True)
class SipCall:
    """An outbound call placed with CreateSIPParticipant."""

    trunk_id: str
    call_to: str
    from_number: str
    room_name: str
    participant_identity: str
    sip_call_id: str


@dataclass(frozen=True)
class Transfer:
    room_name: str
    participant_identity: str
    transfer_to: str


@dataclass(frozen=True)
class InboundCall:
    """Where a simulated inbound call landed."""

    trunk_id: str
    dispatch_rule_id: str
    room_name: str
    participant_identity: str
    dispatches: tuple[proto_dispatch.AgentDispatch, ...]


class LiveKitState:
    """Everything the double knows. A lock guards it: tests read it from their own thread."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.inbound_trunks: dict[str, proto_sip.SIPInboundTrunkInfo] = {}
        self.outbound_trunks: dict[str, proto_sip.SIPOutboundTrunkInfo] = {}
        self.dispatch_rules: dict[str, proto_sip.SIPDispatchRuleInfo] = {}
        self.rooms: dict[str, RoomState] = {}
        self.sip_calls: list[SipCall] = []
        self.transfers: list[Transfer] = []

    # --- trunks -------------------------------------------------------------------------------

    def create_inbound_trunk(
        self, trunk: proto_sip.SIPInboundTrunkInfo
    ) -> proto_sip.SIPInboundTrunkInfo:
        if trunk.sip_trunk_id:
            raise TwirpError("invalid_argument", "trunk id must not be set")
        if not (trunk.numbers or trunk.allowed_addresses or trunk.auth_username):
            raise TwirpError(
                "invalid_argument",
                "for security, one of the fields must be set: AuthUsername+AuthPassword, "
                "AllowedAddresses or Numbers",
            )
        with self.lock:
            for other in self.inbound_trunks.values():
                shared = set(other.numbers) & set(trunk.numbers)
                if shared:
                    raise TwirpError(
                        "invalid_argument",
                        f"Conflicting inbound SIP Trunks: {other.sip_trunk_id!r} and the new "
                        f"trunk, using the same numbers {sorted(shared)}",
                    )
            stored = _stored(trunk, "sip_trunk_id", "ST_")
            self.inbound_trunks[stored.sip_trunk_id] = stored
            return stored

    def replace_inbound_trunk(
        self, trunk_id: str, trunk: proto_sip.SIPInboundTrunkInfo
    ) -> proto_sip.SIPInboundTrunkInfo:
        with self.lock:
            existing = self.inbound_trunks.get(trunk_id)
            if existing is None:
                raise TwirpError("not_found", "requested sip trunk does not exist")
            stored = _replaced(existing, trunk, "sip_trunk_id")
            self.inbound_trunks[trunk_id] = stored
            return stored

    def create_outbound_trunk(
        self, trunk: proto_sip.SIPOutboundTrunkInfo
    ) -> proto_sip.SIPOutboundTrunkInfo:
        if trunk.sip_trunk_id:
            raise TwirpError("invalid_argument", "trunk id must not be set")
        if not trunk.address:
            raise TwirpError("invalid_argument", "no trunk address specified")
        if not trunk.numbers:
            raise TwirpError("invalid_argument", "no trunk numbers specified")
        with self.lock:
            stored = _stored(trunk, "sip_trunk_id", "ST_")
            self.outbound_trunks[stored.sip_trunk_id] = stored
            return stored

    def delete_trunk(self, trunk_id: str) -> proto_sip.SIPTrunkInfo:
        with self.lock:
            inbound = self.inbound_trunks.pop(trunk_id, None)
            if inbound is not None:
                return proto_sip.SIPTrunkInfo(
                    sip_trunk_id=trunk_id,
                    kind=proto_sip.SIPTrunkInfo.TRUNK_INBOUND,
                    name=inbound.name,
                    metadata=inbound.metadata,
                    inbound_numbers=list(inbound.numbers),
                )
            outbound = self.outbound_trunks.pop(trunk_id, None)
            if outbound is not None:
                return proto_sip.SIPTrunkInfo(
                    sip_trunk_id=trunk_id,
                    kind=proto_sip.SIPTrunkInfo.TRUNK_OUTBOUND,
                    name=outbound.name,
                    metadata=outbound.metadata,
                    outbound_address=outbound.address,
                )
        raise TwirpError("not_found", "requested sip trunk does not exist")

    # --- dispatch rules -----------------------------------------------------------------------

    def create_dispatch_rule(
        self, info: proto_sip.SIPDispatchRuleInfo
    ) -> proto_sip.SIPDispatchRuleInfo:
        if info.sip_dispatch_rule_id:
            raise TwirpError("invalid_argument", "rule id must not be set")
        with self.lock:
            self._check_rule(info, ignore_id=None)
            stored = _stored(info, "sip_dispatch_rule_id", "SDR_")
            self.dispatch_rules[stored.sip_dispatch_rule_id] = stored
            return stored

    def replace_dispatch_rule(
        self, rule_id: str, info: proto_sip.SIPDispatchRuleInfo
    ) -> proto_sip.SIPDispatchRuleInfo:
        with self.lock:
            existing = self.dispatch_rule(rule_id)
            self._check_rule(info, ignore_id=rule_id)
            stored = _replaced(existing, info, "sip_dispatch_rule_id")
            self.dispatch_rules[rule_id] = stored
            return stored

    def dispatch_rule(self, rule_id: str) -> proto_sip.SIPDispatchRuleInfo:
        with self.lock:
            try:
                return self.dispatch_rules[rule_id]
            except KeyError:
                raise TwirpError(
                    "not_found", "requested sip dispatch rule does not exist"
                ) from None

    def delete_dispatch_rule(self, rule_id: str) -> proto_sip.SIPDispatchRuleInfo:
        with self.lock:
            rule = self.dispatch_rule(rule_id)
            del self.dispatch_rules[rule_id]
            return rule

    def _check_rule(self, info: proto_sip.SIPDispatchRuleInfo, ignore_id: str | None) -> None:
        if not info.HasField("rule"):
            raise TwirpError("invalid_argument", "dispatch rule is not set")
        pin = _rule_pin(info)
        mine = set(info.trunk_ids)
        for other in self.dispatch_rules.values():
            if other.sip_dispatch_rule_id == ignore_id or _rule_pin(other) != pin:
                continue
            theirs = set(other.trunk_ids)
            if not mine or not theirs or mine & theirs:
                raise TwirpError(
                    "invalid_argument",
                    f"Conflicting SIP Dispatch Rules: same Trunk+Number+PIN combination for "
                    f"{other.sip_dispatch_rule_id!r} and the new rule",
                )

    # --- rooms and dispatches -----------------------------------------------------------------

    def ensure_room(self, name: str, metadata: str = "") -> RoomState:
        with self.lock:
            existing = self.rooms.get(name)
            if existing is not None:
                return existing
            now = time.time()
            room = proto_models.Room(
                sid=new_id("RM_"),
                name=name,
                metadata=metadata,
                empty_timeout=300,
                departure_timeout=20,
                creation_time=int(now),
                creation_time_ms=int(now * 1000),
            )
            state = self.rooms[name] = RoomState(room)
            return state

    def delete_room(self, name: str) -> None:
        with self.lock:
            if self.rooms.pop(name, None) is None:
                raise TwirpError("not_found", "requested room does not exist")

    def dispatch(
        self,
        room_name: str,
        agent: proto_dispatch.RoomAgentDispatch | proto_dispatch.CreateAgentDispatchRequest,
    ) -> proto_dispatch.AgentDispatch:
        with self.lock:
            room = self.ensure_room(room_name)
            created = proto_dispatch.AgentDispatch(
                id=new_id("AD_"),
                agent_name=agent.agent_name,
                room=room_name,
                metadata=agent.metadata,
            )
            created.state.created_at = time.time_ns()
            room.dispatches[created.id] = created
            return created

    def add_participant(
        self, room_name: str, identity: str, name: str = "", metadata: str = ""
    ) -> proto_models.ParticipantInfo:
        with self.lock:
            room = self.ensure_room(room_name)
            participant = proto_models.ParticipantInfo(
                sid=new_id("PA_"),
                identity=identity,
                name=name,
                metadata=metadata,
                kind=proto_models.ParticipantInfo.SIP,
                joined_at=int(time.time()),
            )
            room.participants[identity] = participant
            room.room.num_participants = len(room.participants)
            return participant

    # --- what a call would do -----------------------------------------------------------------

    def simulate_inbound_call(self, to_number: str, from_number: str) -> InboundCall:
        """Route a call to ``to_number`` like LiveKit's SIP service: find the inbound trunk with
        the number, the dispatch rule for that trunk, make the room and dispatch its agents."""
        with self.lock:
            trunk = next((t for t in self.inbound_trunks.values() if to_number in t.numbers), None)
            if trunk is None:
                raise LookupError(f"no inbound trunk accepts calls to {to_number}")
            rule = next(
                (
                    r
                    for r in self.dispatch_rules.values()
                    if not r.trunk_ids or trunk.sip_trunk_id in r.trunk_ids
                ),
                None,
            )
            if rule is None:
                raise LookupError(f"no dispatch rule for trunk {trunk.sip_trunk_id}")
            room_name = _room_name(rule, from_number, to_number)
            identity = f"sip_{from_number}"
            self.add_participant(room_name, identity, name=from_number)
            dispatches = tuple(self.dispatch(room_name, a) for a in rule.room_config.agents)
            return InboundCall(
                trunk.sip_trunk_id, rule.sip_dispatch_rule_id, room_name, identity, dispatches
            )

    def leaks(self) -> list[str]:
        """Ids of every SIP object still configured, for "nothing left behind" assertions."""
        with self.lock:
            return [*self.inbound_trunks, *self.outbound_trunks, *self.dispatch_rules]


def _stored(message: M, id_field: str, prefix: str) -> M:
    """A copy of a created object as the server keeps it: a new id and a creation time."""
    stored = type(message)()
    stored.CopyFrom(message)
    setattr(stored, id_field, new_id(prefix))
    stored.created_at.GetCurrentTime()  # type: ignore[attr-defined]
    return stored


def _replaced(existing: M, replacement: M, id_field: str) -> M:
    """``replacement`` as the server keeps it: the existing id and creation time, updated now."""
    stored = type(replacement)()
    stored.CopyFrom(replacement)
    setattr(stored, id_field, getattr(existing, id_field))
    stored.created_at.CopyFrom(existing.created_at)  # type: ignore[attr-defined]
    stored.updated_at.GetCurrentTime()  # type: ignore[attr-defined]
    return stored


def _rule_pin(info: proto_sip.SIPDispatchRuleInfo) -> str:
    kind = info.rule.WhichOneof("rule")
    return getattr(info.rule, kind).pin if kind else ""


def _room_name(rule: proto_sip.SIPDispatchRuleInfo, from_number: str, to_number: str) -> str:
    kind = rule.rule.WhichOneof("rule")
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    if kind == "dispatch_rule_direct":
        return rule.rule.dispatch_rule_direct.room_name
    if kind == "dispatch_rule_callee":
        callee = rule.rule.dispatch_rule_callee
        base = f"{callee.room_prefix}_{to_number}"
        return base if not callee.randomize else f"{base}_{suffix}"
    individual = rule.rule.dispatch_rule_individual
    base = f"{individual.room_prefix}_{from_number}"
    return base if individual.no_randomness else f"{base}_{suffix}"
