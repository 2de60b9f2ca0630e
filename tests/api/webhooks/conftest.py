"""The webhook tests reuse the call tests' LiveKit double and settings."""

from tests.api.calls.conftest import livekit, settings

__all__ = ["livekit", "settings"]
