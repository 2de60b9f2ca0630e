"""The standard worker as a process against the LiveKit /agent double and the API double:
it registers under the standard dispatch name, accepts a job and fetches the agent's config
with its workload token, and on SIGTERM turns unready, takes no new jobs, and exits only
after its running call ends."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from arkenos_crds.runtime import DispatchMetadata, Provider, RuntimeConfig
from arkenos_crds.voiceagent import STANDARD_DISPATCH_NAME, VoiceAgentSpec
from tests.agent_runtime.serving import served
from tests.doubles.arkenos_api import POOL, ArkenosAPIDouble
from tests.doubles.livekit_worker import LiveKitWorkerDouble, wait_for

API_KEY, API_SECRET = "APIdouble", "double-secret-0123456789abcdef0123456789"
POOL_TOKEN = "pool-token-xyz"
CONFIG_PATH = "GET /internal/v1/workspaces/acme/agents/support/runtime-config"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Worker:
    def __init__(self, process: asyncio.subprocess.Process, health: int, metrics: int) -> None:
        self.process = process
        self.health = f"http://127.0.0.1:{health}"
        self.metrics = f"http://127.0.0.1:{metrics}/metrics"

    async def ready(self, client: httpx.AsyncClient) -> tuple[int, str]:
        try:
            response = await client.get(self.health + "/ready")
        except httpx.TransportError:
            return 0, "not listening"
        return response.status_code, response.text


@pytest.fixture
async def livekit() -> AsyncIterator[LiveKitWorkerDouble]:
    double = LiveKitWorkerDouble(API_KEY, API_SECRET)
    async with served(double.app()) as url:
        double.url = url.replace("http://", "ws://")
        yield double


@pytest.fixture
async def api() -> AsyncIterator[tuple[ArkenosAPIDouble, str]]:
    double = ArkenosAPIDouble(tokens={POOL_TOKEN: POOL})
    double.configs[("acme", "support")] = RuntimeConfig(
        workspace="acme",
        agent="support",
        generation=1,
        dispatch_name=STANDARD_DISPATCH_NAME,
        spec=VoiceAgentSpec(),
        keys={Provider.OPENAI: "sk-unused"},
    )
    async with served(double.app()) as url:
        yield double, url


@pytest.fixture
async def worker(
    livekit: LiveKitWorkerDouble, api: tuple[ArkenosAPIDouble, str], tmp_path: Path
) -> AsyncIterator[Worker]:
    token_file = tmp_path / "token"
    token_file.write_text(POOL_TOKEN)
    health, metrics = free_port(), free_port()
    env = {
        **os.environ,
        "LIVEKIT_URL": livekit.url,
        "LIVEKIT_API_KEY": API_KEY,
        "LIVEKIT_API_SECRET": API_SECRET,
        "ARKENOS_API_URL": api[1],
        "ARKENOS_TOKEN_FILE": str(token_file),
        "ARKENOS_HEALTH_PORT": str(health),
        "ARKENOS_METRICS_PORT": str(metrics),
        "ARKENOS_IDLE_PROCESSES": "1",
        "ARKENOS_DRAIN_TIMEOUT_SECONDS": "60",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "arkenos_agent_runtime.standard", env=env
    )
    yield Worker(process, health, metrics)
    if process.returncode is None:
        process.kill()
        await process.wait()


async def test_registers_serves_a_job_and_drains_on_sigterm(
    worker: Worker, livekit: LiveKitWorkerDouble, api: tuple[ArkenosAPIDouble, str]
) -> None:
    api_double, _ = api
    async with httpx.AsyncClient(timeout=2) as client:
        await wait_for(lambda: livekit._worker_for(STANDARD_DISPATCH_NAME), 60)
        assert livekit.rejected_auth == 0
        assert await wait_for_status(worker, client, 200) == "ready"

        metadata = DispatchMetadata(workspace="acme", agent="support").model_dump_json()
        job, answer = await livekit.dispatch(STANDARD_DISPATCH_NAME, "call-1", metadata)
        assert answer.available
        await wait_for(lambda: (CONFIG_PATH, 200) in api_double.answered, 20)
        scrape = (await client.get(worker.metrics)).text
        assert "arkenos_worker_active_sessions" in scrape

        worker.process.send_signal(signal.SIGTERM)
        assert await wait_for_status(worker, client, 503) == "draining"
        registered = livekit._worker_for(STANDARD_DISPATCH_NAME)
        assert registered is not None
        await wait_for(lambda: registered.draining, 10)
        # A draining worker takes no new call, and keeps serving the one it has.
        _, second = await livekit.dispatch(STANDARD_DISPATCH_NAME, "call-2", metadata)
        assert not second.available
        assert worker.process.returncode is None

        await livekit.terminate(STANDARD_DISPATCH_NAME, job.id)
        assert await asyncio.wait_for(worker.process.wait(), 30) == 0
        assert livekit.room_connections >= 1


async def wait_for_status(worker: Worker, client: httpx.AsyncClient, status: int) -> str:
    async def probe() -> str:
        while True:
            code, text = await worker.ready(client)
            if code == status:
                return text
            await asyncio.sleep(0.05)

    return await asyncio.wait_for(probe(), 60)
