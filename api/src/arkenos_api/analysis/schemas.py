"""The analysis of a session as the session detail and the AnalysisCompleted webhook show it."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, Field

from arkenos_api.analysis.models import SessionAnalysis
from arkenos_api.core.schemas import Schema


class AnalysisState(StrEnum):
    PENDING = "Pending"  # the call asked for an analysis; the job has not stored it yet
    COMPLETED = "Completed"
    FAILED = "Failed"


class SessionAnalysisOut(Schema):
    state: AnalysisState
    reason: str | None = Field(
        default=None,
        description="Why it failed: NoKey, CredentialsError, ProviderError, InvalidOutput, "
        "NoTranscript or InvalidAgent.",
    )
    error: str | None = Field(default=None, description="What went wrong, in words.")
    summary: str | None = None
    success: bool | None = Field(
        default=None, description="Whether the call met the agent's successCriteria."
    )
    sentiment: str | None = Field(default=None, description="Positive, Neutral or Negative.")
    topics: list[str] | None = None
    fields: dict[str, Any] | None = Field(
        default=None, description="The agent's analysis fields by name (null: not stated)."
    )
    model: str | None = None
    attempts: int = Field(default=0, description="Answers asked of the model.")
    created_at: AwareDatetime | None = None


PENDING = SessionAnalysisOut(state=AnalysisState.PENDING)


def analysis_out(row: SessionAnalysis) -> SessionAnalysisOut:
    return SessionAnalysisOut(
        state=AnalysisState(row.state),
        reason=row.reason,
        error=row.error,
        summary=row.summary,
        success=row.success,
        sentiment=row.sentiment,
        topics=row.topics,
        fields=row.fields,
        model=row.model,
        attempts=row.attempts,
        created_at=row.created_at,
    )
