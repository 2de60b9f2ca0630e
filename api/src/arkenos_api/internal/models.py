"""Tables the workers fill: call sessions and their transcript segments, usage events and
turn metrics. Events are keyed by (session, seq) so a retried batch is stored once."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from arkenos_api.core.db import Base, utcnow


class CallSession(Base):
    __tablename__ = "sessions"
    __table_args__ = (
        # Call log and cost queries: one agent's (or workspace's) calls, newest first.
        Index(None, "workspace_id", "agent", "started_at"),
        Index(None, "workspace_id", "started_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    agent: Mapped[str] = mapped_column(String(253))
    job_id: Mapped[str] = mapped_column(String(256), unique=True)
    room: Mapped[str] = mapped_column(String(256))
    direction: Mapped[str] = mapped_column(String(16))
    caller: Mapped[str | None] = mapped_column(String(16))
    callee: Mapped[str | None] = mapped_column(String(16))
    #: The workload identity (ServiceAccount username) that registered the session; only it
    #: may report events for it.
    served_by: Mapped[str] = mapped_column(String(320))
    dispatched_at: Mapped[datetime]
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    end_reason: Mapped[str | None] = mapped_column(String(32), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def _session_fk() -> Mapped[uuid.UUID]:
    return mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True)


class TranscriptSegmentRow(Base):
    __tablename__ = "transcript_segments"

    session_id: Mapped[uuid.UUID] = _session_fk()
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class UsageEventRow(Base):
    __tablename__ = "usage_events"

    session_id: Mapped[uuid.UUID] = _session_fk()
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(128))
    metric: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime]


class TurnMetricRow(Base):
    __tablename__ = "turn_metrics"

    session_id: Mapped[uuid.UUID] = _session_fk()
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    turn: Mapped[int] = mapped_column(Integer)
    end_to_end_ms: Mapped[int] = mapped_column(Integer)
    stt_ms: Mapped[int | None] = mapped_column(Integer)
    llm_ms: Mapped[int | None] = mapped_column(Integer)
    tts_ms: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime]
