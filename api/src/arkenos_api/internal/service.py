"""Sessions and events reported by workers: register a call, store its event batches once
per sequence number, close it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.analysis.requests import analysis_requested
from arkenos_api.core.cache import BoundedCache
from arkenos_api.core.errors import ApiError, forbidden, not_found
from arkenos_api.core.kube import Kube
from arkenos_api.internal.config_inputs import workspace_row
from arkenos_api.internal.identity import Workload
from arkenos_api.internal.models import (
    CallSession,
    ToolCallRow,
    TranscriptSegmentRow,
    TurnMetricRow,
    UsageEventRow,
)
from arkenos_api.jobs.events import record_event
from arkenos_api.sessions.lifecycle import finish_session
from arkenos_crds.runtime import BatchAccepted, EventBatch, SessionEnd, SessionStart
from arkenos_crds.voiceagent import WebhookEvent

#: session id -> the workload username that registered it (never changes once written).
OwnerCache = BoundedCache[uuid.UUID, str]


async def register_session(
    *, db_session: AsyncSession, kube: Kube, workload: Workload, start: SessionStart
) -> tuple[uuid.UUID, bool]:
    """Register a call (idempotent on job_id); returns its id and whether it is new."""
    if not workload.may_ask_for(start.workspace, start.agent):
        raise forbidden(f"this workload may not serve agent {start.workspace}/{start.agent}")
    resource = await kube.get_voice_agent(start.workspace, start.agent)
    if resource is None:
        raise not_found(f"agent {start.workspace}/{start.agent}")
    if not workload.may_serve(
        start.workspace, start.agent, resource.get("spec", {}).get("mode", "Standard")
    ):
        raise forbidden(f"this workload may not serve agent {start.workspace}/{start.agent}")
    workspace_id, _ = await workspace_row(db_session, start.workspace)
    claimed = await _claim_started_call(db_session, workload, start, workspace_id)
    if claimed is not None:
        await record_event(db_session, claimed, WebhookEvent.CALL_STARTED)
        return claimed, True
    inserted = await db_session.scalar(
        insert(CallSession)
        .values(
            id=uuid.uuid4(),
            workspace_id=workspace_id,
            agent=start.agent,
            job_id=start.job_id,
            room=start.room,
            direction=start.direction,
            caller=start.caller,
            callee=start.callee,
            served_by=workload.username,
            dispatched_at=start.dispatched_at,
            started_at=start.started_at,
            analysis_requested=analysis_requested(resource),
        )
        .on_conflict_do_nothing(index_elements=["job_id"])
        .returning(CallSession.id)
    )
    if inserted is not None:
        await record_event(db_session, inserted, WebhookEvent.CALL_STARTED)
        return inserted, True
    existing = await db_session.scalar(
        select(CallSession).where(CallSession.job_id == start.job_id)
    )
    if existing is None:  # pragma: no cover - the conflicting row cannot vanish (no deletes)
        raise RuntimeError("session conflict without a session")
    same = (existing.workspace_id, existing.agent, existing.served_by) == (
        workspace_id,
        start.agent,
        workload.username,
    )
    if not same:
        raise ApiError(409, "job_registered", f"job {start.job_id} belongs to another session")
    return existing.id, False


async def _claim_started_call(
    db_session: AsyncSession, workload: Workload, start: SessionStart, workspace_id: uuid.UUID
) -> uuid.UUID | None:
    """A call the API started (browser or outbound) registered its session before the room
    existed; the worker's registration of that room takes it over instead of adding another."""
    claimed: uuid.UUID | None = await db_session.scalar(
        update(CallSession)
        .where(
            CallSession.room == start.room,
            CallSession.job_id.is_(None),
            CallSession.workspace_id == workspace_id,
            CallSession.agent == start.agent,
            CallSession.ended_at.is_(None),
        )
        .values(
            job_id=start.job_id,
            served_by=workload.username,
            dispatched_at=start.dispatched_at,
            # A browser call is connected once its worker runs; an outbound call waits for the
            # callee to answer (SIP participant events say when).
            status=case((CallSession.direction == "Web", "Active"), else_=CallSession.status),
        )
        .returning(CallSession.id)
    )
    return claimed


async def check_owner(
    db_session: AsyncSession, owners: OwnerCache, workload: Workload, session_id: uuid.UUID
) -> None:
    """404 unless ``workload`` registered the session (the only one that may act on it)."""
    owner = owners.get(session_id)
    if owner is None:
        owner = await db_session.scalar(
            select(CallSession.served_by).where(CallSession.id == session_id)
        )
        if owner is not None:
            owners.put(session_id, owner)
    if owner != workload.username:
        # A session of another workload is reported as missing, not as forbidden.
        raise not_found(f"session {session_id}")


async def _insert_new(db_session: AsyncSession, table: Any, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    result = await db_session.scalars(
        insert(table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["session_id", "seq"])
        .returning(table.seq)
    )
    return len(result.all())


async def store_events(
    *,
    db_session: AsyncSession,
    owners: OwnerCache,
    workload: Workload,
    session_id: uuid.UUID,
    batch: EventBatch,
) -> BatchAccepted:
    """Store the batch's events whose (session, seq) is new; the rest are retries."""
    await check_owner(db_session, owners, workload, session_id)
    groups = (
        (TranscriptSegmentRow, batch.transcripts),
        (UsageEventRow, batch.usage),
        (TurnMetricRow, batch.turns),
        (ToolCallRow, batch.tool_calls),
    )
    stored = total = 0
    for table, events in groups:
        rows = [{"session_id": session_id, **event.model_dump()} for event in events]
        total += len(rows)
        stored += await _insert_new(db_session, table, rows)
    return BatchAccepted(stored=stored, duplicates=total - stored)


async def end_session(
    *,
    db_session: AsyncSession,
    owners: OwnerCache,
    workload: Workload,
    session_id: uuid.UUID,
    end: SessionEnd,
) -> None:
    """Close the session; a repeated end keeps the first one."""
    await check_owner(db_session, owners, workload, session_id)
    session = await db_session.get_one(CallSession, session_id, with_for_update=True)
    await finish_session(
        db_session=db_session,
        session=session,
        ended_at=end.ended_at,
        reason=end.reason,
        error=end.error,
    )
