"""Latency and duration histograms of the analytics rollup, from which the analytics read their
percentiles instead of sorting every call and turn of the range.

A value v (whole milliseconds) falls in bucket 0 when v < 1, else in bucket
``1 + floor(ln v / ln RATIO)``, which holds [RATIO**(b-1), RATIO**b): fixed, log-spaced
boundaries, the same for every row, so histograms merge by adding counts. Each row also keeps
the least and the greatest value it counted (merged by least/greatest). A percentile is found
the way ``percentile_disc`` finds it (the value at rank ceil(f * n) of the n values) in the
merged counts, and answered with a whole number inside that rank's bucket (its geometric
middle) clamped to the bucket's observed [least, greatest]. The exact value lies in that same
interval, so the answer is within RATIO - 1 (5 %) of it, relative, and usually within half
that; and it is never outside what was observed. It is exact (and says so) when the rank is
the bucket's first (its least value) or last (its greatest), or when the bucket's values are
all equal: one call answers its own duration, identical values answer that value.

Rows are kept per workspace, agent and UTC hour and per UTC day of the session's start (the
day rows let a month read thirty rows per agent and bucket instead of 720), per metric
(duration, then the turns' end to end, STT, LLM, TTS): in the same transaction as a session's
end (its duration and the turns stored so far) and as a turn stored after its session ended
(internal/service.py), so they are exact counts at every commit, like the rollup's sums.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

RATIO = 1.05
#: The bound on a percentile's relative error, stated in the analytics response.
RELATIVE_ERROR = round(RATIO - 1, 4)
_LN_RATIO = math.log(RATIO)


class Metric(IntEnum):
    DURATION = 0
    END_TO_END = 1
    STT = 2
    LLM = 3
    TTS = 4


#: Stored per UTC hour and per UTC day of the start.
HOUR, DAY = 1, 24


def bucket_sql(value: str) -> str:
    """SQL of the bucket of the integer expression ``value`` (bucket() in Python)."""
    return (
        f"(CASE WHEN {value} >= 1"
        f" THEN 1 + floor(ln(({value})::float8) / {_LN_RATIO!r})::int ELSE 0 END)"
    )


def bucket(value: int) -> int:
    return 1 + math.floor(math.log(value) / _LN_RATIO) if value >= 1 else 0


def representative(index: int) -> int:
    """The whole number answered for a bucket: its geometric middle, kept inside it."""
    if index <= 0:
        return 0
    low, high = RATIO ** (index - 1), RATIO**index
    first, last = math.ceil(low), max(math.ceil(low), math.ceil(high) - 1)
    return min(max(round(math.sqrt(low * high)), first), last)


class Histogram:
    """Buckets merged from stored rows and from values counted on the fly: per bucket index,
    the count, the least and the greatest value (three dicts of ints: a month's read adds
    thousands of rows, and no object per bucket for the garbage collector to walk)."""

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.lows: dict[int, int] = {}
        self.highs: dict[int, int] = {}

    def add(self, index: int, count: int, low: int, high: int) -> None:
        seen = self.counts.get(index)
        if seen is None:
            if count > 0:
                self.counts[index], self.lows[index], self.highs[index] = count, low, high
            return
        self.counts[index] = seen + count
        if low < self.lows[index]:
            self.lows[index] = low
        if high > self.highs[index]:
            self.highs[index] = high

    def update(self, other: Histogram) -> None:
        for index, count in other.counts.items():
            self.add(index, count, other.lows[index], other.highs[index])

    def percentiles(self, fractions: Sequence[float]) -> Answers | None:
        """percentile_disc of each fraction over the merged buckets, None without values."""
        total = sum(self.counts.values())
        if total <= 0:
            return None
        ordered = sorted(self.counts.items())
        values, exact = [], True
        for fraction in fractions:
            rank, seen = max(1, math.ceil(fraction * total)), 0
            for index, count in ordered:
                if seen + count >= rank:
                    low, high = self.lows[index], self.highs[index]
                    if rank == seen + 1 or low == high:
                        values.append(low)
                    elif rank == seen + count:
                        values.append(high)
                    else:
                        values.append(min(max(representative(index), low), high))
                        exact = False
                    break
                seen += count
        return Answers(values, self.lows[ordered[0][0]], self.highs[ordered[-1][0]], exact)


@dataclass
class Answers:
    """The percentiles asked for, the least and greatest value, and whether every percentile
    is the exact nearest-rank value."""

    values: list[int]
    low: int
    high: int
    exact: bool


#: The turns' stage columns by metric.
_STAGES = (
    f"(VALUES ({Metric.END_TO_END:d}, t.end_to_end_ms), ({Metric.STT:d}, t.stt_ms),"
    f" ({Metric.LLM:d}, t.llm_ms), ({Metric.TTS:d}, t.tts_ms))"
)
_GRAINS = f"(VALUES ({HOUR}, 'hour'), ({DAY}, 'day')) AS g(hours, unit)"
#: How a row counted again merges (the table aliased h): also used by internal/service.py's
#: batch for turns stored after their session ended.
ON_CONFLICT = """
ON CONFLICT (workspace_id, hours, period_start, agent, metric, bucket)
DO UPDATE SET count = h.count + excluded.count,
    min_value = least(h.min_value, excluded.min_value),
    max_value = greatest(h.max_value, excluded.max_value)
