"""Fixtures of the agent runtime tests: the OpenAI and LiveKit /agent doubles, runtime configs,
call data, and a real WorkerHost in this process (``run_host``) serving jobs from the doubles."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from livekit.agents import JobContext

from arkenos_agent_runtime.hosting import WorkerHost
from arkenos_agent_runtime.services import CallServices
from arkenos_agent_runtime.settings import Settings, load_settings
from arkenos_agent_runtime.tools.context import CallData
from arkenos_agent_runtime.tools.ssrf import SSRFGuard
from arkenos_crds.runtime import DispatchMetadata, Provider, RuntimeConfig
from arkenos_crds.voiceagent import STANDARD_DISPATCH_NAME, VoiceAgentSpec
from arkenos_devstack.process import free_port
from tests.doubles.arkenos_api import POOL, ArkenosAPIDouble
from tests.doubles.livekit_worker import LiveKitWorkerDouble
from tests.doubles.openai import OpenAIDouble
from tests.doubles.server import ServedApp, serve_aiohttp
from tests.substrate.waiting import eventually

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
    """Records hang-ups and transfers (ApiTelephony is tested against the API double)."""

    def __init__(self) -> None:
        self.hang_ups = 0
        self.transfers: list[tuple[str | None, str]] = []

    async def hang_up(self) -> None:
        self.hang_ups += 1

    async def transfer(self, participant_identity: str | None, number: str) -> None:
        self.transfers.append((participant_identity, number))


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


POOL_TOKEN = "pool-token-endings"
JobFunction = Callable[[JobContext, CallServices], Awaitable[None]]
Running = tuple[WorkerHost, asyncio.Task[None]]
StartHost = Callable[..., Awaitable[Running]]


@pytest.fixture
def api_double() -> ArkenosAPIDouble:
    return ArkenosAPIDouble(tokens={POOL_TOKEN: POOL})


@pytest.fixture
async def run_host(
    livekit: tuple[LiveKitWorkerDouble, ServedApp],
    api_double: ArkenosAPIDouble,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[StartHost]:
    double, _ = livekit
    monkeypatch.setenv("LIVEKIT_URL", double.url)
    monkeypatch.setenv("LIVEKIT_API_KEY", double.api_key)
    monkeypatch.setenv("LIVEKIT_API_SECRET", double.api_secret)
    token_file = tmp_path / "token"
    token_file.write_text(POOL_TOKEN)
    running: list[Running] = []

    with serve_aiohttp(api_double.app()) as served:

        async def start(job: JobFunction, **env: str) -> Running:
            """A host whose settings are read from ``env`` (ARKENOS_* names) as in a pod."""
            settings = load_settings(
                Settings,
                {
                    "ARKENOS_API_URL": served.url,
                    "ARKENOS_TOKEN_FILE": str(token_file),
                    "ARKENOS_HEALTH_PORT": str(free_port()),
                    "ARKENOS_METRICS_PORT": str(free_port()),
                    "ARKENOS_IDLE_PROCESSES": "1",
                    "ARKENOS_DRAIN_TIMEOUT_SECONDS": "60",
                    **env,
                },
            )
            host = WorkerHost(settings, agent_name=STANDARD_DISPATCH_NAME, entrypoint=job)
            task = asyncio.create_task(host.run())
            running.append((host, task))
            await eventually(
                now_check(lambda: host.state.registered), within=30, what="registration"
            )
            return host, task

        yield start
        # A test that failed before stopping its host: drain it as SIGTERM would (cancelling
        # the host with calls in its job threads hung the run), then cancel what is left.
        for host, task in running:
            if not task.done():
                host.request_stop()
                await asyncio.wait([task], timeout=host.settings.drain_timeout_s + 15)
            if not task.done():
                task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def held_calls(started: list[str]) -> Callable[[JobContext, CallServices], Awaitable[None]]:
    """Calls that last until the worker shuts them down; each puts its room in ``started``."""

    async def held_call(ctx: JobContext, services: CallServices) -> None:
        ended = asyncio.Event()

        async def end(_: str) -> None:
            ended.set()

        ctx.add_shutdown_callback(end)
        started.append(ctx.job.room.name)
        await ended.wait()

    return held_call


async def offer(livekit: tuple[LiveKitWorkerDouble, ServedApp], room: str) -> bool:
    """Offer the standard worker a job; whether it said it is available."""
    double, served = livekit
    metadata = DispatchMetadata(workspace="acme", agent="support").model_dump_json()
    _, answer = await asyncio.to_thread(
        served.loop.run, double.dispatch(STANDARD_DISPATCH_NAME, room, metadata), 30
    )
    return bool(answer.available)


async def dispatch(livekit: tuple[LiveKitWorkerDouble, ServedApp], room: str) -> None:
    assert await offer(livekit, room)


def now_check(check: Callable[[], Any]) -> Callable[[], Awaitable[Any]]:
    """A synchronous check as the async probe ``eventually`` polls."""

    async def call() -> Any:
        return check()

    return call
