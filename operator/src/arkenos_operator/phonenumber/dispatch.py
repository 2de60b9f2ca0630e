"""Step 3: LiveKit. An inbound trunk carrying the number, an outbound trunk (Twilio's
termination domain and the line's SIP credential) while outbound is on, and the dispatch rule
that puts each call in its own room with the agent dispatched. With inbound off, the inbound
trunk and the dispatch rule are removed (the agent is still required: outbound calls
dispatch it too).

Objects are recognised by the owner uid in their metadata, so a crash after a create is
followed by finding, not creating again. Re-pointing the agent replaces the dispatch rule in
place (same id); nothing else changes.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message
from livekit.protocol import sip as proto_sip

from arkenos_crds.phonenumber import PhoneNumberConditionType as C
from arkenos_operator.kernel.errors import ReconcileError
from arkenos_operator.kernel.reasons import Reason
from arkenos_operator.phonenumber import builders
from arkenos_operator.phonenumber.agent import AgentView
from arkenos_operator.phonenumber.errors import ServiceError
from arkenos_operator.phonenumber.line import Line, service_failure
from arkenos_operator.phonenumber.livekit_client import LiveKitClient
from arkenos_operator.phonenumber.sip_secret import SipCredential

#: Fields the server fills in, ignored when comparing an object with the one wanted.
_SERVER_FIELDS = ("sipTrunkId", "sipDispatchRuleId", "createdAt", "updatedAt")


def _comparable(message: Message, *ignored: str) -> dict[str, Any]:
    wire = json_format.MessageToDict(message)
    return {k: v for k, v in wire.items() if k not in _SERVER_FIELDS and k not in ignored}


async def ensure_livekit(
    line: Line,
    livekit: LiveKitClient,
    number: str,
    agent: AgentView,
    credential: SipCredential | None,
    allowed_addresses: list[str],
) -> None:
    try:
        await _outbound(line, livekit, number, credential)
        if line.spec.inbound:
            inbound_id = await _inbound(line, livekit, number, allowed_addresses)
            await _dispatch_rule(line, livekit, inbound_id, number, agent)
        else:
            await remove_inbound(line, livekit, number)
            _require_agent(line, agent)
    except ServiceError as error:
        raise service_failure(C.DISPATCH_READY, error) from error


async def _inbound(
    line: Line, livekit: LiveKitClient, number: str, allowed_addresses: list[str]
) -> str:
    wanted = json_format.ParseDict(
        builders.inbound_trunk(line.namespace, line.name, line.uid, number, allowed_addresses),
        proto_sip.SIPInboundTrunkInfo(),
    )
    ours = [
        t for t in await livekit.inbound_trunks(number) if builders.owned_by(t.metadata, line.uid)
    ]
    if not ours:
        trunk_id = (await livekit.create_inbound_trunk(wanted)).sip_trunk_id
    else:
        trunk_id = ours[0].sip_trunk_id
        if _comparable(ours[0]) != _comparable(wanted):
            await livekit.replace_inbound_trunk(trunk_id, wanted)
    if line.status.get("livekit", {}).get("inboundTrunkId") != trunk_id:
        await line.save({"livekit": {"inboundTrunkId": trunk_id}})
    return trunk_id


async def _outbound(
    line: Line, livekit: LiveKitClient, number: str, credential: SipCredential | None
) -> None:
    ours = [
        t for t in await livekit.outbound_trunks(number) if builders.owned_by(t.metadata, line.uid)
    ]
    wanted = (
        json_format.ParseDict(
            builders.outbound_trunk(
                line.namespace,
                line.name,
                line.uid,
                number,
                credential.username,
                credential.password,
            ),
            proto_sip.SIPOutboundTrunkInfo(),
        )
        if credential is not None
        else None
    )
    # LiveKit need not echo the password back, so a new password is known by the Secret
    # having been made afresh rather than by comparing.
    stale = credential is None or credential.fresh
    keep = None
    for trunk in ours:
        same = wanted is not None and _comparable(trunk, "authPassword") == _comparable(
            wanted, "authPassword"
        )
        if same and not stale and keep is None:
            keep = trunk.sip_trunk_id
        else:
            await livekit.delete_trunk(trunk.sip_trunk_id)
    if wanted is not None and keep is None:
        keep = (await livekit.create_outbound_trunk(wanted)).sip_trunk_id
    if line.status.get("livekit", {}).get("outboundTrunkId") != keep:
        await line.save({"livekit": {"outboundTrunkId": keep}})


def _require_agent(line: Line, agent: AgentView) -> str:
    if not agent.found or agent.dispatch_name is None:
        raise ReconcileError(
            Reason.AGENT_NOT_FOUND,
            f"VoiceAgent {agent.name} does not exist in namespace {line.namespace}; calls "
            "cannot be routed until it does.",
            condition=C.DISPATCH_READY,
        )
    return agent.dispatch_name


async def remove_inbound(line: Line, livekit: LiveKitClient, number: str) -> None:
    """Delete the line's dispatch rules and inbound trunks (known by status or by owner)."""
    recorded = line.status.get("livekit", {})
    trunks = {recorded.get("inboundTrunkId")} - {None}
    trunks |= {
        t.sip_trunk_id
        for t in await livekit.inbound_trunks(number)
        if builders.owned_by(t.metadata, line.uid)
    }
    rules = {recorded.get("dispatchRuleId")} - {None}
    for trunk_id in trunks:
        rules |= {
            r.sip_dispatch_rule_id
            for r in await livekit.dispatch_rules(trunk_id)
            if builders.owned_by(r.metadata, line.uid)
        }
    for rule_id in rules:
        await livekit.delete_dispatch_rule(rule_id)
    for trunk_id in trunks:
        await livekit.delete_trunk(trunk_id)
    if recorded.get("dispatchRuleId") or recorded.get("inboundTrunkId"):
        await line.save({"livekit": {"dispatchRuleId": None, "inboundTrunkId": None}})


async def _dispatch_rule(
    line: Line, livekit: LiveKitClient, inbound_id: str, number: str, agent: AgentView
) -> None:
    dispatch_name = _require_agent(line, agent)
    wanted = json_format.ParseDict(
        builders.dispatch_rule(
            line.namespace,
            line.name,
            line.uid,
            inbound_id,
            agent.name,
            dispatch_name,
            number,
        ),
        proto_sip.SIPDispatchRuleInfo(),
    )
    ours = [
        r
        for r in await livekit.dispatch_rules(inbound_id)
        if builders.owned_by(r.metadata, line.uid)
    ]
    for extra in ours[1:]:
        await livekit.delete_dispatch_rule(extra.sip_dispatch_rule_id)
    if not ours:
        rule_id = (await livekit.create_dispatch_rule(wanted)).sip_dispatch_rule_id
    else:
        rule_id = ours[0].sip_dispatch_rule_id
        if _comparable(ours[0]) != _comparable(wanted):
            await livekit.replace_dispatch_rule(rule_id, wanted)
    livekit_status = line.status.get("livekit", {})
    if (
        livekit_status.get("dispatchRuleId") != rule_id
        or line.status.get("agentDispatchName") != dispatch_name
    ):
        await line.save(
            {"livekit": {"dispatchRuleId": rule_id}, "agentDispatchName": dispatch_name}
        )
