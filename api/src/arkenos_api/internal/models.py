"""Tables the workers fill: call sessions and their transcript segments, usage events and
turn metrics. Events are keyed by (session, seq) so a retried batch is stored once."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Computed, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from arkenos_api.core.db import Base, utcnow


class CallSession(Base):
    __tablename__ = "sessions"
    __table_args__ = (
        # Call log and cost queries: one agent's (or workspace's) calls, newest first.
        Index(None, "workspace_id", "agent", "started_at"),
        Index(None, "workspace_id", "started_at"),
        # Keyset pagination of the call log: (started_at, id) breaks ties between equal times.
        Index(None, "workspace_id", "started_at", "id"),
        # Webhooks and worker registration find a session by its room.
        Index(None, "room"),
        # The concurrency limit counts a workspace's calls in progress.
        Index("ix_sessions_live", "workspace_id", postgresql_where="ended_at IS NULL"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    agent: Mapped[str] = mapped_column(String(253))
    #: Null while a call the API started waits for its worker to register it.
    job_id: Mapped[str | None] = mapped_column(String(256), unique=True)
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
    # --- call control and call log (sessions/, calls/) ---
    #: CallStatus: where the call is (Dialing, Ringing, Active, Ended, Busy, NoAnswer, Failed).
    status: Mapped[str] = mapped_column(String(16), default="Active", server_default="Active")
    #: E.164 number of the workspace's PhoneNumber the call went through, if a phone call.
    phone_number: Mapped[str | None] = mapped_column(String(16), default=None)
    variables: Mapped[dict[str, str] | None] = mapped_column(JSONB, default=None)
    duration_ms: Mapped[int | None] = mapped_column(
        BigInteger,
        Computed("(extract(epoch from (ended_at - started_at)) * 1000)::bigint", persisted=True),
    )
    sip_call_id: Mapped[str | None] = mapped_column(String(64), default=None)
    sip_identity: Mapped[str | None] = mapped_column(String(128), default=None)
    # --- cost (pricing/) ---
    #: Total in micro-units of the catalogue's currency; null while unpriced or not yet priced.
    cost_micros: Mapped[int | None] = mapped_column(BigInteger, default=None)
    cost: Mapped[dict[str, Any] | None] = mapped_column(JSONB, default=None)
    pricing_version: Mapped[str | None] = mapped_column(String(32), default=None)
    #: Whether the agent's spec asked for post-call analysis when the call was registered
    #: (the spec it was served with); its end then enqueues the analysis job.
    analysis_requested: Mapped[bool] = mapped_column(default=False, server_default="false")


def _session_fk() -> Mapped[uuid.UUID]:
    return mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True)


class TranscriptSegmentRow(Base):
    __tablename__ = "transcript_segments"
    __table_args__ = (Index(None, "search", postgresql_using="gin"),)

    session_id: Mapped[uuid.UUID] = _session_fk()
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    #: Full-text search of the call log. The 'simple' configuration (no stemming, no stop
    #: words) because agents speak many languages and a stemmer for one mangles the others.
    search: Mapped[Any] = mapped_column(
        TSVECTOR, Computed("to_tsvector('simple', text)", persisted=True), deferred=True
    )


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


class ToolCallRow(Base):
    __tablename__ = "tool_calls"

    session_id: Mapped[uuid.UUID] = _session_fk()
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSONB)
    result: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime]