"""
_COLUMNS = "(workspace_id, hours, period_start, agent, metric, bucket, count, min_value, max_value)"

#: One ended session's duration and turns (:session_id), added to its hour and day. Sorted,
#: so that two sessions ending at once lock the rows they share in the same order.
ADD_ENDED_SQL = f"""
INSERT INTO analytics_histograms AS h {_COLUMNS}
SELECT s.workspace_id, g.hours, date_trunc(g.unit, s.started_at, 'UTC'), s.agent, v.metric,
    v.bucket, count(*), min(v.value), max(v.value)
FROM sessions AS s
CROSS JOIN {_GRAINS}
CROSS JOIN LATERAL (
    SELECT {Metric.DURATION:d} AS metric, s.duration_ms AS value,
        {bucket_sql("s.duration_ms")} AS bucket
    WHERE s.duration_ms IS NOT NULL
    UNION ALL
    SELECT m.metric, m.value, {bucket_sql("m.value")}
    FROM turn_metrics AS t CROSS JOIN LATERAL {_STAGES} AS m(metric, value)
    WHERE t.session_id = s.id AND m.value IS NOT NULL
) AS v
WHERE s.id = :session_id
GROUP BY s.workspace_id, g.hours, g.unit, s.started_at, s.agent, v.metric, v.bucket
ORDER BY g.hours, v.metric, v.bucket
{ON_CONFLICT}
"""  # noqa: S608 (constants only)


def rebuild_sql(where: str) -> str:
    """Every histogram row of the ended sessions matching ``where`` (on sessions AS s),
    recomputed into empty histograms: hours first, then the days from the hours. ``where``
    is the caller's constant SQL, never input."""
    return f"""
WITH hourly AS (
    SELECT v.workspace_id, date_trunc('hour', v.started_at, 'UTC') AS period_start, v.agent,
        v.metric, v.bucket, count(*) AS count, min(v.value) AS min_value,
        max(v.value) AS max_value
    FROM (
        SELECT s.workspace_id, s.agent, s.started_at, {Metric.DURATION:d} AS metric,
            s.duration_ms AS value, {bucket_sql("s.duration_ms")} AS bucket
        FROM sessions AS s
        WHERE {where} AND s.ended_at IS NOT NULL AND s.duration_ms IS NOT NULL
        UNION ALL
        SELECT s.workspace_id, s.agent, s.started_at, m.metric, m.value,
            {bucket_sql("m.value")}
        FROM sessions AS s JOIN turn_metrics AS t ON t.session_id = s.id
        CROSS JOIN LATERAL {_STAGES} AS m(metric, value)
        WHERE {where} AND s.ended_at IS NOT NULL AND m.value IS NOT NULL
    ) AS v
    GROUP BY 1, 2, 3, 4, 5
), hours AS (
    INSERT INTO analytics_histograms {_COLUMNS}
    SELECT workspace_id, {HOUR}, period_start, agent, metric, bucket, count, min_value,
        max_value
    FROM hourly
)
INSERT INTO analytics_histograms {_COLUMNS}
SELECT workspace_id, {DAY}, date_trunc('day', period_start, 'UTC'), agent, metric, bucket,
    sum(count), min(min_value), max(max_value)
FROM hourly GROUP BY 1, 3, 4, 5, 6
"""  # noqa: S608 (constants only)


#: One workspace's ($1): the bench's seeding and the tests' reference.
REBUILD_SQL = rebuild_sql("s.workspace_id = $1")
