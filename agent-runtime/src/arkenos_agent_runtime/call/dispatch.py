"""Which agent a job is for (its dispatch metadata) and who is on the call."""

from __future__ import annotations

from livekit import rtc

from arkenos_agent_runtime.services import CallParties
from arkenos_crds.runtime import CallDirection, DispatchMetadata

SIP_REMOTE_ATTRIBUTE = "sip.phoneNumber"
SIP_TRUNK_ATTRIBUTE = "sip.trunkPhoneNumber"


class DispatchError(Exception):
    """The job does not say which agent it is for."""


def dispatch_metadata(job_metadata: str, room_metadata: str = "") -> DispatchMetadata:
    for source in (job_metadata, room_metadata):
        if source.strip():
            return DispatchMetadata.model_validate_json(source)
    raise DispatchError("the job and room carry no dispatch metadata naming the agent")


def call_parties(
    metadata: DispatchMetadata, participant: rtc.RemoteParticipant | None
) -> CallParties:
    """Caller and callee of the call. On SIP, ``sip.phoneNumber`` is the far end and
    ``sip.trunkPhoneNumber`` our number: the caller and callee inbound, the other way out."""
    if participant is None or participant.kind != rtc.ParticipantKind.PARTICIPANT_KIND_SIP:
        return CallParties(metadata.direction, None, metadata.phone_number, None)
    attributes = participant.attributes
    remote = attributes.get(SIP_REMOTE_ATTRIBUTE) or None
    ours = attributes.get(SIP_TRUNK_ATTRIBUTE) or metadata.phone_number
    if metadata.direction == CallDirection.OUTBOUND:
        remote, ours = ours, remote
    return CallParties(
        direction=metadata.direction,
        caller=remote,
        callee=ours,
        sip_identity=participant.identity,
    )
