"""The standard worker as a process against the LiveKit /agent double and the API double:
it registers under the standard dispatch name, accepts a job and fetches the agent's config
with its workload token, and on SIGTERM turns unready, takes no new jobs, and exits only
after its running call ends. livekit's native runtime (its tokio threads) is started by the
first job, never in a worker that has served no call: a custom runner that only registered
exits 0 on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from arkenos_crds.runtime import DispatchMetadata, Provider, RuntimeConfig
from arkenos_crds.starter import STARTER_DIR
from arkenos_crds.voiceagent import STANDARD_DISPATCH_NAME, VoiceAgentSpec, dispatch_name_for
from arkenos_devstack.process import free_port
from tests.doubles.arkenos_api import POOL, ArkenosAPIDouble
from tests.doubles.livekit_worker import LiveKitWorkerDouble
from tests.doubles.server import ServedApp, serve_aiohttp
from tests.substrate.waiting import eventually

POOL_TOKEN = "pool-token-xyz"
T = TypeVar("T")
TEMPLATE = STARTER_DIR
CONFIG_PATH = "GET /internal/v1/workspaces/acme/agents/support/runtime-config"
#: The thread name of livekit-rtc's native (tokio) runtime, started with its FfiClient.
NATIVE_RUNTIME_THREAD = "tokio-rt-worker"


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

    def has_livekit_runtime(self) -> bool:
        """Whether livekit's native runtime runs in the worker (one of its threads does)."""
        tasks = Path(f"/proc/{self.process.pid}/task")
        names = set()
        for task in tasks.iterdir():
            try:
                names.add((task / "comm").read_text().strip())
            except FileNotFoundError:
                continue  # a thread that ended while listed
        return NATIVE_RUNTIME_THREAD in names


@pytest.fixture
def api() -> Iterator[tuple[ArkenosAPIDouble, str]]:
    double = ArkenosAPIDouble(tokens={POOL_TOKEN: POOL})
    double.configs[("acme", "support")] = RuntimeConfig(
        workspace="acme",
        agent="support",
        generation=1,
        dispatch_name=STANDARD_DISPATCH_NAME,
        spec=VoiceAgentSpec(),
        keys={Provider.OPENAI: "sk-unused"},
    )
    with serve_aiohttp(double.app()) as served:
        yield double, served.url


@pytest.fixture
async def start_worker(
    livekit: tuple[LiveKitWorkerDouble, ServedApp],
    api: tuple[ArkenosAPIDouble, str],
    tmp_path: Path,
) -> AsyncIterator[Callable[..., Awaitable[Worker]]]:
    token_file = tmp_path / "token"
    token_file.write_text(POOL_TOKEN)
    processes: list[asyncio.subprocess.Process] = []

    async def start(module: str, *args: str, **extra_env: str) -> Worker:
        health, metrics = free_port(), free_port()
        env = {
            **os.environ,
            "LIVEKIT_URL": livekit[0].url,
            "LIVEKIT_API_KEY": livekit[0].api_key,
            "LIVEKIT_API_SECRET": livekit[0].api_secret,
            "ARKENOS_API_URL": api[1],
            "ARKENOS_TOKEN_FILE": str(token_file),
            "ARKENOS_HEALTH_PORT": str(health),
            "ARKENOS_METRICS_PORT": str(metrics),
            "ARKENOS_IDLE_PROCESSES": "1",
            "ARKENOS_DRAIN_TIMEOUT_SECONDS": "60",
            **extra_env,
        }
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", module, *args, env=env)
        processes.append(process)
        return Worker(process, health, metrics)

    yield start
    for process in processes:
        if process.returncode is None:
            process.kill()
            await process.wait()


@pytest.fixture
async def worker(start_worker: Callable[..., Awaitable[Worker]]) -> Worker:
    return await start_worker("arkenos_agent_runtime.standard")


async def test_registers_serves_a_job_and_drains_on_sigterm(
    worker: Worker,
    livekit: tuple[LiveKitWorkerDouble, ServedApp],
    api: tuple[ArkenosAPIDouble, str],
) -> None:
    double, served = livekit
    api_double, _ = api

    async def in_double(coro: Coroutine[Any, Any, T]) -> T:
        return await asyncio.to_thread(served.loop.run, coro, 30)

    async with httpx.AsyncClient(timeout=2) as client:
        registered = await eventually(
            probe(lambda: double.worker_for(STANDARD_DISPATCH_NAME)), within=60, what="register"
        )
        assert double.rejected_auth == 0
        assert await wait_for_status(worker, client, 200) == "ready"
        assert not worker.has_livekit_runtime()

        metadata = DispatchMetadata(workspace="acme", agent="support").model_dump_json()
        job, answer = await in_double(double.dispatch(STANDARD_DISPATCH_NAME, "call-1", metadata))
        assert answer.available
        await eventually(
            probe(lambda: (CONFIG_PATH, 200) in api_double.answered), within=20, what="config"
        )
        scrape = (await client.get(worker.metrics)).text
        assert "arkenos_worker_active_sessions" in scrape
        # The job fetches its config and connects to the room concurrently: under load the
        # room connection can come after the config answer, so wait for it before draining.
        await eventually(
            probe(lambda: double.room_connections or None), within=20, what="room connection"
        )
        assert worker.has_livekit_runtime()

        worker.process.send_signal(signal.SIGTERM)
        assert await wait_for_status(worker, client, 503) == "draining"
        await eventually(probe(lambda: registered.draining), within=10, what="WS_FULL")
        # A draining worker takes no new call, and keeps serving the one it has.
        _, second = await in_double(double.dispatch(STANDARD_DISPATCH_NAME, "call-2", metadata))
        assert not second.available
        assert worker.process.returncode is None

        await in_double(double.terminate(STANDARD_DISPATCH_NAME, job.id))
        assert await asyncio.wait_for(worker.process.wait(), 30) == 0


def probe(check: Callable[[], T | None]) -> Callable[[], Awaitable[T | None]]:
    async def call() -> T | None:
        return check()

    return call


async def wait_for_status(worker: Worker, client: httpx.AsyncClient, status: int) -> str:
    async def ready_with_status() -> str | None:
        code, text = await worker.ready(client)
        return text if code == status else None

    return await eventually(ready_with_status, within=60, what=f"readiness {status}")


async def test_custom_runner_registers_under_the_agents_dispatch_name(
    start_worker: Callable[..., Awaitable[Worker]],
    livekit: tuple[LiveKitWorkerDouble, ServedApp],
    tmp_path: Path,
) -> None:
    double, _ = livekit
    artifact = tmp_path / "artifact"
    shutil.copytree(TEMPLATE, artifact / "app")
    (artifact / "site-packages").mkdir()
    dispatch_name = dispatch_name_for("acme", "night-desk", "Custom")
    runner = await start_worker(
        "arkenos_agent_runtime.custom",
        "--artifact-dir",
        str(artifact),
        "--entrypoint",
        "agent",
        ARKENOS_WORKSPACE="acme",
        ARKENOS_AGENT="night-desk",
        ARKENOS_DISPATCH_NAME=dispatch_name,
    )
    async with httpx.AsyncClient(timeout=2) as client:
        await eventually(
            probe(lambda: double.worker_for(dispatch_name)), within=60, what="register"
        )
        assert await wait_for_status(runner, client, 200) == "ready"
        assert not runner.has_livekit_runtime()
        runner.process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(runner.process.wait(), 30) == 0
