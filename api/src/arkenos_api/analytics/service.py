"""Call analytics over a time range: calls, minutes, cost, duration percentiles, end reasons
and per-stage latency percentiles, in total and per day or agent.

The sums (calls, durations, cost, unpriced calls, end reasons) come from the hourly rollup
(analytics/rollup.py) for the range's whole UTC hours, and from the sessions for the partial
hours at its edges and for the calls still in progress (which the rollup counts once they
end). Percentiles are exact (percentile_disc), so they read every value in the range: the
sessions' durations and the turns' latencies. ``raw_analytics`` is the same answer from the
sessions alone: the reference the tests compare against."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, cast, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.analytics.models import AnalyticsRollup
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


async def raw_analytics(
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


HOUR = timedelta(hours=1)


def _whole_hours(start: datetime, end: datetime) -> tuple[datetime, datetime] | None:
    """The range's whole UTC hours [first, last), or None when it holds none. In UTC first:
    an hour of a zone offset by 5:45 (Nepal) or 9:30 is not an hour of the rollup."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    floor = start.replace(minute=0, second=0, microsecond=0)
    first = floor if floor == start else floor + HOUR
    last = end.replace(minute=0, second=0, microsecond=0)
    return (first, last) if first < last else None


@dataclass
class _Sums:
    calls: int = 0
    total_ms: int = 0
    cost: int = 0
    unpriced: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, reason: str | None, calls: int, total_ms: int, cost: int, unpriced: int) -> None:
        self.calls += calls
        self.total_ms += total_ms
        self.cost += cost
        self.unpriced += unpriced
        if reason:
            self.reasons[reason] += calls

    def figures(self, durations: list[int] | None) -> dict[str, Any]:
        none: list[int | None] = [None] * len(DURATION_FRACTIONS)
        values: list[int | None] = list(durations) if durations else none
        return {
            "calls": self.calls,
            "minutes": round(self.total_ms / 60_000),
            "total_duration_ms": self.total_ms,
            "cost_micros": self.cost,
            "unpriced_calls": self.unpriced,
            "duration_ms": DurationPercentiles(
                p50=values[0], p90=values[1], p95=values[2], p99=values[3]
            ),
        }


async def analytics(
    *,
    db_session: AsyncSession,
    workspace_id: uuid.UUID,
    started_from: datetime,
    started_to: datetime,
    agent: str | None,
    group_by: GroupBy,
) -> Analytics:
    """The analytics of the range, the sums read from the rollup where it has them."""
    by_day = group_by is GroupBy.DAY
    where: list[ColumnElement[bool]] = [
        CallSession.workspace_id == workspace_id,
        CallSession.started_at >= started_from,
        CallSession.started_at < started_to,
    ]
    if agent:
        where.append(CallSession.agent == agent)
    session_key: Any = (
        cast(func.timezone("UTC", CallSession.started_at), Date) if by_day else CallSession.agent
    )
    sums: dict[str, _Sums] = {}
    hours = _whole_hours(started_from, started_to)
    raw_where = list(where)
    if hours is not None:
        first, last = hours
        rollup_key: Any = (
            cast(func.timezone("UTC", AnalyticsRollup.hour), Date)
            if by_day
            else AnalyticsRollup.agent
        )
        rollup_where = [
            AnalyticsRollup.workspace_id == workspace_id,
            AnalyticsRollup.hour >= first,
            AnalyticsRollup.hour < last,
        ]
        if agent:
            rollup_where.append(AnalyticsRollup.agent == agent)
        rolled = await db_session.execute(
            select(
                rollup_key,
                AnalyticsRollup.end_reason,
                func.sum(AnalyticsRollup.calls),
                func.sum(AnalyticsRollup.total_ms),
                func.sum(AnalyticsRollup.cost_micros),
                func.sum(AnalyticsRollup.unpriced_calls),
            )
            .where(*rollup_where)
            .group_by(rollup_key, AnalyticsRollup.end_reason)
        )
        for key, reason, calls, total_ms, cost, unpriced in rolled:
            sums.setdefault(str(key), _Sums()).add(
                reason, int(calls), int(total_ms), int(cost), int(unpriced)
            )
        # From the sessions: the partial hours at the edges, and the whole hours' live calls.
        raw_where.append(
            or_(
                CallSession.started_at < first,
                CallSession.started_at >= last,
                CallSession.ended_at.is_(None),
            )
        )
    raw = await db_session.execute(
        select(
            session_key,
            CallSession.end_reason,
            func.count(),
            func.coalesce(func.sum(CallSession.duration_ms), 0),
            func.coalesce(func.sum(CallSession.cost_micros), 0),
            func.count().filter(
                CallSession.ended_at.is_not(None), CallSession.cost_micros.is_(None)
            ),
        )
        .where(*raw_where)
        .group_by(session_key, CallSession.end_reason)
    )
    for key, reason, calls, total_ms, cost, unpriced in raw:
        sums.setdefault(str(key), _Sums()).add(
            reason, int(calls), int(total_ms), int(cost), int(unpriced)
        )
    # Exact duration percentiles, in total and per group, in one pass (grouping sets).
    durations = func.percentile_disc(_DURATION_ARRAY).within_group(CallSession.duration_ms)
    percentile_rows = await db_session.execute(
        select(session_key.label("key"), func.grouping(session_key), durations)
        .where(*where)
        .group_by(func.grouping_sets(literal_column("()"), session_key))
        .order_by(session_key)
    )
    total_durations: list[int] | None = None
    groups: list[Group] = []
    for key, grouping, values in percentile_rows:
        if grouping:
            total_durations = values
        else:
            groups.append(Group(key=str(key), **sums.get(str(key), _Sums()).figures(values)))
    totals = _Sums()
    for part in sums.values():
        totals.calls += part.calls
        totals.total_ms += part.total_ms
        totals.cost += part.cost
        totals.unpriced += part.unpriced
        totals.reasons.update(part.reasons)
    return Analytics(
        started_from=started_from,
        started_to=started_to,
        group_by=group_by,
        totals=CallFigures(**totals.figures(total_durations)),
        end_reasons=dict(totals.reasons),
        latency_ms=await _latency(db_session, where),
        groups=groups,
    )


async def _latency(db_session: AsyncSession, where: list[ColumnElement[bool]]) -> Latency:
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
    return Latency(
        end_to_end=_percentiles(latency[0]),
        stt=_percentiles(latency[1]),
        llm=_percentiles(latency[2]),
        tts=_percentiles(latency[3]),
    )
