"""Examples of the workers' contract bodies for the OpenAPI document (the models themselves
live in arkenos_crds.runtime, shared with the workers)."""

from __future__ import annotations

from typing import Any

AT = "2026-01-01T12:00:00Z"

RUNTIME_CONFIG: dict[str, Any] = {
    "workspace": "acme",
    "agent": "front-desk",
    "generation": 3,
    "dispatchName": "arkenos-standard",
    "spec": {"mode": "Standard", "instructions": "You answer calls for Acme.", "language": "en"},
    "keys": {"openai": "sk-..."},
}
SESSION_START: dict[str, Any] = {
    "workspace": "acme",
    "agent": "front-desk",
    "room": "call-7f3a",
    "jobId": "AJ_8c2d1e",
    "direction": "Inbound",
    "caller": "+14155550100",
    "callee": "+14155550199",
    "dispatchedAt": AT,
    "startedAt": AT,
}
SESSION_STARTED: dict[str, Any] = {"sessionId": "7d9e2c4a-1b3f-4e5d-8a6b-0c1d2e3f4a5b"}
EVENT_BATCH: dict[str, Any] = {
    "transcripts": [
        {"seq": 0, "role": "agent", "text": "Hello, Acme, how can I help?", "startedAt": AT},
        {"seq": 1, "role": "user", "text": "I'd like to book a cleaning.", "startedAt": AT},
    ],
    "usage": [
        {
            "seq": 2,
            "provider": "openai",
            "model": "gpt-4o-mini",
            "metric": "llm_input_tokens",
            "quantity": 412,
            "at": AT,
        }
    ],
    "turns": [{"seq": 3, "turn": 0, "endToEndMs": 640, "llmMs": 210, "ttsMs": 120, "at": AT}],
}
BATCH_ACCEPTED: dict[str, Any] = {"stored": 3, "duplicates": 1}
SESSION_END: dict[str, Any] = {"endedAt": AT, "reason": "CallerHungUp"}


def json_example(example: dict[str, Any], description: str) -> dict[str, Any]:
    """A ``responses`` entry adding an example to the route's typed response."""
    return {"description": description, "content": {"application/json": {"example": example}}}
