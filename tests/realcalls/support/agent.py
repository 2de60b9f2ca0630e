"""The agent every real call talks to: a standard agent on the OpenAI double that greets
first, and what the caller says and hears. Light on imports: the benchmark's bare worker
imports it into freshly spawned job processes."""

from __future__ import annotations

from typing import Any

OPENAI_KEY = "sk-realcall-0123456789abcdef"
GREETING = "Hello, this is the support line."
CALLER_SAYS = "Where is my order?"
AGENT_ANSWERS = "Your order ships tomorrow."


def agent_spec(openai_url: str, **overrides: Any) -> dict[str, Any]:
    """A standard agent on the OpenAI double, greeting first, VAD turn detection."""
    component = {"provider": "OpenAI", "baseURL": openai_url}
    spec: dict[str, Any] = {
        "instructions": "You are {{agent_name}}, a concise support agent.",
        "greeting": {"mode": "AgentFirst", "text": GREETING},
        "stt": component,
        "llm": component,
        "tts": component,
        "turnDetection": {
            "mode": "VAD",
            "vad": {"minSilenceMs": 250},
            "minEndpointingDelayMs": 100,
            "maxEndpointingDelayMs": 3000,
        },
    }
    return {**spec, **overrides}
