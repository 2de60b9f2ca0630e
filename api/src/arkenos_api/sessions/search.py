"""Full-text search of the call log: a page of the sessions whose transcript matches, found by
one of two plans, chosen per query from PostgreSQL's own estimate of how common the words are.

- **Gather** (rare words): the matching segments' session ids are gathered once from the
  segments' GIN index, then those sessions are looked up by key and ordered (filters.py). Its
  cost grows with the segments that match: fast for a rare word, seconds for a word said in
  most calls (millions of segments, and an id list as long as the log).
- **Walk** (common words): the newest sessions passing the other filters are walked in keyset
  order and each one's segments checked (its primary key's index), until the page is full.
  Its cost grows with the sessions walked, about the page size divided by the share of
  sessions that match: a few dozen for a common word, thousands for a rare one.

The choice compares the two costs, in segments read, from the planner's estimate (EXPLAIN:
the search column's statistics of most common lexemes, so phrases, OR and negation are
estimated as the planner does) of the matching segments against the table's segments and
sessions. The estimate is of the whole table, not this workspace and these filters, so a walk
is bounded: after ``budget`` sessions with the page still short, the page is answered by the
gather instead (the same rows: both plans answer exactly the same query, so pages stay
consistent whichever plan answered each, and a page fills from either).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.internal.models import CallSession, TranscriptSegmentRow


class Plan(StrEnum):
    GATHER = "gather"
    WALK = "walk"


#: The planner's estimates of the matching segments, all segments and all sessions (one
#: round trip; an unanalyzed table is estimated from its size, consistently for all three).
_ESTIMATE = text(
    "EXPLAIN (FORMAT JSON)"
    " SELECT 1 FROM transcript_segments WHERE search @@ websearch_to_tsquery('simple', :words)"
    " UNION ALL SELECT 1 FROM transcript_segments UNION ALL SELECT 1 FROM sessions"
)


@dataclass(frozen=True)
class Estimate:
    matching_segments: float
    segments: float
    sessions: float

    def session_share(self) -> float:
        """The share of sessions with at least one matching segment, if matches were spread
        evenly over the segments."""
        if self.segments <= 0 or self.sessions <= 0:
            return 0.0
        share = min(1.0, self.matching_segments / self.segments)
        per_session = max(1.0, self.segments / self.sessions)
        return float(1.0 - (1.0 - share) ** per_session)

    def segments_per_session(self) -> float:
        return max(1.0, self.segments / self.sessions) if self.sessions > 0 else 1.0


async def estimate(db_session: AsyncSession, words: str) -> Estimate | None:
    """The planner's estimate, or None when the plan does not have the expected shape."""
    document = (await db_session.execute(_ESTIMATE, {"words": words})).scalar_one()
    plan = (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]
    parts = plan.get("Plans", [])
    if plan.get("Node Type") != "Append" or len(parts) != 3:
        return None
    rows = [float(part.get("Plan Rows", 0)) for part in parts]
    return Estimate(matching_segments=rows[0], segments=rows[1], sessions=rows[2])


@dataclass(frozen=True)
class SearchTuning:
    """How the plan is chosen. ``plan`` and ``walk_budget`` force one (tests, benchmarks)."""

    plan: Plan | None = None
    walk_budget: int | None = None
    #: A walk's budget: this many times the sessions it expects to walk, within these bounds.
    budget_factor: float = 4.0
    min_budget: int = 200
    max_budget: int = 20_000

    def choose(self, found: Estimate | None, limit: int) -> tuple[Plan, int]:
        """The plan and the walk's budget (sessions) for a page of ``limit`` rows."""
        share = found.session_share() if found else 0.0
        per_session = found.segments_per_session() if found else 1.0
        expected = (limit + 1) / share if share > 0 else math.inf
        budget = self.walk_budget or int(
            min(max(self.budget_factor * expected, self.min_budget), self.max_budget)
        )
        if self.plan is not None:
            return self.plan, budget
        if found is None:
            return Plan.GATHER, budget
        # Segments each plan reads: the walk's sessions' segments against the matching ones.
        walk_cost = expected * per_session
        return (Plan.WALK if walk_cost < found.matching_segments else Plan.GATHER), budget


def matches(words: str, session_id: Any) -> ColumnElement[bool]:
    """The session ``session_id`` has a segment matching ``words`` (read through the segments'
    primary key: the session's own few segments)."""
    query = func.websearch_to_tsquery("simple", words)
    return exists().where(
        TranscriptSegmentRow.session_id == session_id,
        TranscriptSegmentRow.search.op("@@")(query),
    )


_NEWEST_FIRST = (CallSession.started_at.desc(), CallSession.id.desc())


def walk(
    columns: tuple[Any, ...],
    conditions: list[ColumnElement[bool]],
    words: str,
    limit: int,
    budget: int,
) -> Any:
    """The newest ``budget`` sessions passing ``conditions`` (keyset order), those matching
    ``words``, the first ``limit`` of them."""
    walked = select(*columns).where(*conditions).order_by(*_NEWEST_FIRST).limit(budget).subquery()
    return (
        select(walked)
        .where(matches(words, walked.c.id))
        .order_by(walked.c.started_at.desc(), walked.c.id.desc())
        .limit(limit)
    )


def walked_count(conditions: list[ColumnElement[bool]], budget: int) -> Any:
    """How many sessions (at most ``budget``) a walk had to check."""
    walked = select(CallSession.id).where(*conditions).order_by(*_NEWEST_FIRST).limit(budget)
    return select(func.count()).select_from(walked.subquery())
