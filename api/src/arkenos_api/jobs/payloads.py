"""The bodies of outgoing webhooks, built once when an event fans out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.analysis.service import session_analysis
from arkenos_api.internal.models import CallSession, TranscriptSegmentRow
from arkenos_crds.voiceagent import WebhookEvent


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _call(session: CallSession, namespace: str) -> dict[str, Any]:
    return {
        "sessionId": str(session.id),
        "workspace": namespace,
        "agent": session.agent,
        "direction": session.direction,
        "caller": session.caller,
        "callee": session.callee,
        "startedAt": _iso(session.started_at),
    }


async def _transcript(db_session: AsyncSession, session: CallSession) -> list[dict[str, Any]]:
    rows = await db_session.scalars(
        select(TranscriptSegmentRow)
        .where(TranscriptSegmentRow.session_id == session.id)
        .order_by(TranscriptSegmentRow.seq)
    )
    return [{"role": row.role, "text": row.text, "startedAt": _iso(row.started_at)} for row in rows]


async def event_body(
    db_session: AsyncSession,
    *,
    event: WebhookEvent,
    session: CallSession,
    namespace: str,
    occurred_at: datetime,
) -> dict[str, Any]:
    """The Standard Webhooks envelope: ``type``, ``timestamp`` and the event's ``data``."""
    data = _call(session, namespace)
    if event is WebhookEvent.CALL_ENDED:
        data |= {
            "endedAt": _iso(session.ended_at),
            "endReason": session.end_reason,
            "status": session.status,
            "durationMs": session.duration_ms,
            "costMicros": session.cost_micros,
            "cost": session.cost,
            "transcript": await _transcript(db_session, session),
        }
    elif event is WebhookEvent.ANALYSIS_COMPLETED:
        analysis = await session_analysis(db_session, session)
        data |= {
            "endedAt": _iso(session.ended_at),
            "analysis": analysis.model_dump(by_alias=True, mode="json") if analysis else None,
        }
    return {"type": event.value, "timestamp": _iso(occurred_at), "data": data}
