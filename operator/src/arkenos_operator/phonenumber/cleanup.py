"""Deleting a line: the dispatch rule, the LiveKit trunks, the number's trunk association,
the trunk and its credential list, the outbound Secret; and the number itself only under
releasePolicy Release. Everything is found by status or by marker, and missing objects are
fine, so a retry after a partial failure picks up where the last attempt stopped."""

from __future__ import annotations

from arkenos_crds.phonenumber import PhoneNumberConditionType as C
from arkenos_crds.phonenumber import ReleasePolicy
from arkenos_operator.phonenumber import builders
from arkenos_operator.phonenumber.credentials import livekit_credentials, twilio_credentials
from arkenos_operator.phonenumber.dispatch import remove_inbound
from arkenos_operator.phonenumber.errors import ServiceError
from arkenos_operator.phonenumber.line import Line, service_failure
from arkenos_operator.phonenumber.livekit_client import LiveKitClient
from arkenos_operator.phonenumber.provision import Services
from arkenos_operator.phonenumber.sip_secret import delete_sip_credential
from arkenos_operator.phonenumber.trunk import remove_credential_list
from arkenos_operator.phonenumber.twilio_client import TwilioClient


async def teardown(line: Line, services: Services) -> None:
    keys = await livekit_credentials(line, services.settings)
    try:
        await _teardown_livekit(line, services.livekit(keys.url, keys.api_key, keys.api_secret))
    except ServiceError as error:
        raise service_failure(C.DISPATCH_READY, error) from error
    twilio_keys = await twilio_credentials(line, services.settings)
    twilio = services.twilio(twilio_keys.account_sid, twilio_keys.auth_token)
    try:
        await _teardown_twilio(line, twilio)
    except ServiceError as error:
        raise service_failure(C.TRUNK_READY, error) from error
    await delete_sip_credential(line)


async def _teardown_livekit(line: Line, livekit: LiveKitClient) -> None:
    number = line.status.get("phoneNumber") or line.spec.number
    outbound = {line.status.get("livekit", {}).get("outboundTrunkId")} - {None}
    if number:
        await remove_inbound(line, livekit, number)
        outbound |= {
            t.sip_trunk_id
            for t in await livekit.outbound_trunks(number)
            if builders.owned_by(t.metadata, line.uid)
        }
    for trunk_id in outbound:
        await livekit.delete_trunk(trunk_id)
    await line.save({"livekit": {"outboundTrunkId": None}})


async def _teardown_twilio(line: Line, twilio: TwilioClient) -> None:
    recorded = line.status.get("twilio", {})
    trunk_sid = recorded.get("trunkSid")
    if not trunk_sid:
        found = await twilio.find_trunk(builders.marker(line.uid))
        trunk_sid = found.sid if found else None
    number_sid = recorded.get("numberSid") or await _find_number_sid(line, twilio)
    if trunk_sid and number_sid:
        await twilio.disassociate_number(trunk_sid, number_sid)
    await remove_credential_list(line, twilio, trunk_sid)
    if trunk_sid:
        await twilio.delete_trunk(trunk_sid)
        await line.save({"twilio": {"trunkSid": None, "terminationDomain": None}})
    if number_sid and line.spec.release_policy == ReleasePolicy.RELEASE:
        await twilio.release_number(number_sid)
        await line.save({"twilio": {"numberSid": None}})


async def _find_number_sid(line: Line, twilio: TwilioClient) -> str | None:
    if line.spec.number:
        found = await twilio.find_numbers(phone_number=line.spec.number)
    else:
        found = await twilio.find_numbers(friendly_name=builders.marker(line.uid))
    return found[0].sid if found else None
