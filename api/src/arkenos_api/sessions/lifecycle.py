"""The one way a session ends, whoever ends it (its worker, LiveKit's webhook for a worker
that died, a call that was never answered): the end is recorded once, the call is priced, and
everything happens in the caller's transaction, so the post-call jobs (webhooks, analysis) are
enqueued here, atomically with the end they follow from."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.analytics import rollup
from arkenos_api.internal.models import CallSession
from arkenos_api.jobs.events import record_event
from arkenos_api.jobs.queue import Entrypoint, enqueue
from arkenos_api.pricing.service import price_session
from arkenos_crds.runtime import EndReason
from arkenos_crds.voiceagent import WebhookEvent


class CallStatus(StrEnum):
    """Where a call is. The last four are final."""

    DIALING = "Dialing"  # the API created the room; no worker or callee yet
    RINGING = "Ringing"  # an outbound call's callee is being rung
    ACTIVE = "Active"  # connected (a worker registered it, or the callee answered)
    ENDED = "Ended"
    BUSY = "Busy"
    NO_ANSWER = "NoAnswer"
    FAILED = "Failed"


FINAL_STATUSES = frozenset(
    {CallStatus.ENDED, CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.FAILED}
)


async def finish_session(
    *,
    db_session: AsyncSession,
    session: CallSession,
    ended_at: datetime,
    reason: EndReason,
    error: str | None = None,
    status: CallStatus = CallStatus.ENDED,
) -> bool:
    """End ``session`` (locked by the caller) unless it already ended; True when this call
    ended it. The first end wins: a later one (a retry, a late webhook) changes nothing."""
    if session.ended_at is not None:
        return False
    session.ended_at, session.end_reason, session.error = ended_at, reason, error
    session.status = status
    # The generated duration is computed by PostgreSQL; write the end first so pricing sees it.
    await db_session.flush()
    await db_session.refresh(session, ["duration_ms"])
    await price_session(db_session=db_session, session=session)
    # The analytics rollup counts the call now, in this transaction (analytics/rollup.py).
    await rollup.add_ended(db_session, session)
    # Post-call jobs (outgoing webhooks, analysis) are enqueued here, in this transaction.
    await record_event(db_session, session.id, WebhookEvent.CALL_ENDED)
    if session.analysis_requested and status == CallStatus.ENDED:
        # Only a call that connected has a conversation to analyse.
        await enqueue(db_session, Entrypoint.ANALYSE, {"session": str(session.id)})
    return True
