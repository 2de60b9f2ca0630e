"""What the worker gateway lets through, one protobuf message at a time: pure functions over
LiveKit's agent worker protocol (``livekit.protocol.agent``), no I/O.

From the worker: the registration only under the agent's own dispatch name, for room jobs,
with permissions clamped (never hidden, recorder, metrics or agent-session control); answers,
status and migrations only for jobs offered on this connection or reported as its own; no
simulated jobs (they would name any room). From LiveKit: a job assignment only with a token for
the job's own room and nothing wider, pointed at the URL workers join rooms at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import jwt
from livekit.api import TokenVerifier
from livekit.api.access_token import Claims
from livekit.protocol import agent as proto
from livekit.protocol import models

#: livekit-agents' participant attribute carrying the agent's name (ATTRIBUTE_AGENT_NAME).
AGENT_NAME_ATTRIBUTE = "lk.agent.name"
#: Identities a worker may choose; livekit-agents' default is ``agent-<job id>``. Anything else
#: (another participant's identity would disconnect that participant) becomes "", for which
#: LiveKit picks ``agent-<job id>`` itself.
_IDENTITY = re.compile(r"agent-[A-Za-z0-9._-]{1,120}")
MAX_NAME = 256
MAX_METADATA = 64 * 1024
MAX_ATTRIBUTES = 32
MAX_ATTRIBUTE_KEY = 128
MAX_ATTRIBUTE_VALUE = 4096


class Refused(Exception):
    """A message the gateway does not forward; the connection closes with this reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AgentIdentity:
    """The one custom agent a worker connection was authenticated as."""

    namespace: str
    name: str
    dispatch_name: str
    #: The VoiceAgent's uid when the connection was admitted: a connection outlives neither
    #: the agent nor a recreation of it under the same name (a new uid, new key pair).
    uid: str | None = None


@dataclass
class Connection:
    """What one worker connection may refer to: the jobs LiveKit offered or assigned on it,
    and those the worker reported as running after a reconnect (their ids are secrets LiveKit
    handed to this agent's workers)."""

    agent: AgentIdentity
    jobs: set[str] = field(default_factory=set)


def admit_registration(message: proto.WorkerMessage, agent: AgentIdentity) -> proto.WorkerMessage:
    """The registration to send upstream, or Refused: exactly the agent's own dispatch name
    (an empty name would take every room's automatic dispatch), room jobs only."""
    if message.WhichOneof("message") != "register":
        raise Refused("the first message must register the worker")
    register = message.register
    if register.agent_name != agent.dispatch_name:
        raise Refused(
            f'agent name "{register.agent_name}" refused: this worker may register only as '
            f'"{agent.dispatch_name}"'
        )
    if register.type != proto.JobType.JT_ROOM:
        raise Refused("only room jobs (JT_ROOM) may be registered through the gateway")
    clamped = proto.RegisterWorkerRequest()
    clamped.CopyFrom(register)
    clamped.namespace = ""
    del clamped.endpoints[:]  # HTTP endpoints exposed through LiveKit: not for tenants
    clamped.allowed_permissions.CopyFrom(clamp_permissions(register.allowed_permissions))
    return proto.WorkerMessage(register=clamped)


def clamp_permissions(wanted: models.ParticipantPermission) -> models.ParticipantPermission:
    """A participant's rights in its own room, nothing that hides it or reaches further."""
    return models.ParticipantPermission(
        can_subscribe=wanted.can_subscribe,
        can_publish=wanted.can_publish,
        can_publish_data=wanted.can_publish_data,
        can_publish_sources=list(wanted.can_publish_sources),
        can_update_metadata=wanted.can_update_metadata,
        hidden=False,
        recorder=False,
        agent=True,
        can_subscribe_metrics=False,
        can_manage_agent_session=False,
    )


