"""Call analytics over a time range: calls, minutes, cost, duration percentiles, end reasons
and per-stage latency percentiles, in total and per day or agent.

The sums (calls, durations, cost, unpriced calls, end reasons) come from the hourly rollup
(analytics/rollup.py) for the range's whole UTC hours, and from the sessions for the partial
hours at its edges and for the calls still in progress (which the rollup counts once they
end). Percentiles merge the rollup's histograms (analytics/histograms.py: UTC days where the
range holds whole days, hours at its edges) with the same buckets counted from the sessions
and turns of the partial hours and the live calls: approximate, within RELATIVE_ERROR (5 %)
of the exact percentile_disc, which is stated in the response, and clamped to the least and
greatest values the buckets observed (so never outside the range's [min, max], and exact for
one call or for equal values; each group of percentiles says whether it is exact).
``raw_analytics`` is the exact answer from the sessions alone (percentile_disc over every
value, min and max): the reference the tests compare against."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Uuid,
    any_,
    bindparam,
    cast,
    func,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.analytics import histograms
from arkenos_api.analytics.histograms import Metric
from arkenos_api.analytics.models import AnalyticsHistogram, AnalyticsRollup
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
        func.min(CallSession.duration_ms).label("min_duration"),
        func.max(CallSession.duration_ms).label("max_duration"),
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
            p50=durations[0],
            p90=durations[1],
            p95=durations[2],
            p99=durations[3],
            min=row.min_duration,
            max=row.max_duration,
        ),
    }


def _exact_percentiles(values: list[int] | None, low: int | None, high: int | None) -> Percentiles:
    if not values:
        return Percentiles()
    return Percentiles(p50=values[0], p95=values[1], min=low, max=high)


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
    columns = [
        column
        for stage in stages
        for column in (
            func.percentile_disc(_LATENCY_ARRAY).within_group(stage),
            func.min(stage),
            func.max(stage),
        )
    ]
    latency = (
        await db_session.execute(
            select(*columns)
            .select_from(TurnMetricRow)
            .join(CallSession, CallSession.id == TurnMetricRow.session_id)
            .where(*where)
        )
    ).one()
    return Analytics(
        started_from=started_from,
        started_to=started_to,
        group_by=group_by,
        percentile_relative_error=0.0,
        totals=CallFigures(**_figures(totals)),
        end_reasons={str(reason): int(count) for reason, count in reasons},
        latency_ms=Latency(
            end_to_end=_exact_percentiles(*latency[0:3]),
            stt=_exact_percentiles(*latency[3:6]),
            llm=_exact_percentiles(*latency[6:9]),
            tts=_exact_percentiles(*latency[9:12]),
        ),
        groups=[Group(key=str(row.key), **_figures(row)) for row in grouped],
    )


HOUR = timedelta(hours=1)
_CUSTOM_PLANS = text("SET LOCAL plan_cache_mode = force_custom_plan")


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

    def figures(self, durations: histograms.Histogram) -> dict[str, Any]:
        answers = durations.percentiles(DURATION_FRACTIONS)
        percentiles = (
            DurationPercentiles(
                p50=answers.values[0],
                p90=answers.values[1],
                p95=answers.values[2],
                p99=answers.values[3],
                min=answers.low,
                max=answers.high,
                exact=answers.exact,
            )
            if answers
            else DurationPercentiles()
        )
        return {
            "calls": self.calls,
            "minutes": round(self.total_ms / 60_000),
            "total_duration_ms": self.total_ms,
            "cost_micros": self.cost,
            "unpriced_calls": self.unpriced,
            "duration_ms": percentiles,
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
    # Planned for these bounds each time: a generic plan of these prepared statements (chosen
    # after five runs) reads the whole range of sessions for the edges (100x slower).
    await db_session.execute(_CUSTOM_PLANS)
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
    durations: dict[str, histograms.Histogram] = {}
    latencies: dict[int, histograms.Histogram] = {}

    def count(key: Any, metric: int, index: int, values: Any, low: Any, high: Any) -> None:
        # Looked up before made: a month's read counts thousands of rows into a few dozen.
        found = durations.get(str(key)) if metric == Metric.DURATION else latencies.get(metric)
        if found is None:
            found = histograms.Histogram()
            if metric == Metric.DURATION:
                durations[str(key)] = found
            else:
                latencies[metric] = found
        found.add(index, int(values), low, high)  # the sums are numeric, the bounds int

    if hours is not None:
        for row in await db_session.execute(_histogram_rows(workspace_id, agent, by_day, *hours)):
            count(*row)
    for row in await db_session.execute(_raw_durations(raw_where, session_key)):
        count(row[0], Metric.DURATION, *row[1:])
    # The turns of those sessions by their ids (the edges and live calls are few; a join
    # there is planned from a misestimate of the OR as a scan of every turn).
    raw_ids = list(await db_session.scalars(select(CallSession.id).where(*raw_where)))
    if raw_ids:
        for row in await db_session.execute(_raw_turns(raw_ids)):
            count(None, *row)
    total_durations = histograms.Histogram()
    for histogram in durations.values():
        total_durations.update(histogram)
    groups = [
        Group(key=key, **part.figures(durations.get(key, histograms.Histogram())))
        for key, part in sorted(sums.items())
    ]
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
        percentile_relative_error=histograms.RELATIVE_ERROR,
        totals=CallFigures(**totals.figures(total_durations)),
        end_reasons=dict(totals.reasons),
        latency_ms=Latency(
            end_to_end=_merged(latencies.get(Metric.END_TO_END)),
            stt=_merged(latencies.get(Metric.STT)),
            llm=_merged(latencies.get(Metric.LLM)),
            tts=_merged(latencies.get(Metric.TTS)),
        ),
        groups=groups,
    )


LATENCY_FRACTIONS = (0.5, 0.95)


def _merged(histogram: histograms.Histogram | None) -> Percentiles:
    answers = histogram.percentiles(LATENCY_FRACTIONS) if histogram else None
    if answers is None:
        return Percentiles()
    return Percentiles(
        p50=answers.values[0],
        p95=answers.values[1],
        min=answers.low,
        max=answers.high,
        exact=answers.exact,
    )


def _histogram_rows(
    workspace_id: uuid.UUID, agent: str | None, by_day: bool, first: datetime, last: datetime
) -> Any:
    """(key, metric, bucket, count, least, greatest) of the stored histograms of the whole
    hours [first, last): the day rows of its whole UTC days, the hour rows of the rest. One
    range scan per part, each index-only (the key's index holds the figures; an OR of ranges
    would be a bitmap scan of the table)."""
    h = AnalyticsHistogram
    day_first = first.replace(hour=0) + (timedelta(days=1) if first.hour else timedelta())
    day_last = last.replace(hour=0)
    if day_first < day_last:
        parts = [
            (histograms.DAY, day_first, day_last),
            (histograms.HOUR, first, day_first),
            (histograms.HOUR, day_last, last),
        ]
    else:
        parts = [(histograms.HOUR, first, last)]
    # Turn latencies are only wanted in total: their key is null, one row per bucket.
    key: ColumnElement[Any] = literal_column(
        f"CASE WHEN metric = {Metric.DURATION:d} THEN "
        + ("(period_start AT TIME ZONE 'UTC')::date::text" if by_day else "agent")
        + " END"
    )
    selects = []
    for hours, start, end in parts:
        if start >= end:
            continue
        where = [
            h.workspace_id == workspace_id,
            h.hours == hours,
            h.period_start >= start,
            h.period_start < end,
        ]
        if agent:
            where.append(h.agent == agent)
        selects.append(
            select(key.label("key"), h.metric, h.bucket, h.count, h.min_value, h.max_value).where(
                *where
            )
        )
    rows = union_all(*selects).subquery("parts")
    return select(
        rows.c.key,
        rows.c.metric,
        rows.c.bucket,
        func.sum(rows.c.count),
        func.min(rows.c.min_value),
        func.max(rows.c.max_value),
    ).group_by(rows.c.key, rows.c.metric, rows.c.bucket)


_SESSION_BUCKET: ColumnElement[Any] = literal_column(histograms.bucket_sql("sessions.duration_ms"))


def _raw_durations(where: list[ColumnElement[bool]], key: Any) -> Any:
    return (
        select(
            key,
            _SESSION_BUCKET,
            func.count(),
            func.min(CallSession.duration_ms),
            func.max(CallSession.duration_ms),
        )
        .where(*where, CallSession.duration_ms.is_not(None))
        .group_by(key, _SESSION_BUCKET)
    )


def _raw_turns(session_ids: list[uuid.UUID]) -> Any:
    """(metric, bucket, count, least, greatest) of the turns of these sessions."""
    t = TurnMetricRow
    metrics = [Metric.END_TO_END, Metric.STT, Metric.LLM, Metric.TTS]
    ids = bindparam("session_ids", session_ids, type_=postgresql.ARRAY(Uuid()))
    values = (
        select(
            func.unnest(postgresql.array([int(m) for m in metrics])).label("metric"),
            func.unnest(postgresql.array([t.end_to_end_ms, t.stt_ms, t.llm_ms, t.tts_ms])).label(
                "value"
            ),
        )
        .where(t.session_id == any_(ids))
        .subquery("stage_values")
    )
    index: ColumnElement[Any] = literal_column(histograms.bucket_sql("stage_values.value"))
    return (
        select(
            values.c.metric, index, func.count(), func.min(values.c.value), func.max(values.c.value)
        )
        .where(values.c.value.is_not(None))
        .group_by(values.c.metric, index)
    )
