"""Webhook deliveries signed the way livekit-server signs them: the event as protobuf JSON in
the body, and an ``Authorization`` header holding a JWT issued by the API key, with the
base64 SHA-256 of the body in its ``sha256`` claim (livekit/protocol's webhook notifier)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from datetime import timedelta

from google.protobuf import json_format
from livekit.api.access_token import AccessToken
from livekit.protocol import models as proto_models
from livekit.protocol.webhook import WebhookEvent

CONTENT_TYPE = "application/webhook+json"


def event(
    kind: str,
    room: str,
    *,
    participant: proto_models.ParticipantInfo | None = None,
    created_at: int | None = None,
    event_id: str | None = None,
) -> WebhookEvent:
    built = WebhookEvent(
        event=kind,
        id=event_id or "EV_" + secrets.token_hex(6),
        created_at=created_at if created_at is not None else int(time.time()),
    )
    built.room.name = room
    if participant is not None:
        built.participant.CopyFrom(participant)
    return built


def signed(
    webhook: WebhookEvent, api_key: str, api_secret: str, *, ttl: timedelta = timedelta(minutes=5)
) -> tuple[bytes, dict[str, str]]:
    """(body, headers) of one delivery."""
    body = json_format.MessageToJson(webhook, indent=None).encode()
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    token = AccessToken(api_key, api_secret).with_sha256(digest).with_ttl(ttl).to_jwt()
    return body, {"Authorization": token, "Content-Type": CONTENT_TYPE}


def sip_participant(
    identity: str, *, call_status: str | None = None, reason: int = 0
) -> proto_models.ParticipantInfo:
    participant = proto_models.ParticipantInfo(
        identity=identity, kind=proto_models.ParticipantInfo.SIP, disconnect_reason=reason
    )
    if call_status:
        participant.attributes["sip.callStatus"] = call_status
    return participant


def agent_participant(reason: int) -> proto_models.ParticipantInfo:
    return proto_models.ParticipantInfo(
        identity="agent-AJ_1", kind=proto_models.ParticipantInfo.AGENT, disconnect_reason=reason
    )
