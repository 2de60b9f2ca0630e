"""Bodies of the call log routes: a page of sessions, one session in full, and the filters."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from arkenos_api.analysis.schemas import SessionAnalysisOut
from arkenos_api.core.schemas import Schema
from arkenos_api.sessions.lifecycle import CallStatus
from arkenos_crds.runtime import CallDirection


class SessionSummary(Schema):
    id: uuid.UUID
    agent: str
    direction: CallDirection
    status: CallStatus
    end_reason: str | None = Field(default=None, description="Why the call ended.")
    phone_number: str | None = Field(default=None, description="The workspace's line, if any.")
    caller: str | None = None
    callee: str | None = None
    room: str
    started_at: datetime
    ended_at: datetime | None = None
    duration_ms: int | None = None
    cost_micros: int | None = Field(
        default=None, description="Total cost in micro-units; null while unpriced or running."
    )
    cost_status: str | None = Field(
        default=None, description="priced, or unpriced when an item has no price."
    )


class SessionPage(Schema):
    items: list[SessionSummary]
    next_cursor: str | None = Field(
        default=None, description="Pass as cursor for the next (older) page; null at the end."
    )


class TranscriptLine(Schema):
    seq: int
    role: str
    text: str
    started_at: datetime
    ended_at: datetime | None = None


class TurnLatency(Schema):
    turn: int
    end_to_end_ms: int
    stt_ms: int | None = None
    llm_ms: int | None = None
    tts_ms: int | None = None


class UsageTotal(Schema):
    provider: str
    model: str
    metric: str
    quantity: int


class ToolCallOut(Schema):
    seq: int
    name: str
    arguments: Any = Field(description="Arguments, with secret-looking values redacted.")
    result: Any = Field(default=None, description="Result, with secret-looking values redacted.")
    error: str | None = None
    duration_ms: int | None = None
    at: datetime


class SessionDetail(SessionSummary):
    error: str | None = Field(default=None, description="What went wrong, if anything.")
    variables: dict[str, str] | None = None
    transcript: list[TranscriptLine]
    turns: list[TurnLatency] = Field(description="Per-turn latency by stage.")
    usage: list[UsageTotal]
    tool_calls: list[ToolCallOut]
    cost: dict[str, Any] | None = Field(
        default=None, description="Cost breakdown with the catalogue version it used."
    )
    analysis: SessionAnalysisOut | None = Field(
        default=None,
        description="Post-call analysis: Pending until the job has run, then Completed or "
        "Failed with the reason; null when the agent does not analyse its calls.",
    )
