"""LiveKit's webhooks: verified (a JWT signed with the platform's LiveKit key whose sha256
claim is the body's), fresh, once per event id. They keep the call log true when a worker
dies (its room finishes, or its agent drops out, and nobody reports the end: the session ends
as Lost), move outbound calls along as the callee's phone answers, is busy or never picks up,
and wake a custom agent at zero pods when a phone call to it comes in (an inbound call reaches
LiveKit through its SIP dispatch rule, never through the API: see ``calls.wake``).

Events can arrive in any order: a session that has ended is never changed again, and a call's
status only moves forward (Dialing, Ringing, Active).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from google.protobuf.json_format import ParseError
from jwt import PyJWTError
from livekit import api as lk
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.calls.redispatch import Redispatcher, Waiting
from arkenos_api.calls.wake import wake_room
from arkenos_api.core.db import utcnow
from arkenos_api.core.kube import Kube
from arkenos_api.core.livekit import LiveKit
from arkenos_api.internal.models import CallSession
from arkenos_api.sessions.lifecycle import CallStatus, finish_session
from arkenos_api.webhooks.receipts import record_once, rejected
from arkenos_crds.runtime import CallDirection, EndReason

log = logging.getLogger(__name__)

#: An event older than this is refused as stale (LiveKit delivers within seconds, retrying
#: for a few minutes).
MAX_EVENT_AGE = timedelta(minutes=10)
_Reason = lk.DisconnectReason
#: An agent that dropped out for one of these did not leave on its own: its worker is gone.
AGENT_LOST = frozenset(
    {
        _Reason.SIGNAL_CLOSE,
        _Reason.CONNECTION_TIMEOUT,
        _Reason.STATE_MISMATCH,
        _Reason.JOIN_FAILURE,
        _Reason.MEDIA_FAILURE,
        _Reason.AGENT_ERROR,
    }
)
#: How a callee who never answered left, and what the call becomes.
UNANSWERED = {
    _Reason.USER_REJECTED: (CallStatus.BUSY, "the callee was busy or declined"),
    _Reason.USER_UNAVAILABLE: (CallStatus.NO_ANSWER, "the callee did not answer"),
    _Reason.SIP_TRUNK_FAILURE: (CallStatus.FAILED, "the call could not be placed"),
}
SIP_STATUS = {
    "dialing": CallStatus.DIALING,
    "ringing": CallStatus.RINGING,
    "active": CallStatus.ACTIVE,
}
_PROGRESS = {CallStatus.DIALING: 0, CallStatus.RINGING: 1, CallStatus.ACTIVE: 2}


def verify(livekit: LiveKit, body: bytes, authorization: str) -> lk.WebhookEvent:
    """The event, if LiveKit signed it for this body; otherwise a 401 saying why."""
    token = authorization.removeprefix("Bearer ").strip()
    if not token:
        raise rejected("the webhook carries no Authorization token")
    try:
        event = livekit.webhook_receiver().receive(body.decode("utf-8"), token)
    except (PyJWTError, ValueError, ParseError) as exc:
        raise rejected(f"the webhook's token does not verify: {exc}") from exc
    except Exception as exc:
        if "sha256" in str(exc) or "hash" in str(exc):
            raise rejected("the webhook body does not match its signature") from exc
        raise
    if not event.id:
        raise rejected("the webhook has no event id")
    created = datetime.fromtimestamp(event.created_at, UTC)
    if utcnow() - created > MAX_EVENT_AGE:
        raise rejected(f"the event was created at {created.isoformat()}: too old (stale)")
    return event


async def _live_sessions(db_session: AsyncSession, room: str) -> list[CallSession]:
    return list(
        await db_session.scalars(
            select(CallSession)
            .where(CallSession.room == room, CallSession.ended_at.is_(None))
            .with_for_update()
        )
    )


async def _end_lost(db_session: AsyncSession, room: str, at: datetime) -> int:
    ended = 0
    for session in await _live_sessions(db_session, room):
        ended += await finish_session(
            db_session=db_session,
            session=session,
            ended_at=max(at, session.started_at),
            reason=EndReason.LOST,
            error="the worker never reported the end of the call",
        )
    return ended


async def _sip_joined(db_session: AsyncSession, room: str, participant: lk.ParticipantInfo) -> None:
    status = SIP_STATUS.get(participant.attributes.get("sip.callStatus", "active"))
    if status is None:
        return
    for session in await _live_sessions(db_session, room):
        if session.direction != CallDirection.OUTBOUND:
            continue
        current = _PROGRESS.get(CallStatus(session.status), 0)
        if _PROGRESS[status] > current:
            session.status = status


async def _participant_left(
    db_session: AsyncSession, room: str, participant: lk.ParticipantInfo, at: datetime
) -> None:
    reason = participant.disconnect_reason
    if participant.kind == lk.ParticipantInfo.Kind.AGENT and reason in AGENT_LOST:
        await _end_lost(db_session, room, at)
        return
    if participant.kind != lk.ParticipantInfo.Kind.SIP or reason not in UNANSWERED:
        return
    status, message = UNANSWERED[reason]
    for session in await _live_sessions(db_session, room):
        if session.direction == CallDirection.OUTBOUND and session.status != CallStatus.ACTIVE:
            await finish_session(
                db_session=db_session,
                session=session,
                ended_at=max(at, session.started_at),
                reason=EndReason.ERROR,
                error=message,
                status=status,
            )


async def handle(
    db_session: AsyncSession,
    kube: Kube,
    livekit: LiveKit,
    redispatcher: Redispatcher,
    event: lk.WebhookEvent,
) -> None:
    await record_once(db_session, f"livekit:{event.id}", event.event or "unknown")
    at = datetime.fromtimestamp(event.created_at, UTC)
    room = event.room.name
    if event.event == "room_finished":
        await _end_lost(db_session, room, at)
    elif (
        event.event == "participant_joined"
        and event.participant.kind == lk.ParticipantInfo.Kind.SIP
    ):
        await _sip_joined(db_session, room, event.participant)
        for woken in await wake_room(kube, livekit, room):
            meta = woken.metadata
            log.info("phone call in room %s wakes %s/%s", room, meta.workspace, meta.agent)
            redispatcher.watch(
                Waiting(
                    room,
                    meta.workspace,
                    meta.agent,
                    woken.dispatch.agent_name,
                    woken.dispatch.metadata,
                )
            )
    elif event.event == "participant_left":
        await _participant_left(db_session, room, event.participant, at)
