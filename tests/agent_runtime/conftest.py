"""Fixtures of the agent runtime tests: the OpenAI and LiveKit /agent doubles, runtime configs,
call data."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from arkenos_agent_runtime.tools.context import CallData
from arkenos_agent_runtime.tools.ssrf import SSRFGuard
from arkenos_crds.runtime import Provider, RuntimeConfig
from arkenos_crds.voiceagent import STANDARD_DISPATCH_NAME, VoiceAgentSpec
from tests.doubles.livekit_worker import LiveKitWorkerDouble
from tests.doubles.openai import OpenAIDouble
from tests.doubles.server import ServedApp, serve_aiohttp

OPENAI_KEY = "sk-test-0123456789abcdef"
LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)
LIVEKIT_KEY, LIVEKIT_SECRET = "APIdouble", "double-secret-0123456789abcdef0123456789"


@pytest.fixture
def openai_double() -> OpenAIDouble:
    return OpenAIDouble(api_key=OPENAI_KEY)


@pytest.fixture
def openai_url(openai_double: OpenAIDouble) -> Iterator[str]:
    with serve_aiohttp(openai_double.app()) as served:
        yield served.url + "/v1"


@pytest.fixture
def livekit() -> Iterator[tuple[LiveKitWorkerDouble, ServedApp]]:
    """The LiveKit server's /agent WebSocket double, served; ``double.url`` is its ws:// URL."""
    double = LiveKitWorkerDouble(LIVEKIT_KEY, LIVEKIT_SECRET)
    with serve_aiohttp(double.app()) as served:
        double.url = served.url.replace("http://", "ws://")
        yield double, served


@pytest.fixture
def make_config(openai_url: str) -> Callable[..., RuntimeConfig]:
    def make(**spec: Any) -> RuntimeConfig:
        components = {
            "stt": {"baseURL": openai_url},
            "llm": {"baseURL": openai_url},
            "tts": {"baseURL": openai_url},
        }
        return RuntimeConfig(
            workspace="acme",
            agent="support",
            generation=3,
            dispatch_name=STANDARD_DISPATCH_NAME,
            spec=VoiceAgentSpec.model_validate({**components, **spec}),
            keys={Provider.OPENAI: OPENAI_KEY},
        )

    return make


class RecordingTelephony:
    """Records hang-ups and transfers (the livekit-api calls are tested against a double)."""

    def __init__(self) -> None:
        self.hang_ups: list[str] = []
        self.transfers: list[tuple[str, str, str]] = []

    async def hang_up(self, room: str) -> None:
        self.hang_ups.append(room)

    async def transfer(self, room: str, participant_identity: str, number: str) -> None:
        self.transfers.append((room, participant_identity, number))


@pytest.fixture
async def make_call() -> AsyncIterator[Callable[..., CallData]]:
    async with httpx.AsyncClient(follow_redirects=False, trust_env=False) as http:

        def make(config: RuntimeConfig, **overrides: Any) -> CallData:
            fields: dict[str, Any] = {
                "config": config,
                "room": "call-room-1",
                "sip_participant": "sip_+15550001111",
                "telephony": RecordingTelephony(),
                "guard": SSRFGuard(allowed_networks=LOOPBACK),
                "http": http,
            }
            return CallData(**{**fields, **overrides})

        yield make
