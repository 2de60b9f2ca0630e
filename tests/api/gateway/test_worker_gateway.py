"""The worker gateway end to end: an unmodified livekit-agents worker holding only its agent's
gateway key pair registers through the gateway and receives a dispatched job, whose room it
joins at LiveKit's URL; a worker asking for another agent's name, a key of another agent and
a standard agent's key are refused; a pod's ServiceAccount token is accepted for its agent.

Upstream here is LiveKit's /agent WebSocket double (tests/doubles/livekit_worker.py), which
checks the platform's key as the server does; test_worker_gateway_livekit.py runs the same
path against the real livekit-server once it is built.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import websockets
from livekit import agents
from livekit.protocol import agent as proto

from arkenos_crds.gateway import GatewayKeyId, gateway_secret
from arkenos_crds.runtime import WORKLOAD_TOKEN_AUDIENCE, custom_agent_service_account
from tests.api.gateway._support import (
    NAMESPACE,
    Key,
    Platform,
    connect,
    custom_agent,
    dispatch_name,
    handshake_status,
    now,
    refused_registration,
    register,
    sdk_worker,
    serve_gateway,
    worker_token,
)
from tests.api.helpers import Cluster
from tests.doubles.livekit_worker import LiveKitWorkerDouble
from tests.doubles.server import ServedApp, serve_aiohttp
from tests.substrate.waiting import eventually

pytestmark = pytest.mark.k8s

PLATFORM_KEY, PLATFORM_SECRET = "APIplatform", "platform-secret-of-the-livekit-server-0123"


@dataclass
class Gateway:
    url: str  # what the operator puts in the runner's LIVEKIT_URL
    livekit: LiveKitWorkerDouble
    served: ServedApp
    cluster: Cluster

    async def agent(self, name: str, spec: dict[str, object] | None = None) -> Key:
        if spec is None:
            return await custom_agent(self.cluster, PLATFORM_SECRET, name)
        return await custom_agent(self.cluster, PLATFORM_SECRET, name, spec)

    def dispatch(self, agent_name: str, room: str) -> tuple[proto.Job, proto.AvailabilityResponse]:
        job: tuple[proto.Job, proto.AvailabilityResponse] = self.served.loop.run(
            self.livekit.dispatch(agent_name, room, "{}"), 30
        )
        return job


@pytest.fixture
def gateway(kubeconfig: Path, cluster: Cluster) -> Iterator[Gateway]:
    double = LiveKitWorkerDouble(PLATFORM_KEY, PLATFORM_SECRET)
    with serve_aiohttp(double.app()) as served:
        # livekit-server leaves JobAssignment.url empty: the gateway must fill it in.
        double.url = ""
        room_url = served.url.replace("http://", "ws://")
        platform = Platform(served.url, room_url, PLATFORM_KEY, PLATFORM_SECRET)
        with serve_gateway(platform, kubeconfig) as url:
            yield Gateway(url, double, served, cluster)


async def test_an_unmodified_worker_with_its_agents_key_registers_and_gets_its_job(
    gateway: Gateway,
) -> None:
    key = await gateway.agent("orders")
    rooms: list[str] = []

    async def entrypoint(ctx: agents.JobContext) -> None:
        rooms.append(ctx.job.room.name)
        await ctx.connect()

    async with sdk_worker(gateway.url, key, dispatch_name("orders"), entrypoint):
        worker = await eventually(
            now(lambda: gateway.livekit.worker_for(dispatch_name("orders"))),
            within=60,
            what="the worker registered upstream with the platform's key",
        )
        assert gateway.livekit.rejected_auth == 0
        job, answer = await asyncio.to_thread(gateway.dispatch, dispatch_name("orders"), "call-1")
        assert answer.available
        assert answer.participant_identity == f"agent-{job.id}"
        assert answer.participant_attributes["lk.agent.name"] == dispatch_name("orders")
        # The job joins its room at LiveKit's URL (from the gateway), not at the gateway.
        await eventually(now(lambda: gateway.livekit.room_connections > 0 or None), within=30)
        assert rooms == ["call-1"]
        await eventually(
            now(lambda: any(u.job_id == job.id for u in worker.job_updates) or None), within=30
        )


async def test_a_worker_asking_for_another_agents_name_is_refused(gateway: Gateway) -> None:
    key = await gateway.agent("orders")
    await gateway.agent("billing")
    for wanted in (dispatch_name("billing"), "arkenos-standard", ""):
        code, reason = await refused_registration(gateway.url, key, wanted)
        assert code == 1008
        assert "may register only as" in reason
    assert gateway.livekit.workers == []  # nothing reached LiveKit


async def test_another_agents_key_and_a_standard_agents_key_are_refused(gateway: Gateway) -> None:
    orders = await gateway.agent("orders")
    billing = await gateway.agent("billing")
    # billing's secret under orders' key id: the signature does not verify.
    assert await handshake_status(gateway.url, worker_token(Key(orders.key, billing.secret))) == 401
    # The platform's own key is not a gateway key, nor a ServiceAccount token.
    platform = Key(PLATFORM_KEY, PLATFORM_SECRET)
    assert await handshake_status(gateway.url, worker_token(platform)) == 401
    # A well-formed pair for an agent that is not custom, or no longer exists (other uid).
    standard = await gateway.agent("support", {"mode": "Standard"})
    assert await handshake_status(gateway.url, worker_token(standard)) == 403
    gone = GatewayKeyId(NAMESPACE, "orders", "another-uid")
    stale = Key(str(gone), gateway_secret(PLATFORM_SECRET, gone))
    assert await handshake_status(gateway.url, worker_token(stale)) == 403
    assert await handshake_status(gateway.url, "") == 401
    assert gateway.livekit.workers == []


async def test_the_pods_service_account_token_registers_its_own_agent(gateway: Gateway) -> None:
    await gateway.agent("orders")
    authority = gateway.cluster.authority
    token = authority.issue(
        NAMESPACE, custom_agent_service_account("orders"), (WORKLOAD_TOKEN_AUDIENCE,)
    )
    async with await connect(gateway.url, token) as ws:
        await ws.send(register(dispatch_name("orders")))
        first = proto.ServerMessage.FromString(await ws.recv())  # type: ignore[arg-type]
        assert first.WhichOneof("message") == "register"
    assert gateway.livekit.workers[0].agent_name == dispatch_name("orders")
    pool = authority.issue("arkenos-system", "arkenos-worker", (WORKLOAD_TOKEN_AUDIENCE,))
    assert await handshake_status(gateway.url, pool) == 403
    other_audience = authority.issue(
        NAMESPACE, custom_agent_service_account("orders"), ("kubernetes",)
    )
    assert await handshake_status(gateway.url, other_audience) == 401


async def _registered(gateway: Gateway, bearer: str, agent: str) -> websockets.ClientConnection:
    ws = await connect(gateway.url, bearer)
    await ws.send(register(dispatch_name(agent)))
    first = proto.ServerMessage.FromString(await ws.recv())  # type: ignore[arg-type]
    assert first.WhichOneof("message") == "register"
    return ws


async def _closed_by_gateway(ws: websockets.ClientConnection) -> tuple[int, str]:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), timeout=10)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def _delete_agent(gateway: Gateway, name: str) -> None:
    path = f"/apis/arkenos.io/v1alpha1/namespaces/{NAMESPACE}/voiceagents/{name}"
    response = await gateway.cluster.request("DELETE", path)
    assert response.status_code == 200, response.text


async def test_an_open_connection_is_closed_when_its_agent_is_deleted(gateway: Gateway) -> None:
    key = await gateway.agent("orders")
    kept = await gateway.agent("billing")
    ws = await _registered(gateway, worker_token(key), "orders")
    other = await _registered(gateway, worker_token(kept), "billing")
    await _delete_agent(gateway, "orders")
    code, reason = await _closed_by_gateway(ws)
    assert code == 1008
    assert f"VoiceAgent {NAMESPACE}/orders does not exist" in reason
    # LiveKit loses the worker with the upstream connection; the other agent's stays open.
    await eventually(
        now(
            lambda: (
                [w.agent_name for w in gateway.livekit.workers if not w.closed]
                == [dispatch_name("billing")]
            )
        ),
        within=10,
    )
    await asyncio.sleep(1.5)  # three re-checks of the other connection
    assert other.state is websockets.State.OPEN
    await other.close()


async def test_a_service_account_connection_does_not_outlive_a_recreated_agent(
    gateway: Gateway,
) -> None:
    """A new agent under the same name has a new uid: the old pod's connection is closed."""
    await gateway.agent("orders")
    token = gateway.cluster.authority.issue(
        NAMESPACE, custom_agent_service_account("orders"), (WORKLOAD_TOKEN_AUDIENCE,)
    )
    ws = await _registered(gateway, token, "orders")
    await _delete_agent(gateway, "orders")
    await gateway.agent("orders")
    code, reason = await _closed_by_gateway(ws)
    assert code == 1008
    assert "does not exist (any more)" in reason
