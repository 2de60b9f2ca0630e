"""Bodies of the analytics route."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from arkenos_api.core.schemas import Schema


class GroupBy(StrEnum):
    DAY = "day"
    AGENT = "agent"


class Percentiles(Schema):
    p50: int | None = None
    p95: int | None = None
    min: int | None = Field(default=None, description="The least value (exact).")
    max: int | None = Field(default=None, description="The greatest value (exact).")
    exact: bool = Field(
        default=True,
        description="Whether every percentile here is the exact nearest-rank value; when"
        " false, one of them may be off by up to percentileRelativeError (never outside"
        " [min, max]).",
    )


class DurationPercentiles(Percentiles):
    p90: int | None = None
    p99: int | None = None


class CallFigures(Schema):
    calls: int = Field(description="Calls started in the range.")
    minutes: int = Field(description="Total call time, in whole minutes (rounded).")
    total_duration_ms: int
    cost_micros: int = Field(description="Cost of the priced calls, in micro-units.")
    unpriced_calls: int = Field(description="Ended calls with an unpriced item (not in cost).")
    duration_ms: DurationPercentiles


class Group(CallFigures):
    key: str = Field(description="The day (YYYY-MM-DD, UTC) or the agent name.")


class Latency(Schema):
    end_to_end: Percentiles
    stt: Percentiles
    llm: Percentiles
    tts: Percentiles


class Analytics(Schema):
    started_from: datetime = Field(alias="from")
    started_to: datetime = Field(alias="to")
    group_by: GroupBy
    percentile_relative_error: float = Field(
        description="Bound on the relative error of every percentile (durations, latencies):"
        " they are read from histograms of log-spaced buckets (each 5 % wider than the last),"
        " so each is within this fraction of the exact value (the nearest-rank percentile"
        " of the range's values), and usually within half of it, and never outside the"
        " observed [min, max]; each group of percentiles says whether it is exact. 0 when"
        " every figure is exact.",
        examples=[0.05],
    )
    totals: CallFigures
    end_reasons: dict[str, int] = Field(description="Ended calls per end reason.")
    latency_ms: Latency = Field(description="Per-turn latency by stage.")
    groups: list[Group]
