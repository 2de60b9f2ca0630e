"""HTTP route of call analytics."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from arkenos_api.analytics.schemas import Analytics, GroupBy
from arkenos_api.analytics.service import analytics
from arkenos_api.core.db import utcnow
from arkenos_api.core.errors import ApiError, ErrorBody
from arkenos_api.core.roles import Role
from arkenos_api.deps import SessionDep, WorkspaceDep, requires

router = APIRouter(
    prefix="/api/v1/workspaces/{workspace}",
    tags=["analytics"],
    responses={403: {"model": ErrorBody}, 404: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)
MAX_RANGE = timedelta(days=366)
_FIGURES = {
    "calls": 1240,
    "minutes": 3902,
    "totalDurationMs": 234120000,
    "costMicros": 58211000,
    "unpricedCalls": 3,
    "durationMs": {
        "p50": 142000,
        "p90": 401000,
        "p95": 512000,
        "p99": 903000,
        "min": 4100,
        "max": 1742000,
        "exact": False,
    },
}
EXAMPLE = {
    "from": "2026-11-01T00:00:00Z",
    "to": "2026-12-01T00:00:00Z",
    "groupBy": "day",
    "percentileRelativeError": 0.05,
    "totals": _FIGURES,
    "endReasons": {"CallerHungUp": 1100, "AgentEnded": 120, "Lost": 2},
    "latencyMs": {
        "endToEnd": {"p50": 760, "p95": 1210, "min": 402, "max": 2950, "exact": False},
        "stt": {"p50": 190, "p95": 320, "min": 61, "max": 801, "exact": False},
        "llm": {"p50": 330, "p95": 610, "min": 140, "max": 1730, "exact": False},
        "tts": {"p50": 95, "p95": 180, "min": 12, "max": 240, "exact": True},
    },
    "groups": [{"key": "2026-11-01", **_FIGURES}],
}


@router.get(
    "/analytics",
    openapi_extra=requires(Role.VIEWER),
    response_model_by_alias=True,
    responses={200: {"content": {"application/json": {"example": EXAMPLE}}}},
)
async def get_analytics(
    ctx: WorkspaceDep,
    db_session: SessionDep,
    started_from: Annotated[
        AwareDatetime | None, Query(alias="from", description="Start (default: 30 days ago).")
    ] = None,
    started_to: Annotated[
        AwareDatetime | None, Query(alias="to", description="End (default: now).")
    ] = None,
    agent: Annotated[str | None, Query(max_length=253, description="One agent only.")] = None,
    group_by: Annotated[GroupBy, Query(alias="groupBy", description="day or agent.")] = GroupBy.DAY,
) -> Analytics:
    """Calls, minutes, cost, durations, end reasons and latency over a time range. Counts,
    minutes and cost are exact; the duration and latency percentiles come from histograms and
    are within ``percentileRelativeError`` (5 %) of the exact nearest-rank values, never outside
    the exact ``min`` and ``max``, and flagged ``exact`` when they are exact."""
    end = started_to or utcnow()
    start = started_from or end - timedelta(days=30)
    if start >= end or end - start > MAX_RANGE:
        raise ApiError(
            422, "invalid_range", "from must be before to, at most 366 days apart", "from"
        )
    return await analytics(
        db_session=db_session,
        workspace_id=ctx.workspace.id,
        started_from=start,
        started_to=end,
        agent=agent,
        group_by=group_by,
    )
