"""The stored analysis of a session: completed with its values, or failed with the reason."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from arkenos_api.core.db import Base, utcnow


class SessionAnalysis(Base):
    """At most one per session (its key): the job that writes it twice stores it once."""

    __tablename__ = "session_analyses"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    #: AnalysisState: Completed, or Failed with ``reason`` and ``error``.
    state: Mapped[str] = mapped_column(String(16))
    #: FailureReason (NoKey, CredentialsError, ProviderError, InvalidOutput, ...), if failed.
    reason: Mapped[str | None] = mapped_column(String(32), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    summary: Mapped[str | None] = mapped_column(Text, default=None)
    #: Whether the call met the agent's successCriteria; null without criteria.
    success: Mapped[bool | None] = mapped_column(default=None)
    sentiment: Mapped[str | None] = mapped_column(String(16), default=None)
    topics: Mapped[list[str] | None] = mapped_column(JSONB, default=None)
    #: The spec's fields by name: string, number, boolean or null (not stated in the call).
    fields: Mapped[dict[str, Any] | None] = mapped_column(JSONB, default=None)
    model: Mapped[str | None] = mapped_column(String(128), default=None)
    #: Answers asked of the model (more than one when an answer was invalid).
    attempts: Mapped[int] = mapped_column(default=0)
    input_tokens: Mapped[int | None] = mapped_column(default=None)
    output_tokens: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
