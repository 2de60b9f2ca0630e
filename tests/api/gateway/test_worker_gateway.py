"""The worker gateway end to end: an unmodified livekit-agents worker holding only its agent's
gateway key pair registers through the gateway and receives a dispatched job, whose room it
joins at LiveKit's URL; a worker asking for another agent's name, a key of another agent and
a standard agent's key are refused; a pod's ServiceAccount token is accepted for its agent.

Upstream is LiveKit's /agent WebSocket double (tests/doubles/livekit_worker.py), which checks
the platform's key like the server does: livekit-server is not built on this machine yet
(``ls ~/.cache/arkenos/tools/livekit-server``), so the test against it is not written yet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
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
from arkenos_crds.runtime import WORKLOAD_TOKEN_AUDIENCE, custom_agent_service_account
from arkenos_crds.voiceagent import AgentMode, dispatch_name_for
from tests.api.helpers import Cluster
from tests.doubles.livekit_worker import LiveKitWorkerDouble
from tests.doubles.server import ServedApp, serve_aiohttp, serve_asgi
from tests.substrate.waiting import eventually

pytestmark = pytest.mark.k8s

PLATFORM_KEY, PLATFORM_SECRET = "APIplatform", "platform-secret-of-the-livekit-server-0123"
NAMESPACE = "team-a"
CUSTOM = {"mode": "Custom", "custom": {"source": {"image": "ghcr.io/x/y@sha256:" + "a" * 64}}}


@dataclass(frozen=True)
class Key:
    key: str
    secret: str


@dataclass
class Gateway:
    url: str  # what the operator puts in the runner's LIVEKIT_URL
    livekit: LiveKitWorkerDouble
    served: ServedApp
    cluster: Cluster

    async def agent(self, name: str, spec: dict[str, Any] = CUSTOM) -> Key:
        """A VoiceAgent in the cluster and the key pair the operator would give its pods."""
        created = await self.cluster.apply_agent(NAMESPACE, name, spec)
        assert created.status_code == 201, created.text
        key_id = GatewayKeyId(NAMESPACE, name, created.json()["metadata"]["uid"])
        return Key(str(key_id), gateway_secret(PLATFORM_SECRET, key_id))

    def dispatch(self, agent_name: str, room: str) -> tuple[proto.Job, proto.AvailabilityResponse]:
        job: tuple[proto.Job, proto.AvailabilityResponse] = self.served.loop.run(
            self.livekit.dispatch(agent_name, room, "{}"), 30
        )
        return job


@pytest.fixture
def livekit() -> Iterator[tuple[LiveKitWorkerDouble, ServedApp]]:
    double = LiveKitWorkerDouble(PLATFORM_KEY, PLATFORM_SECRET)
    with serve_aiohttp(double.app()) as served:
        # livekit-server leaves JobAssignment.url empty: the gateway must fill it in.
        double.url = ""
        yield double, served


@pytest.fixture
def gateway(
    livekit: tuple[LiveKitWorkerDouble, ServedApp], kubeconfig: Path, cluster: Cluster
) -> Iterator[Gateway]:
    """``arkenos-api gateway``'s app (the API serves the same route), configured like the
    chart configures it."""
    double, served = livekit
    settings = GatewaySettings.model_validate(
        {
            "LIVEKIT_URL": served.url,
            "LIVEKIT_API_KEY": PLATFORM_KEY,
            "LIVEKIT_API_SECRET": PLATFORM_SECRET,
            "ARKENOS_GATEWAY_ROOM_URL": served.url.replace("http://", "ws://"),
            "ARKENOS_KUBECONFIG": str(kubeconfig),
        }
    )
    with serve_asgi(create_gateway_app(settings)) as gateway_served:
        yield Gateway(gateway_served.url + WORKER_GATEWAY_PATH, double, served, cluster)


def dispatch_name(agent: str) -> str:
    return dispatch_name_for(NAMESPACE, agent, AgentMode.CUSTOM)


def worker_token(key: Key) -> str:
    return lk.AccessToken(key.key, key.secret).with_grants(lk.VideoGrants(agent=True)).to_jwt()


def register(agent_name: str) -> bytes:
    request = proto.RegisterWorkerRequest(type=proto.JobType.JT_ROOM, agent_name=agent_name)
    return proto.WorkerMessage(register=request).SerializeToString()


async def connect(gateway: Gateway, bearer: str) -> websockets.ClientConnection:
    url = gateway.url.replace("http://", "ws://") + "/agent"
    return await websockets.connect(url, additional_headers={"Authorization": f"Bearer {bearer}"})


async def handshake_status(gateway: Gateway, bearer: str) -> int:
    with pytest.raises(websockets.InvalidStatus) as refused:
        await connect(gateway, bearer)
    return refused.value.response.status_code


async def test_an_unmodified_worker_with_its_agents_key_registers_and_gets_its_job(
    gateway: Gateway,
) -> None:
    key = await gateway.agent("orders")
    server = agents.AgentServer(
        ws_url=gateway.url,
        api_key=key.key,
        api_secret=key.secret,
        job_executor_type=agents.JobExecutorType.THREAD,
        load_fnc=lambda _: 0.0,
        num_idle_processes=1,
        host="127.0.0.1",
        port=0,
    )
    rooms: list[str] = []

    async def entrypoint(ctx: agents.JobContext) -> None:
        rooms.append(ctx.job.room.name)
        await ctx.connect()

    server.rtc_session(entrypoint, agent_name=dispatch_name("orders"))
    running = asyncio.create_task(server.run())
    try:
        worker = await eventually(
            _now(lambda: gateway.livekit.worker_for(dispatch_name("orders"))),
            within=60,
            what="the worker registered upstream with the platform's key",
        )
        assert gateway.livekit.rejected_auth == 0
        job, answer = await asyncio.to_thread(gateway.dispatch, dispatch_name("orders"), "call-1")
        assert answer.available
        assert answer.participant_identity == f"agent-{job.id}"
        assert answer.participant_attributes["lk.agent.name"] == dispatch_name("orders")
        # The job joins its room at LiveKit's URL (from the gateway), not at the gateway.
        await eventually(_now(lambda: gateway.livekit.room_connections > 0 or None), within=30)
        assert rooms == ["call-1"]
        await eventually(
            _now(lambda: any(u.job_id == job.id for u in worker.job_updates) or None), within=30
        )
    finally:
        await server.aclose()
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_a_worker_asking_for_another_agents_name_is_refused(gateway: Gateway) -> None:
    key = await gateway.agent("orders")
    await gateway.agent("billing")
    for wanted in (dispatch_name("billing"), "arkenos-standard", ""):
        async with await connect(gateway, worker_token(key)) as ws:
            await ws.send(register(wanted))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1008
        assert "may register only as" in closed.value.rcvd.reason
    assert gateway.livekit.workers == []  # nothing reached LiveKit


async def test_another_agents_key_and_a_standard_agents_key_are_refused(gateway: Gateway) -> None:
    orders = await gateway.agent("orders")
    billing = await gateway.agent("billing")
    # billing's secret under orders' key id: the signature does not verify.
    assert await handshake_status(gateway, worker_token(Key(orders.key, billing.secret))) == 401
    # The platform's own key is not a gateway key, nor a ServiceAccount token.
    assert await handshake_status(gateway, worker_token(Key(PLATFORM_KEY, PLATFORM_SECRET))) == 401
    # A well-formed pair for an agent that is not custom, or no longer exists (other uid).
    standard = await gateway.agent("support", {"mode": "Standard"})
    assert await handshake_status(gateway, worker_token(standard)) == 403
    gone = GatewayKeyId(NAMESPACE, "orders", "another-uid")
    stale = Key(str(gone), gateway_secret(PLATFORM_SECRET, gone))
    assert await handshake_status(gateway, worker_token(stale)) == 403
    assert await handshake_status(gateway, "") == 401
    assert gateway.livekit.workers == []


async def test_the_pods_service_account_token_registers_its_own_agent(gateway: Gateway) -> None:
    await gateway.agent("orders")
    token = gateway.cluster.authority.issue(
        NAMESPACE, custom_agent_service_account("orders"), (WORKLOAD_TOKEN_AUDIENCE,)
    )
    async with await connect(gateway, token) as ws:
        await ws.send(register(dispatch_name("orders")))
        first = proto.ServerMessage.FromString(await ws.recv())  # type: ignore[arg-type]
        assert first.WhichOneof("message") == "register"
    pool = gateway.cluster.authority.issue(
        "arkenos-system", "arkenos-worker", (WORKLOAD_TOKEN_AUDIENCE,)
    )
    assert await handshake_status(gateway, pool) == 403
    other_audience = gateway.cluster.authority.issue(
        NAMESPACE, custom_agent_service_account("orders"), ("kubernetes",)
    )
    assert await handshake_status(gateway, other_audience) == 401


def _now(check: Any) -> Any:
    async def call() -> Any:
        return check()

    return call
