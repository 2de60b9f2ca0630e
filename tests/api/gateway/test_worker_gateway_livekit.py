"""The worker gateway against the real livekit-server: an unmodified livekit-agents worker
holding only its agent's key pair registers through the gateway, a room dispatched to the
agent's name gets it as a participant (an agent, not hidden, named as LiveKit names agents),
and the job's token is LiveKit's room-scoped one: the server refuses it for anything else.
A worker asking for another agent's name, or with another agent's key, is refused."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from livekit import agents
from livekit import api as lk

from arkenos_devstack.livekit import LiveKitStack
from arkenos_devstack.tools import is_built
from tests.api.gateway._support import (
    Key,
    Platform,
    custom_agent,
    dispatch_name,
    handshake_status,
    now,
    refused_registration,
    sdk_worker,
    serve_gateway,
    worker_token,
)
from tests.api.helpers import Cluster
from tests.realcalls.support.platform import create_dispatched_room
from tests.substrate.waiting import eventually

pytestmark = [pytest.mark.k8s, pytest.mark.livekit, pytest.mark.slow]


@pytest.fixture
def stack(request: pytest.FixtureRequest) -> LiveKitStack:
    if shutil.which("go") is None or not is_built("livekit-server"):
        pytest.skip("livekit-server is not built yet (`make tools` builds it)")
    livekit: LiveKitStack = request.getfixturevalue("livekit_stack")
    return livekit


@pytest.fixture
def gateway_url(stack: LiveKitStack, kubeconfig: Path) -> Iterator[str]:
    platform = Platform(stack.http_url, stack.url, stack.keys.api_key, stack.keys.api_secret)
    with serve_gateway(platform, kubeconfig) as url:
        yield url


async def test_a_dispatched_room_gets_the_worker_with_a_token_for_that_room_only(
    stack: LiveKitStack, gateway_url: str, cluster: Cluster
) -> None:
    key = await custom_agent(cluster, stack.keys.api_secret, "orders")
    tokens: list[tuple[str, str]] = []
    lock = threading.Lock()

    async def entrypoint(ctx: agents.JobContext) -> None:
        await ctx.connect()
        with lock:
            tokens.append((ctx.room.name, ctx._info.token))

    async with sdk_worker(gateway_url, key, dispatch_name("orders"), entrypoint):
        await create_dispatched_room(
            stack, "gw-call-1", "team-a", "orders", dispatch_name=dispatch_name("orders")
        )
        await eventually(now(lambda: tokens or None), within=60, what="the job joined its room")
        room, token = tokens[0]
        assert room == "gw-call-1"
        async with lk.LiveKitAPI(stack.http_url, stack.keys.api_key, stack.keys.api_secret) as api:
            listed = await api.room.list_participants(lk.ListParticipantsRequest(room=room))
        (participant,) = [p for p in listed.participants if p.kind == lk.ParticipantInfo.AGENT]
        assert participant.identity.startswith("agent-")
        assert participant.attributes["lk.agent.name"] == dispatch_name("orders")
        assert not participant.permission.hidden
        # LiveKit itself refuses the job's token for anything but joining that room.
        async with aiohttp.ClientSession() as http:
            for method in ("ListRooms", "CreateRoom"):
                response = await http.post(
                    f"{stack.http_url}/twirp/livekit.RoomService/{method}",
                    json={"name": "another-room"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert response.status in (401, 403), (method, response.status)


async def test_foreign_names_and_keys_are_refused_before_livekit(
    stack: LiveKitStack, gateway_url: str, cluster: Cluster
) -> None:
    orders = await custom_agent(cluster, stack.keys.api_secret, "orders")
    billing = await custom_agent(cluster, stack.keys.api_secret, "billing")
    code, reason = await refused_registration(gateway_url, orders, dispatch_name("billing"))
    assert (code, "may register only as" in reason) == (1008, True)
    mixed = Key(orders.key, billing.secret)
    assert await handshake_status(gateway_url, worker_token(mixed)) == 401
