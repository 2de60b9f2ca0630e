"""What the worker gateway's end-to-end tests share: the gateway app configured as the chart
configures ``arkenos-api gateway``, custom agents with the key pair the operator gives their
pods, and an unmodified livekit-agents worker holding only that pair."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import websockets
from livekit import agents
from livekit import api as lk
from livekit.protocol import agent as proto

from arkenos_api.gateway.app import GatewaySettings, create_gateway_app
from arkenos_crds.gateway import WORKER_GATEWAY_PATH, GatewayKeyId, gateway_secret
from arkenos_crds.voiceagent import AgentMode, dispatch_name_for
from tests.api.helpers import Cluster
from tests.doubles.server import serve_asgi

NAMESPACE = "team-a"
CUSTOM = {"mode": "Custom", "custom": {"source": {"image": "ghcr.io/x/y@sha256:" + "a" * 64}}}

Entrypoint = Callable[[agents.JobContext], Awaitable[None]]


@dataclass(frozen=True)
class Key:
    key: str
    secret: str


@dataclass(frozen=True)
class Platform:
    """The LiveKit server the gateway registers workers with, and its key."""

    http_url: str
    room_url: str
    api_key: str
    api_secret: str


@contextlib.contextmanager
def serve_gateway(platform: Platform, kubeconfig: Path) -> Iterator[str]:
    """``arkenos-api gateway``'s app served; yield the LIVEKIT_URL custom agents get."""
    settings = GatewaySettings.model_validate(
        {
            "LIVEKIT_URL": platform.http_url,
            "LIVEKIT_API_KEY": platform.api_key,
            "LIVEKIT_API_SECRET": platform.api_secret,
            "ARKENOS_GATEWAY_ROOM_URL": platform.room_url,
            "ARKENOS_KUBECONFIG": str(kubeconfig),
            # Open connections are re-checked often enough for a test to see one closed.
            "ARKENOS_GATEWAY_RECHECK_SECONDS": "0.5",
        }
    )
    with serve_asgi(create_gateway_app(settings)) as served:
        yield served.url + WORKER_GATEWAY_PATH


async def custom_agent(
    cluster: Cluster, platform_secret: str, name: str, spec: dict[str, Any] = CUSTOM
) -> Key:
    """A VoiceAgent in the cluster and the key pair the operator would give its pods."""
    created = await cluster.apply_agent(NAMESPACE, name, spec)
    assert created.status_code == 201, created.text
    key_id = GatewayKeyId(NAMESPACE, name, created.json()["metadata"]["uid"])
    return Key(str(key_id), gateway_secret(platform_secret, key_id))


def dispatch_name(agent: str) -> str:
    return dispatch_name_for(NAMESPACE, agent, AgentMode.CUSTOM)


def worker_token(key: Key) -> str:
    return lk.AccessToken(key.key, key.secret).with_grants(lk.VideoGrants(agent=True)).to_jwt()


def register(agent_name: str) -> bytes:
    request = proto.RegisterWorkerRequest(type=proto.JobType.JT_ROOM, agent_name=agent_name)
    return proto.WorkerMessage(register=request).SerializeToString()


async def connect(gateway_url: str, bearer: str) -> websockets.ClientConnection:
    url = gateway_url.replace("http://", "ws://") + "/agent"
    return await websockets.connect(url, additional_headers={"Authorization": f"Bearer {bearer}"})


async def handshake_status(gateway_url: str, bearer: str) -> int:
    with pytest.raises(websockets.InvalidStatus) as refused:
        await connect(gateway_url, bearer)
    return refused.value.response.status_code


async def refused_registration(gateway_url: str, key: Key, wanted: str) -> tuple[int, str]:
    """Register as ``wanted`` with ``key``; the close code and reason the gateway answers."""
    async with await connect(gateway_url, worker_token(key)) as ws:
        await ws.send(register(wanted))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


@contextlib.asynccontextmanager
async def sdk_worker(gateway_url: str, key: Key, agent_name: str, entrypoint: Entrypoint) -> Any:
    """livekit-agents' AgentServer as the custom runner runs it, holding only ``key``."""
    server = agents.AgentServer(
        ws_url=gateway_url,
        api_key=key.key,
        api_secret=key.secret,
        job_executor_type=agents.JobExecutorType.THREAD,
        load_fnc=lambda _: 0.0,
        num_idle_processes=1,
        host="127.0.0.1",
        port=0,
    )
    server.rtc_session(entrypoint, agent_name=agent_name)
    registered = asyncio.Event()
    server.on("worker_registered", lambda *_: registered.set())
    running = asyncio.create_task(server.run())
    try:
        # As a pod is Ready only once registered: LiveKit offers a room's job only to workers
        # registered when it dispatches (a room made earlier waits 5 s, then gives up).
        waiting = asyncio.create_task(registered.wait())
        await asyncio.wait({waiting, running}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
        if not registered.is_set():
            waiting.cancel()
            if running.done():
                running.result()  # the worker's own error, if it stopped
            raise TimeoutError("the worker did not register through the gateway within 60 s")
        yield server
    finally:
        await server.aclose()
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


def now(check: Callable[[], Any]) -> Callable[[], Awaitable[Any]]:
    async def call() -> Any:
        return check()

    return call