def from_worker(message: proto.WorkerMessage, connection: Connection) -> proto.WorkerMessage:
    """The worker's message to forward upstream (possibly clamped), or Refused."""
    kind = message.WhichOneof("message")
    if kind in ("ping", "update_worker"):
        return message
    if kind == "availability":
        _known(connection, message.availability.job_id)
        return proto.WorkerMessage(
            availability=clamp_availability(message.availability, connection)
        )
    if kind == "update_job":
        _known(connection, message.update_job.job_id)
        return message
    if kind == "migrate_job":
        if len(message.migrate_job.jobs):
            raise Refused("a migration may name job ids only, not job descriptions")
        connection.jobs.update(message.migrate_job.job_ids)
        return message
    if kind == "register":
        raise Refused("the worker is already registered")
    if kind == "simulate_job":
        raise Refused("simulated jobs are not allowed through the gateway")
    raise Refused(f"unknown worker message {kind!r}")


def clamp_availability(
    answer: proto.AvailabilityResponse, connection: Connection
) -> proto.AvailabilityResponse:
    """The answer to a job offer with the participant it asks for kept to an agent's own."""
    if len(answer.participant_metadata.encode()) > MAX_METADATA:
        raise Refused(f"participant metadata is longer than {MAX_METADATA} bytes")
    attributes = {
        key: value
        for key, value in answer.participant_attributes.items()
        if not key.startswith("lk.")
    }
    if len(attributes) > MAX_ATTRIBUTES or any(
        len(k) > MAX_ATTRIBUTE_KEY or len(v) > MAX_ATTRIBUTE_VALUE for k, v in attributes.items()
    ):
        raise Refused(
            f"at most {MAX_ATTRIBUTES} participant attributes, keys up to "
            f"{MAX_ATTRIBUTE_KEY} and values up to {MAX_ATTRIBUTE_VALUE} characters"
        )
    attributes[AGENT_NAME_ATTRIBUTE] = connection.agent.dispatch_name
    identity = answer.participant_identity
    return proto.AvailabilityResponse(
        job_id=answer.job_id,
        available=answer.available,
        supports_resume=answer.supports_resume,
        terminate=answer.terminate,
        participant_identity=identity if _IDENTITY.fullmatch(identity) else "",
        participant_name=answer.participant_name[:MAX_NAME],
        participant_metadata=answer.participant_metadata,
        participant_attributes=attributes,
    )


def from_server(
    message: proto.ServerMessage, connection: Connection, verifier: TokenVerifier, room_url: str
) -> proto.ServerMessage:
    """LiveKit's message to forward to the worker, or Refused (a token wider than its job)."""
    kind = message.WhichOneof("message")
    if kind == "availability":
        connection.jobs.add(message.availability.job.id)
    elif kind == "assignment":
        assignment = message.assignment
        try:
            claims = verifier.verify(assignment.token)
        except jwt.PyJWTError as error:
            raise Refused(f"LiveKit's job token does not verify: {error}") from error
        check_job_token(claims, assignment.job.room.name)
        connection.jobs.add(assignment.job.id)
        if not assignment.url:
            # Without one, livekit-agents joins the room at its own LIVEKIT_URL: the gateway.
            assignment.url = room_url
    return message


def check_job_token(claims: Claims, room: str) -> None:
    """A job's token must join the job's room only, with no administrative grant."""
    video = claims.video
    if video is None or not room or video.room != room or not video.room_join:
        raise Refused("LiveKit's job token does not join exactly the job's room")
    wider = (
        video.room_admin,
        video.room_create,
        video.room_list,
        video.room_record,
        video.ingress_admin,
        video.hidden,
        video.recorder,
        video.destination_room,
    )
    sip = claims.sip
    if any(wider) or (sip is not None and (sip.admin or sip.call)):
        raise Refused("LiveKit's job token carries grants beyond the job's room")


def _known(connection: Connection, job_id: str) -> None:
    if job_id not in connection.jobs:
        raise Refused(f"job {job_id!r} was not offered to this worker")
