"""The outbox of call events and the outgoing webhook messages and attempts they fan out to."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from arkenos_api.core.db import Base, utcnow


class OutboxEvent(Base):
    """A call event (CallStarted, CallEnded...), written in the transaction that caused it."""

    __tablename__ = "outbox_events"
    __table_args__ = (UniqueConstraint("session_id", "type"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    type: Mapped[str] = mapped_column(String(32))
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookMessage(Base):
    """One event for one of the agent's webhooks; its id is the ``webhook-id`` receivers dedupe
    by, and its body is frozen at fan-out so every redelivery sends the same bytes."""

    __tablename__ = "webhook_messages"
    __table_args__ = (
        UniqueConstraint("event_id", "webhook"),
        Index(None, "workspace_id", "agent", "webhook", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outbox_events.id", ondelete="CASCADE"))
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    agent: Mapped[str] = mapped_column(String(253))
    webhook: Mapped[str] = mapped_column(String(63))
    url: Mapped[str] = mapped_column(String(2048))
    secret_name: Mapped[str] = mapped_column(String(253))
    event_type: Mapped[str] = mapped_column(String(32))
    body: Mapped[dict[str, Any]] = mapped_column(JSONB)
    #: MessageState: Pending until Delivered, or Failed once the retries are spent.
    state: Mapped[str] = mapped_column(String(16), default="Pending")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)


class WebhookAttempt(Base):
    """One delivery attempt: the delivery log."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_messages.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: AttemptOutcome: Delivered, Failed (retried), Refused (the address is not allowed).
    outcome: Mapped[str] = mapped_column(String(16))
    status_code: Mapped[int | None] = mapped_column(default=None)
    latency_ms: Mapped[int | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
