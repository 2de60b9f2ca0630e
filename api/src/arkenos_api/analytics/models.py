"""The analytics rollup table (maintained by analytics/rollup.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, PrimaryKeyConstraint, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from arkenos_api.core.db import Base


class AnalyticsRollup(Base):
    """Ended calls of one workspace, agent, UTC hour of their start and end reason."""

    __tablename__ = "analytics_rollup"
    __table_args__ = (
        # A workspace's hours across all its agents (the primary key serves one agent's).
        Index(None, "workspace_id", "hour"),
    )

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    agent: Mapped[str] = mapped_column(String(253), primary_key=True)
    hour: Mapped[datetime] = mapped_column(primary_key=True)
    #: The session's end reason ('' for a session that ended without one).
    end_reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    calls: Mapped[int] = mapped_column(BigInteger)
    total_ms: Mapped[int] = mapped_column(BigInteger)
    #: Sum of the priced calls' costs, in micro-units.
    cost_micros: Mapped[int] = mapped_column(BigInteger)
    unpriced_calls: Mapped[int] = mapped_column(BigInteger)


class AnalyticsHistogram(Base):
    """How many of one metric's values (durations, turn latencies by stage) of the ended calls
    of one workspace and agent, started in one UTC hour or day, fell in one bucket, and the
    least and greatest of them (analytics/histograms.py)."""

    __tablename__ = "analytics_histograms"
    __table_args__ = (
        # The figures in the key's index: a month's rows are read by an index-only scan.
        PrimaryKeyConstraint(
            "workspace_id",
            "hours",
            "period_start",
            "agent",
            "metric",
            "bucket",
            postgresql_include=["count", "min_value", "max_value"],
        ),
    )

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    #: 1 (a UTC hour) or 24 (a UTC day).
    hours: Mapped[int] = mapped_column(SmallInteger)
    period_start: Mapped[datetime]
    agent: Mapped[str] = mapped_column(String(253))
    #: histograms.Metric: 0 duration, 1 end to end, 2 STT, 3 LLM, 4 TTS.
    metric: Mapped[int] = mapped_column(SmallInteger)
    bucket: Mapped[int] = mapped_column(SmallInteger)
    count: Mapped[int] = mapped_column(BigInteger)
    #: The least and the greatest value counted in this row (percentiles are clamped to them).
    min_value: Mapped[int] = mapped_column(BigInteger)
    max_value: Mapped[int] = mapped_column(BigInteger)
