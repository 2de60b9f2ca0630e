"""Whether a call asks for post-call analysis, decided when it is registered from the spec it
is served with (no I/O: the caller has the resource in hand)."""

from __future__ import annotations

from typing import Any


def analysis_requested(resource: dict[str, Any]) -> bool:
    """``spec.analysis.enabled`` of a VoiceAgent the API server admitted (so validated)."""
    analysis = (resource.get("spec") or {}).get("analysis")
    return isinstance(analysis, dict) and analysis.get("enabled") is True
