"""Fixtures of the call tests: the LiveKit server-API double, served on 127.0.0.1, and the
API's settings pointing at it (the platform's LiveKit key is the double's)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from arkenos_api.settings import Settings
from tests.doubles.livekit import LiveKitDouble
from tests.doubles.server import serve

LK_KEY, LK_SECRET = "api-key", "api-secret-api-secret-api-secret-0001"


@pytest.fixture
def livekit() -> Iterator[tuple[LiveKitDouble, str]]:
    double = LiveKitDouble(keys={LK_KEY: LK_SECRET})
    with serve(double.app()) as served:
        yield double, served.url


def with_livekit(settings: Settings, url: str) -> Settings:
    """``settings`` with the platform's LiveKit at ``url`` (the double)."""
    return settings.model_copy(
        update={
            "livekit_url": url,
            "livekit_public_url": "wss://livekit.example.com",
            "livekit_api_key": LK_KEY,
            "livekit_api_secret": SecretStr(LK_SECRET),
        }
    )


@pytest.fixture
def settings(settings: Settings, livekit: tuple[LiveKitDouble, str]) -> Settings:
    return with_livekit(settings, livekit[1])
