"""Call analytics over a time range: calls, minutes, cost, duration percentiles, end reasons
and per-stage latency percentiles, in total and per day or agent. Plain SQL over the indexed
sessions (workspace, started_at) and turn metrics (session primary key)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Date, cast, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.analytics.schemas import (
    Analytics,
    CallFigures,
    DurationPercentiles,
    Group,
    GroupBy,
    Latency,
    Percentiles,
)
from arkenos_api.internal.models import CallSession, TurnMetricRow

DURATION_FRACTIONS = (0.5, 0.9, 0.95, 0.99)
_DURATION_ARRAY: ColumnElement[Any] = literal_column("ARRAY[0.5, 0.9, 0.95, 0.99]::float8[]")
_LATENCY_ARRAY: ColumnElement[Any] = literal_column("ARRAY[0.5, 0.95]::float8[]")


def _figures_columns() -> list[Any]:
    return [
        func.count().label("calls"),
        func.coalesce(func.sum(CallSession.duration_ms), 0).label("total_ms"),
        func.coalesce(func.sum(CallSession.cost_micros), 0).label("cost"),
        func.count()
        .filter(CallSession.ended_at.is_not(None), CallSession.cost_micros.is_(None))
        .label("unpriced"),
        func.percentile_disc(_DURATION_ARRAY)
        .within_group(CallSession.duration_ms)
        .label("durations"),
    ]


def _figures(row: Any) -> dict[str, Any]:
    durations = row.durations or [None] * len(DURATION_FRACTIONS)
    total_ms = int(row.total_ms)
    return {
        "calls": int(row.calls),
        "minutes": round(total_ms / 60_000),
        "total_duration_ms": total_ms,
        "cost_micros": int(row.cost),
        "unpriced_calls": int(row.unpriced),
        "duration_ms": DurationPercentiles(
            p50=durations[0], p90=durations[1], p95=durations[2], p99=durations[3]
        ),
    }


def _percentiles(values: list[int] | None) -> Percentiles:
    return Percentiles(p50=values[0], p95=values[1]) if values else Percentiles()


async def analytics(
    *,
    db_session: AsyncSession,
    workspace_id: uuid.UUID,
    started_from: datetime,
    started_to: datetime,
    agent: str | None,
    group_by: GroupBy,
) -> Analytics:
    where: list[ColumnElement[bool]] = [
        CallSession.workspace_id == workspace_id,
        CallSession.started_at >= started_from,
        CallSession.started_at < started_to,
    ]
    if agent:
        where.append(CallSession.agent == agent)
    totals = (await db_session.execute(select(*_figures_columns()).where(*where))).one()
    key: Any = (
        cast(func.timezone("UTC", CallSession.started_at), Date)
        if group_by is GroupBy.DAY
        else CallSession.agent
    )
    grouped = await db_session.execute(
        select(key.label("key"), *_figures_columns()).where(*where).group_by(key).order_by(key)
    )
    reasons = await db_session.execute(
        select(CallSession.end_reason, func.count())
        .where(*where, CallSession.end_reason.is_not(None))
        .group_by(CallSession.end_reason)
    )
    stages = [
        TurnMetricRow.end_to_end_ms,
        TurnMetricRow.stt_ms,
        TurnMetricRow.llm_ms,
        TurnMetricRow.tts_ms,
    ]
    latency = (
        await db_session.execute(
            select(*(func.percentile_disc(_LATENCY_ARRAY).within_group(stage) for stage in stages))
            .select_from(TurnMetricRow)
            .join(CallSession, CallSession.id == TurnMetricRow.session_id)
            .where(*where)
        )
    ).one()
    return Analytics(
        started_from=started_from,
        started_to=started_to,
        group_by=group_by,
        totals=CallFigures(**_figures(totals)),
        end_reasons={str(reason): int(count) for reason, count in reasons},
        latency_ms=Latency(
            end_to_end=_percentiles(latency[0]),
            stt=_percentiles(latency[1]),
            llm=_percentiles(latency[2]),
            tts=_percentiles(latency[3]),
        ),
        groups=[Group(key=str(row.key), **_figures(row)) for row in grouped],
    )
