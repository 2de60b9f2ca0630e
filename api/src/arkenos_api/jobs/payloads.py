"""The bodies of outgoing webhooks, built once when an event fans out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from arkenos_api.analysis.schemas import PENDING, AnalysisState, SessionAnalysisOut
from arkenos_crds.voiceagent import WebhookEvent


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _call(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "sessionId": str(row["id"]),
        "workspace": row["namespace"],
        "agent": row["agent"],
        "direction": row["direction"],
        "caller": row["caller"],
        "callee": row["callee"],
        "startedAt": _iso(row["started_at"]),
    }


def _transcript(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    roles, texts, started = row["roles"] or [], row["texts"] or [], row["started_ats"] or []
    return [
        {"role": role, "text": text, "startedAt": _iso(at)}
        for role, text, at in zip(roles, texts, started, strict=True)
    ]


def _analysis(row: Mapping[str, Any]) -> SessionAnalysisOut | None:
    """The stored analysis (its ``a_`` columns); Pending while a call that asked for one
    waits for it, as the session detail shows it."""
    if row["analysed"]:
        return SessionAnalysisOut(
            state=AnalysisState(row["a_state"]),
            reason=row["a_reason"],
            error=row["a_error"],
            summary=row["a_summary"],
            success=row["a_success"],
            sentiment=row["a_sentiment"],
            topics=row["a_topics"],
            fields=row["a_fields"],
            model=row["a_model"],
            attempts=row["a_attempts"],
            created_at=row["a_created_at"],
        )
    if row["analysis_requested"] and row["ended_at"] is not None:
        return PENDING
    return None


def event_body(event: WebhookEvent, row: Mapping[str, Any]) -> dict[str, Any]:
    """The Standard Webhooks envelope: ``type``, ``timestamp`` and the event's ``data``, from
    the fan-out's row of the event and its call."""
    data = _call(row)
    if event is WebhookEvent.CALL_ENDED:
        data |= {
            "endedAt": _iso(row["ended_at"]),
            "endReason": row["end_reason"],
            "status": row["status"],
            "durationMs": row["duration_ms"],
            "costMicros": row["cost_micros"],
            "cost": row["cost"],
            "transcript": _transcript(row),
        }
    elif event is WebhookEvent.ANALYSIS_COMPLETED:
        analysis = _analysis(row)
        data |= {
            "endedAt": _iso(row["ended_at"]),
            "analysis": analysis.model_dump(by_alias=True, mode="json") if analysis else None,
        }
    return {"type": event.value, "timestamp": _iso(row["occurred_at"]), "data": data}
