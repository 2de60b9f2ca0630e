"""The platform around a real call: the API app served over HTTP in the test's own event loop
(so the test can also reach it in-process and read its database), a standard agent created
through the API, the LiveKit room with the agent dispatched, and what the API stored."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from livekit import api as lkapi
from sqlalchemy import select

from arkenos_api.internal.models import (
    CallSession,
    TranscriptSegmentRow,
    TurnMetricRow,
    UsageEventRow,
)
from arkenos_crds.runtime import DispatchMetadata
from arkenos_crds.voiceagent import STANDARD_DISPATCH_NAME
from arkenos_devstack.livekit import LiveKitStack
from tests.api.helpers import Api
from tests.realcalls.support.agent import OPENAI_KEY


@contextlib.asynccontextmanager
async def serve_here(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app whose lifespan the caller already runs, in the running loop; yield
    its base URL. Unlike tests.doubles.server, the app keeps its database engine in this
    loop, so the test can call it in-process too."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan="off", log_config=None, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        while not server.started:
            if serving.done():
                serving.result()
                raise RuntimeError("the API server stopped before it started")
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving
        listener.close()


async def create_standard_agent(api: Api, spec: dict[str, Any], name: str = "support") -> str:
    """A workspace with the OpenAI key stored and one standard agent; return the workspace."""
    admin = await api.admin()
    workspace = await api.workspace(admin)
    keys = f"/api/v1/workspaces/{workspace}/keys/openai"
    stored = await admin.put(keys, json={"value": OPENAI_KEY})
    assert stored.status_code == 200, stored.text
    created = await admin.post(
        f"/api/v1/workspaces/{workspace}/agents", json={"name": name, "spec": spec}
    )
    assert created.status_code == 201, created.text
    await admin.client.aclose()
    return workspace


def dispatch_metadata(workspace: str, agent: str) -> str:
    return json.dumps(DispatchMetadata(workspace=workspace, agent=agent).to_wire())


async def create_dispatched_room(
    stack: LiveKitStack,
    room: str,
    workspace: str,
    agent: str,
    dispatch_name: str = STANDARD_DISPATCH_NAME,
) -> lkapi.Room:
    """The room a browser call gets, as the API would create it: the agent's dispatch name
    dispatched explicitly, with metadata naming workspace and agent."""
    async with lkapi.LiveKitAPI(stack.http_url, stack.keys.api_key, stack.keys.api_secret) as lk:
        dispatch = lkapi.RoomAgentDispatch(
            agent_name=dispatch_name, metadata=dispatch_metadata(workspace, agent)
        )
        request = lkapi.CreateRoomRequest(name=room, agents=[dispatch], empty_timeout=30)
        return await lk.room.create_room(request)


def caller_token(stack: LiveKitStack, room: str, identity: str = "caller") -> str:
    """A participant token for that room only, as the API mints for the browser."""
    grants = lkapi.VideoGrants(room_join=True, room=room)
    token = lkapi.AccessToken(stack.keys.api_key, stack.keys.api_secret)
    return token.with_identity(identity).with_grants(grants).to_jwt()


@dataclass
class StoredCall:
    """What the API stored about one call."""

    session: CallSession
    transcript: list[TranscriptSegmentRow]
    usage: list[UsageEventRow]
    turns: list[TurnMetricRow]


async def stored_call(api: Api, room: str, *, prefix: bool = False) -> StoredCall | None:
    """The call held in ``room`` (or the first room starting with it), once its session has
    ended; None before."""
    where = CallSession.room.startswith(room) if prefix else CallSession.room == room
    async with api.app.state.sessionmaker() as db:
        session = await db.scalar(select(CallSession).where(where))
        if session is None or session.ended_at is None:
            return None

        async def rows(model: Any) -> list[Any]:
            query = select(model).where(model.session_id == session.id).order_by(model.seq)
            return list(await db.scalars(query))

        return StoredCall(
            session,
            await rows(TranscriptSegmentRow),
            await rows(UsageEventRow),
            await rows(TurnMetricRow),
        )
