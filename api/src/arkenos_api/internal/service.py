"""Sessions and events reported by workers: register a call, store its event batches once
per sequence number, close it."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arkenos_api.analysis.requests import analysis_requested
from arkenos_api.analytics.histograms import DAY, HOUR, ON_CONFLICT, Metric, bucket_sql
from arkenos_api.core.cache import BoundedCache
from arkenos_api.core.errors import ApiError, forbidden, not_found
from arkenos_api.core.kube import Kube
from arkenos_api.internal.config_inputs import workspace_row
from arkenos_api.internal.identity import Workload
from arkenos_api.internal.models import (
    CallSession,
)
from arkenos_api.jobs.events import record_event
from arkenos_api.jobs.pg import connection
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


#: One statement (one round trip, one prepared plan per connection) stores a whole batch:
#: each event kind arrives as column arrays and is unnested into its table; a (session, seq)
#: already stored is a retry and is skipped. The batch's size never changes the statement.
#: Turns stored after their session ended are added to the analytics histograms here (the
#: session's end counted the turns before it): the session row is share-locked, so a
#: concurrent end (which locks it for update) either counts these turns or is seen to have
#: ended, never neither nor both.
_STORE_BATCH = f"""
WITH transcripts AS (
    INSERT INTO transcript_segments (session_id, seq, role, text, started_at, ended_at)
    SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::timestamptz[],
                             $6::timestamptz[])
    ON CONFLICT (session_id, seq) DO NOTHING RETURNING 1
), usage AS (
    INSERT INTO usage_events (session_id, seq, provider, model, metric, quantity, at)
    SELECT $1, * FROM unnest($7::bigint[], $8::text[], $9::text[], $10::text[], $11::bigint[],
                             $12::timestamptz[])
    ON CONFLICT (session_id, seq) DO NOTHING RETURNING 1
), turns AS (
    INSERT INTO turn_metrics (session_id, seq, turn, end_to_end_ms, stt_ms, llm_ms, tts_ms, at)
    SELECT $1, * FROM unnest($13::bigint[], $14::int[], $15::int[], $16::int[], $17::int[],
                             $18::int[], $19::timestamptz[])
    ON CONFLICT (session_id, seq) DO NOTHING
    RETURNING end_to_end_ms, stt_ms, llm_ms, tts_ms
), ended AS (
    SELECT workspace_id, agent, started_at FROM sessions
    WHERE id = $1 AND ended_at IS NOT NULL AND cardinality($13::bigint[]) > 0
    FOR SHARE
), late_turns AS (
    INSERT INTO analytics_histograms AS h (workspace_id, hours, period_start, agent, metric,
        bucket, count, min_value, max_value)
    SELECT e.workspace_id, g.hours, date_trunc(g.unit, e.started_at, 'UTC'), e.agent, m.metric,
        {bucket_sql("m.value")} AS bucket, count(*), min(m.value), max(m.value)
    FROM ended AS e CROSS JOIN (VALUES ({HOUR}, 'hour'), ({DAY}, 'day')) AS g(hours, unit)
    CROSS JOIN turns AS t
    CROSS JOIN LATERAL (VALUES ({Metric.END_TO_END:d}, t.end_to_end_ms),
        ({Metric.STT:d}, t.stt_ms), ({Metric.LLM:d}, t.llm_ms), ({Metric.TTS:d}, t.tts_ms))
        AS m(metric, value)
    WHERE m.value IS NOT NULL
    GROUP BY e.workspace_id, g.hours, g.unit, e.started_at, e.agent, m.metric, bucket
    ORDER BY g.hours, m.metric, bucket
    {ON_CONFLICT}
), tools AS (
    INSERT INTO tool_calls (session_id, seq, name, arguments, result, error, duration_ms, at)
    SELECT $1, t.seq, t.name, t.arguments::jsonb, t.result, t.error, t.duration_ms, t.at
    FROM unnest($20::bigint[], $21::text[], $22::text[], $23::text[], $24::text[], $25::int[],
                $26::timestamptz[]) AS t(seq, name, arguments, result, error, duration_ms, at)
    ON CONFLICT (session_id, seq) DO NOTHING RETURNING 1
)
SELECT (SELECT count(*) FROM transcripts) + (SELECT count(*) FROM usage)
     + (SELECT count(*) FROM turns) + (SELECT count(*) FROM tools)
"""  # noqa: S608 (constants only)


def _batch_arguments(session_id: uuid.UUID, batch: EventBatch) -> list[Any]:
    """The batch as the statement's column arrays (attributes read directly: no model_dump)."""
    ts, us, tm, tc = batch.transcripts, batch.usage, batch.turns, batch.tool_calls
    return [
        session_id,
        [e.seq for e in ts],
        [str(e.role) for e in ts],
        [e.text for e in ts],
        [e.started_at for e in ts],
        [e.ended_at for e in ts],
        [e.seq for e in us],
        [str(e.provider) for e in us],
        [e.model for e in us],
        [str(e.metric) for e in us],
        [e.quantity for e in us],
        [e.at for e in us],
        [e.seq for e in tm],
        [e.turn for e in tm],
        [e.end_to_end_ms for e in tm],
        [e.stt_ms for e in tm],
        [e.llm_ms for e in tm],
        [e.tts_ms for e in tm],
        [e.at for e in tm],
        [e.seq for e in tc],
        [e.name for e in tc],
        [json.dumps(e.arguments) for e in tc],
        [e.result for e in tc],
        [e.error for e in tc],
        [e.duration_ms for e in tc],
        [e.at for e in tc],
    ]


#: The owner lookup of a session the cache does not hold yet (its first batch here).
_SESSION_OWNER = "SELECT served_by FROM sessions WHERE id = $1"


async def store_events(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    owners: OwnerCache,
    workload: Workload,
    session_id: uuid.UUID,
    batch: EventBatch,
) -> BatchAccepted:
    """Store the batch's events whose (session, seq) is new; the rest are retries. 404 unless
    ``workload`` registered the session.

    On a pooled connection as asyncpg's own, without an ORM session: a batch is one statement
    (atomic on its own, so no BEGIN and COMMIT around it), and the session's setup, commit and
    close were a quarter of the API's CPU per batch. Its first batch also looks up the owner.
    """
    total = len(batch.transcripts) + len(batch.usage) + len(batch.turns) + len(batch.tool_calls)
    stored = 0
    async with connection(sessionmaker) as driver:
        owner = owners.get(session_id)
        if owner is None:
            owner = await driver.fetchval(_SESSION_OWNER, session_id)
            if owner is not None:
                owners.put(session_id, owner)
        mine = owner == workload.username
        if mine and total:
            stored = int(await driver.fetchval(_STORE_BATCH, *_batch_arguments(session_id, batch)))
    if not mine:
        # A session of another workload is reported as missing, not as forbidden.
        raise not_found(f"session {session_id}")
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
