"""Step 2: the line's Twilio Elastic SIP trunk (one per PhoneNumber; see builders for why).

Inbound (when enabled): an origination URL to LiveKit's SIP endpoint. Always: the number
associated with the trunk. Outbound (when enabled): the termination domain and a credential
list whose password lives in a Secret; turning outbound off removes both. Each object is found
by the line's marker before it is created, and its SID written to status at once.
"""

from __future__ import annotations

from arkenos_crds.phonenumber import PhoneNumberConditionType as C
from arkenos_operator.kernel.errors import ReconcileError
from arkenos_operator.kernel.reasons import Reason
from arkenos_operator.phonenumber import builders
from arkenos_operator.phonenumber.errors import ServiceError
from arkenos_operator.phonenumber.line import Line, service_failure
from arkenos_operator.phonenumber.sip_secret import (
    SipCredential,
    delete_sip_credential,
    ensure_sip_credential,
)
from arkenos_operator.phonenumber.twilio_client import NumberRecord, TrunkRecord, TwilioClient


async def ensure_trunk(
    line: Line, twilio: TwilioClient, number: NumberRecord, sip_uri: str | None
) -> SipCredential | None:
    """Wire the trunk; returns the outbound credential when outbound is on."""
    if not sip_uri:
        raise ReconcileError(
            Reason.LIVEKIT_SIP_URI_MISSING,
            "The operator has no LiveKit SIP URI to send calls to (ARKENOS_LIVEKIT_SIP_URI).",
            condition=C.TRUNK_READY,
        )
    try:
        trunk = await _trunk(line, twilio)
        await _origination(line, twilio, trunk, sip_uri)
        await _associate(twilio, trunk, number)
        if line.spec.outbound:
            return await _enable_outbound(line, twilio, trunk)
        await _disable_outbound(line, twilio, trunk)
        return None
    except ServiceError as error:
        raise service_failure(C.TRUNK_READY, error) from error


async def _trunk(line: Line, twilio: TwilioClient) -> TrunkRecord:
    sid = line.status.get("twilio", {}).get("trunkSid")
    trunk = await twilio.fetch_trunk(sid) if sid else None
    if trunk is None:
        name = builders.marker(line.uid)
        trunk = await twilio.find_trunk(name) or await twilio.create_trunk(name)
    if sid != trunk.sid:
        await line.save({"twilio": {"trunkSid": trunk.sid}})
    return trunk


async def _origination(line: Line, twilio: TwilioClient, trunk: TrunkRecord, sip_uri: str) -> None:
    """Calls to the number go to LiveKit exactly when inbound is on."""
    urls = await twilio.origination_urls(trunk.sid)
    if line.spec.inbound and sip_uri not in urls:
        await twilio.add_origination_url(trunk.sid, sip_uri, "livekit")
    if not line.spec.inbound:
        for sid in urls.values():
            await twilio.delete_origination_url(trunk.sid, sid)


async def _associate(twilio: TwilioClient, trunk: TrunkRecord, number: NumberRecord) -> None:
    if number.trunk_sid == trunk.sid:
        return
    if number.trunk_sid:
        raise ReconcileError(
            Reason.NUMBER_ON_ANOTHER_TRUNK,
            f"{number.phone_number} is associated with the Elastic SIP trunk {number.trunk_sid}, "
            "which this operator does not manage. Remove it from that trunk in Twilio.",
            condition=C.TRUNK_READY,
        )
    await twilio.associate_number(trunk.sid, number.sid)


async def _enable_outbound(line: Line, twilio: TwilioClient, trunk: TrunkRecord) -> SipCredential:
    domain = builders.termination_domain(line.uid)
    if trunk.domain_name != domain:
        await twilio.set_trunk_domain(trunk.sid, domain)
    credential = await ensure_sip_credential(line)
    name = builders.marker(line.uid)
    existing = await twilio.find_credential_list(name)
    if existing is not None and credential.fresh:
        # The Secret was lost: Twilio holds a password nobody knows any more. Start over.
        await twilio.detach_credential_list(trunk.sid, existing.sid)
        await twilio.delete_credential_list(existing.sid)
        existing = None
    credential_list = existing or await twilio.create_credential_list(name)
    await line.save({"twilio": {"credentialListSid": credential_list.sid}})
    if credential.username not in await twilio.credential_usernames(credential_list.sid):
        await twilio.add_credential(credential_list.sid, credential.username, credential.password)
    if credential_list.sid not in await twilio.trunk_credential_list_sids(trunk.sid):
        await twilio.attach_credential_list(trunk.sid, credential_list.sid)
    if line.status.get("twilio", {}).get("terminationDomain") != domain:
        await line.save({"twilio": {"terminationDomain": domain}})
    return credential


async def _disable_outbound(line: Line, twilio: TwilioClient, trunk: TrunkRecord) -> None:
    await remove_credential_list(line, twilio, trunk.sid)
    if trunk.domain_name:
        await twilio.set_trunk_domain(trunk.sid, None)
    await delete_sip_credential(line)
    if line.status.get("twilio", {}).get("terminationDomain"):
        await line.save({"twilio": {"terminationDomain": None}})


async def remove_credential_list(line: Line, twilio: TwilioClient, trunk_sid: str | None) -> None:
    """Detach and delete the line's credential list, known by status or by marker."""
    sid = line.status.get("twilio", {}).get("credentialListSid")
    if not sid:
        found = await twilio.find_credential_list(builders.marker(line.uid))
        sid = found.sid if found else None
    if sid:
        if trunk_sid:
            await twilio.detach_credential_list(trunk_sid, sid)
        await twilio.delete_credential_list(sid)
    if line.status.get("twilio", {}).get("credentialListSid"):
        await line.save({"twilio": {"credentialListSid": None}})
