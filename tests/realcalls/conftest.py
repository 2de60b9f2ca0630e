"""Fixtures of the real-call tests: the session's real LiveKit (tests.substrate.livekit_server),
the API app with its PostgreSQL database and TokenReview authority (the API tests' fixtures),
served over HTTP for the worker; the OpenAI-compatible double speaking a tone; a standard agent
created through the API; the standard worker process registered with livekit-server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import numpy as np
import pytest

from arkenos_crds.runtime import WORKLOAD_TOKEN_AUDIENCE
from arkenos_devstack.livekit import LiveKitStack
from tests.api.conftest import (  # noqa: F401 - fixtures, registered by import
    api,
    cluster,
    database_url,
    master_keys,
    providers,
    settings,
)
from tests.api.helpers import Api, Cluster
from tests.doubles.openai import ChatRule, OpenAIDouble
from tests.doubles.server import serve_aiohttp
from tests.realcalls.support.agent import AGENT_ANSWERS, CALLER_SAYS, OPENAI_KEY, agent_spec
from tests.realcalls.support.phone import PHONE_RATE
from tests.realcalls.support.platform import create_standard_agent, serve_here
from tests.realcalls.support.speech import espeak_wav, read_wav
from tests.realcalls.support.worker import WorkerProcess, start_worker


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The caller's sentence, spoken by espeak-ng into a WAV file."""
    return espeak_wav(CALLER_SAYS, tmp_path_factory.mktemp("speech") / "caller.wav")


@pytest.fixture(scope="session")
def speech(speech_wav: Path) -> np.ndarray:
    """The caller's sentence at the browser caller's 48 kHz."""
    return read_wav(speech_wav)


@pytest.fixture(scope="session")
def phone_speech(speech_wav: Path) -> np.ndarray:
    """The caller's sentence at the phone network's 8 kHz."""
    return read_wav(speech_wav, PHONE_RATE)


@pytest.fixture
def openai_double() -> OpenAIDouble:
    """STT hears the caller's question, the LLM answers it, TTS speaks a 440 Hz tone."""
    return OpenAIDouble(
        api_key=OPENAI_KEY,
        transcripts=[CALLER_SAYS],
        rules=[ChatRule(match="order", text=AGENT_ANSWERS)],
        speech_seconds=0.8,
        speech_tone_hz=440.0,
    )


@pytest.fixture
def openai_url(openai_double: OpenAIDouble) -> Iterator[str]:
    with serve_aiohttp(openai_double.app()) as served:
        yield served.url + "/v1"


@pytest.fixture
async def api_url(api: Api) -> AsyncIterator[str]:  # noqa: F811 - the imported fixture
    """The API over HTTP, for the worker process."""
    async with serve_here(api.app) as url:
        yield url


@pytest.fixture
async def workspace(api: Api, openai_url: str) -> str:  # noqa: F811
    """A workspace with the standard agent ``support`` on the OpenAI double."""
    return await create_standard_agent(api, agent_spec(openai_url))


@pytest.fixture
def pool_token_file(cluster: Cluster, tmp_path: Path) -> Path:  # noqa: F811
    """The shared pool's projected ServiceAccount token, as the kubelet would mount it."""
    token = cluster.authority.issue("arkenos-system", "arkenos-worker", (WORKLOAD_TOKEN_AUDIENCE,))
    path = tmp_path / "token"
    path.write_text(token)
    return path


@pytest.fixture
async def worker(
    livekit_stack: LiveKitStack, api_url: str, pool_token_file: Path, tmp_path: Path
) -> AsyncIterator[WorkerProcess]:
    """One standard worker process, registered with livekit-server."""
    log_file = tmp_path / "worker.log"
    process = await asyncio.to_thread(
        start_worker, livekit_stack, api_url, pool_token_file, log_file
    )
    try:
        yield process
    finally:
        await asyncio.to_thread(process.stop)
