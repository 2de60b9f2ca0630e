"""What the jobs routes return."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, Field

from arkenos_api.core.schemas import Schema


class FailedJob(Schema):
    id: int
    entrypoint: str
    attempts: int
    created: AwareDatetime
    updated: AwareDatetime
    payload: dict[str, Any]
    last_error: str | None


class FailedJobs(Schema):
    items: list[FailedJob]


class DeliveryAttempt(Schema):
    attempted_at: AwareDatetime
    outcome: str
    status_code: int | None
    latency_ms: int | None
    error: str | None


class DeliveryLogEntry(Schema):
    message_id: str
    webhook: str = Field(description="Name of the agent's webhook it was sent to.")
    event_type: str
    state: str
    created_at: AwareDatetime
    delivered_at: AwareDatetime | None
    attempts: list[DeliveryAttempt]


class DeliveryLog(Schema):
    items: list[DeliveryLogEntry]


class Redelivery(Schema):
    message_id: str
    state: str
