"""Reading the call log: a filtered page of sessions (keyset pagination, newest first, stable
while new calls arrive), one session in full, and exports streamed in pages."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arkenos_api.analysis.service import session_analysis
from arkenos_api.core.errors import not_found
from arkenos_api.internal.models import (
    CallSession,
    ToolCallRow,
    TranscriptSegmentRow,
    TurnMetricRow,
    UsageEventRow,
)
from arkenos_api.sessions.filters import SessionFilters, after_cursor, encode_cursor
from arkenos_api.sessions.redaction import redact
from arkenos_api.sessions.schemas import (
    SessionDetail,
    SessionPage,
    SessionSummary,
    ToolCallOut,
    TranscriptLine,
    TurnLatency,
    UsageTotal,
)
from arkenos_api.sessions.search import Plan, SearchTuning, estimate, walk, walked_count

_SUMMARY_COLUMNS = (
    CallSession.id,
    CallSession.agent,
    CallSession.direction,
    CallSession.status,
    CallSession.end_reason,
    CallSession.phone_number,
    CallSession.caller,
    CallSession.callee,
    CallSession.room,
    CallSession.started_at,
    CallSession.ended_at,
    CallSession.duration_ms,
    CallSession.cost_micros,
    CallSession.cost["status"].astext.label("cost_status"),
)


DEFAULT_SEARCH = SearchTuning()


async def list_sessions(
    *,
    db_session: AsyncSession,
    workspace_id: uuid.UUID,
    filters: SessionFilters,
    cursor: str | None,
    limit: int,
    search: SearchTuning = DEFAULT_SEARCH,
) -> SessionPage:
    page, _ = await list_sessions_by_plan(
        db_session=db_session,
        workspace_id=workspace_id,
        filters=filters,
        cursor=cursor,
        limit=limit,
        search=search,
    )
    return page


async def list_sessions_by_plan(
    *,
    db_session: AsyncSession,
    workspace_id: uuid.UUID,
    filters: SessionFilters,
    cursor: str | None,
    limit: int,
    search: SearchTuning = DEFAULT_SEARCH,
) -> tuple[SessionPage, Plan | None]:
    """The page, and which search plan answered it (None without a text search)."""
    conditions = [*filters.conditions(workspace_id, with_text=False), *after_cursor(cursor)]
    plan: Plan | None = None
    if filters.text:
        needs_estimate = search.plan is None or search.walk_budget is None
        found = await estimate(db_session, filters.text) if needs_estimate else None
        plan, budget = search.choose(found, limit)
        if plan is Plan.WALK:
            walked = walk(_SUMMARY_COLUMNS, conditions, filters.text, limit + 1, budget)
            rows = (await db_session.execute(walked)).all()
            # A short page is the answer when the walk saw every remaining session; else the
            # words are rarer here than the estimate said and the gather answers instead.
            if (
                len(rows) > limit
                or await db_session.scalar(walked_count(conditions, budget)) < budget
            ):
                return _page(rows, limit), plan
            plan = Plan.GATHER
        conditions.append(filters.gathered_text())
    rows = (
        await db_session.execute(
            select(*_SUMMARY_COLUMNS)
            .where(*conditions)
            .order_by(CallSession.started_at.desc(), CallSession.id.desc())
            .limit(limit + 1)
        )
    ).all()
    return _page(rows, limit), plan


def _page(rows: Sequence[Any], limit: int) -> SessionPage:
    items = [SessionSummary.model_validate(row._mapping) for row in rows[:limit]]
    more = len(rows) > limit
    next_cursor = encode_cursor(items[-1].started_at, items[-1].id) if more and items else None
    return SessionPage(items=items, next_cursor=next_cursor)


def _tool_call(row: ToolCallRow) -> ToolCallOut:
    result: Any = row.result
    if result is not None:
        try:
            result = redact(json.loads(result))
        except ValueError:
            result = redact(result)
    return ToolCallOut(
        seq=row.seq,
        name=row.name,
        arguments=redact(row.arguments),
        result=result,
        error=redact(row.error) if row.error else None,
        duration_ms=row.duration_ms,
        at=row.at,
    )


async def get_session(
    *, db_session: AsyncSession, workspace_id: uuid.UUID, session_id: uuid.UUID
) -> SessionDetail:
    session = await db_session.scalar(
        select(CallSession).where(
            CallSession.id == session_id, CallSession.workspace_id == workspace_id
        )
    )
    if session is None:
        raise not_found(f"session {session_id}")
    transcript = await db_session.scalars(
        select(TranscriptSegmentRow)
        .where(TranscriptSegmentRow.session_id == session_id)
        .order_by(TranscriptSegmentRow.started_at, TranscriptSegmentRow.seq)
    )
    turns = await db_session.scalars(
        select(TurnMetricRow)
        .where(TurnMetricRow.session_id == session_id)
        .order_by(TurnMetricRow.turn, TurnMetricRow.seq)
    )
    usage = await db_session.execute(
        select(
            UsageEventRow.provider,
            UsageEventRow.model,
            UsageEventRow.metric,
            func.sum(UsageEventRow.quantity).label("quantity"),
        )
        .where(UsageEventRow.session_id == session_id)
        .group_by(UsageEventRow.provider, UsageEventRow.model, UsageEventRow.metric)
        .order_by(UsageEventRow.provider, UsageEventRow.model, UsageEventRow.metric)
    )
    tools = await db_session.scalars(
        select(ToolCallRow).where(ToolCallRow.session_id == session_id).order_by(ToolCallRow.seq)
    )
    return SessionDetail(
        id=session.id,
        agent=session.agent,
        direction=session.direction,
        status=session.status,
        end_reason=session.end_reason,
        phone_number=session.phone_number,
        caller=session.caller,
        callee=session.callee,
        room=session.room,
        started_at=session.started_at,
        ended_at=session.ended_at,
        duration_ms=session.duration_ms,
        cost_micros=session.cost_micros,
        cost_status=(session.cost or {}).get("status"),
        error=session.error,
        variables=session.variables,
        transcript=[TranscriptLine.model_validate(t, from_attributes=True) for t in transcript],
        turns=[TurnLatency.model_validate(t, from_attributes=True) for t in turns],
        usage=[UsageTotal.model_validate(u._mapping) for u in usage],
        tool_calls=[_tool_call(t) for t in tools],
        cost=session.cost,
        analysis=await session_analysis(db_session, session),
    )


EXPORT_PAGE = 1000


async def export_pages(
    sessionmaker: async_sessionmaker[AsyncSession],
    workspace_id: uuid.UUID,
    filters: SessionFilters,
) -> AsyncIterator[list[SessionSummary]]:
    """Every matching session, newest first, a page per short transaction (an export never
    holds a connection or a snapshot for its whole length)."""
    cursor: str | None = None
    while True:
        async with sessionmaker() as db_session:
            page = await list_sessions(
                db_session=db_session,
                workspace_id=workspace_id,
                filters=filters,
                cursor=cursor,
                limit=EXPORT_PAGE,
            )
        if page.items:
            yield page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
