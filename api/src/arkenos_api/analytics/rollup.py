"""The analytics rollup: per workspace, agent, UTC hour (of the start) and end reason, the
ended calls' count, total duration, cost and unpriced count.

It is kept in the same transaction as what changes it, never by a job: a session's end adds
the session (finish_session), and a recomputed cost replaces the session's old figures with
its new ones (reprice). So the rollup is exact at every commit, with no refresh lag and no
job to miss, and the analytics read it without a window in which a finished call is missing.
An hour is the grain because the range of a query may start and end at any instant (any time
zone's midnight): the analytics read whole hours from here and only the partial hours at the
edges, and the calls still in progress, from the sessions themselves.

The percentiles come from histograms kept alongside (analytics/histograms.py), in the same
transactions. Sessions are never deleted one by one (a workspace's deletion cascades to all
three), so nothing else changes what the rollup sums. The migration backfills with
REBUILD_SQL's SELECT, the bench's seeding rebuilds with it, and the tests compare the
maintained rollup against it.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.analytics.histograms import ADD_ENDED_SQL
from arkenos_api.internal.models import CallSession

_ADD_HISTOGRAMS = text(ADD_ENDED_SQL)

_UPSERT = text(
    """
    INSERT INTO analytics_rollup AS r (workspace_id, agent, hour, end_reason, calls, total_ms,
        cost_micros, unpriced_calls)
    VALUES (:workspace_id, :agent, date_trunc('hour', CAST(:started_at AS timestamptz), 'UTC'),
        :end_reason, :calls, :total_ms, :cost_micros, :unpriced_calls)
    ON CONFLICT (workspace_id, agent, hour, end_reason) DO UPDATE SET
        calls = r.calls + excluded.calls,
        total_ms = r.total_ms + excluded.total_ms,
        cost_micros = r.cost_micros + excluded.cost_micros,
        unpriced_calls = r.unpriced_calls + excluded.unpriced_calls
    """
)

#: Every rollup row of one workspace ($1) recomputed from its ended sessions (into an empty
#: rollup: the bench's seeding; the migration's backfill is the same SELECT for all).
REBUILD_SQL = """
INSERT INTO analytics_rollup (workspace_id, agent, hour, end_reason, calls, total_ms,
    cost_micros, unpriced_calls)
SELECT workspace_id, agent, date_trunc('hour', started_at, 'UTC'), coalesce(end_reason, ''),
    count(*), coalesce(sum(duration_ms), 0), coalesce(sum(cost_micros), 0),
    count(*) FILTER (WHERE cost_micros IS NULL)
FROM sessions WHERE workspace_id = $1 AND ended_at IS NOT NULL
GROUP BY workspace_id, agent, date_trunc('hour', started_at, 'UTC'), coalesce(end_reason, '')
"""


async def _upsert(
    db_session: AsyncSession,
    session: CallSession,
    *,
    calls: int,
    total_ms: int,
    cost_micros: int,
    unpriced_calls: int,
) -> None:
    await db_session.execute(
        _UPSERT,
        {
            "workspace_id": session.workspace_id,
            "agent": session.agent,
            "started_at": session.started_at,
            "end_reason": session.end_reason or "",
            "calls": calls,
            "total_ms": total_ms,
            "cost_micros": cost_micros,
            "unpriced_calls": unpriced_calls,
        },
    )


async def add_ended(db_session: AsyncSession, session: CallSession) -> None:
    """Count a session that has just ended (and been priced) in its hour, and its duration
    and the turns stored so far in its hour's and day's histograms (analytics/histograms.py;
    a turn stored later is added by internal/service.py's batch)."""
    await _upsert(
        db_session,
        session,
        calls=1,
        total_ms=session.duration_ms or 0,
        cost_micros=session.cost_micros or 0,
        unpriced_calls=int(session.cost_micros is None),
    )
    await db_session.flush()  # the turns added in this transaction are counted too
    await db_session.execute(_ADD_HISTOGRAMS, {"session_id": session.id})


async def replace_cost(
    db_session: AsyncSession, session: CallSession, previous_cost_micros: int | None
) -> None:
    """An ended session's cost changed from ``previous_cost_micros`` to its current one."""
    if session.ended_at is None or previous_cost_micros == session.cost_micros:
        return
    await _upsert(
        db_session,
        session,
        calls=0,
        total_ms=0,
        cost_micros=(session.cost_micros or 0) - (previous_cost_micros or 0),
        unpriced_calls=int(session.cost_micros is None) - int(previous_cost_micros is None),
    )
