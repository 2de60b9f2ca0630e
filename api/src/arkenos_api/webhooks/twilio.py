"""Twilio's call status callbacks for a workspace's outbound calls, verified with twilio's
``RequestValidator`` (X-Twilio-Signature: HMAC-SHA1 of the URL and the sorted form fields,
keyed with the account's auth token): ringing, answered, busy, no answer and failed move the
call's session along. Each (call, status) is acted on once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from twilio.request_validator import RequestValidator

from arkenos_api.core.db import utcnow
from arkenos_api.internal.models import CallSession
from arkenos_api.keys.crypto import Keyring
from arkenos_api.keys.service import read_keys
from arkenos_api.sessions.lifecycle import CallStatus, finish_session
from arkenos_api.settings import Settings
from arkenos_api.webhooks.receipts import record_once, rejected
from arkenos_api.workspaces.models import Workspace
from arkenos_crds.runtime import CallDirection, EndReason, Provider

PROGRESS = {"ringing": CallStatus.RINGING, "in-progress": CallStatus.ACTIVE}
FINAL = {
    "busy": (CallStatus.BUSY, "the callee was busy"),
    "no-answer": (CallStatus.NO_ANSWER, "the callee did not answer"),
    "failed": (CallStatus.FAILED, "Twilio could not place the call"),
    "canceled": (CallStatus.FAILED, "the call was canceled before it connected"),
}


async def account_for(
    db_session: AsyncSession, keyring: Keyring, settings: Settings, namespace: str
) -> tuple[Workspace, str, str]:
    """(workspace, account SID, auth token) whose calls the callback is about: the workspace's
    stored Twilio key, else the platform's account."""
    workspace = await db_session.scalar(select(Workspace).where(Workspace.namespace == namespace))
    if workspace is None:
        raise rejected("no such workspace")
    stored = await read_keys(
        db_session=db_session,
        keyring=keyring,
        workspace_id=workspace.id,
        providers={Provider.TWILIO},
    )
    if Provider.TWILIO in stored:
        sid, _, token = stored[Provider.TWILIO].partition(":")
        return workspace, sid, token
    if settings.twilio_account_sid and settings.twilio_auth_token:
        return workspace, settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value()
    raise rejected("there are no Twilio credentials to verify this callback with")


def verify(token: str, account_sid: str, url: str, form: dict[str, str], signature: str) -> None:
    if not signature:
        raise rejected("the callback has no X-Twilio-Signature")
    if not RequestValidator(token).validate(url, form, signature):
        raise rejected("X-Twilio-Signature does not match (wrong account or altered request)")
    if form.get("AccountSid") != account_sid:
        raise rejected("the callback is for another Twilio account")


async def handle(db_session: AsyncSession, workspace: Workspace, form: dict[str, str]) -> None:
    call_sid, status = form.get("CallSid", ""), form.get("CallStatus", "")
    if not call_sid or not status:
        raise rejected("the callback lacks CallSid or CallStatus")
    await record_once(db_session, f"twilio:{call_sid}:{status}", f"call-status:{status}")
    session = await db_session.scalar(
        select(CallSession)
        .where(
            CallSession.workspace_id == workspace.id,
            CallSession.direction == CallDirection.OUTBOUND,
            CallSession.callee == form.get("To"),
            CallSession.caller == form.get("From"),
            CallSession.ended_at.is_(None),
        )
        .order_by(CallSession.started_at.desc())
        .limit(1)
        .with_for_update()
    )
    if session is None:
        return
    if status in PROGRESS:
        order = [CallStatus.DIALING, CallStatus.RINGING, CallStatus.ACTIVE]
        if order.index(PROGRESS[status]) > order.index(CallStatus(session.status)):
            session.status = PROGRESS[status]
    elif status in FINAL and session.status != CallStatus.ACTIVE:
        final, message = FINAL[status]
        await finish_session(
            db_session=db_session,
            session=session,
            ended_at=utcnow(),
            reason=EndReason.ERROR,
            error=message,
            status=final,
        )
