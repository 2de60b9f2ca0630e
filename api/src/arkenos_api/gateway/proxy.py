"""The worker gateway's connection handling: authenticate the worker, admit its registration,
open the upstream worker connection to LiveKit with the platform's key, and pump messages both
ways through the filters until either side closes. A refused message closes the worker's
socket with the reason (policy violation, 1008).

An open connection is re-checked every ``recheck_seconds`` (with jitter): once its VoiceAgent
is deleted, recreated under the same name (a new uid, so a new key pair), or no longer a custom
agent, the gateway closes it (1008) and LiveKit drops the worker's registration with the
upstream connection. A Kubernetes API that cannot answer keeps the connection (calls in
progress are not cut for an outage of the control plane); the next check asks again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass
from urllib.parse import urlparse

import aiohttp
import websockets
from kubernetes_asyncio.client.exceptions import ApiException
from livekit import api as lk
from livekit.protocol import agent as proto
from starlette.responses import JSONResponse
from starlette.websockets import WebSocket, WebSocketDisconnect

from arkenos_api.core.cache import BoundedCache
from arkenos_api.core.errors import ApiError
from arkenos_api.core.kube import Kube
from arkenos_api.gateway.auth import authenticate, custom_agent
from arkenos_api.gateway.filters import (
    AgentIdentity,
    Connection,
    Refused,
    admit_registration,
    from_server,
    from_worker,
)

log = logging.getLogger(__name__)

POLICY_VIOLATION = 1008
UPSTREAM_GONE = 1012  # "service restart": livekit-agents reconnects
MAX_CLOSE_REASON = 123  # bytes a WebSocket close frame has room for
REGISTER_TIMEOUT_S = 10.0
#: How often an open connection's agent is looked up again, by default.
RECHECK_SECONDS = 30.0


@dataclass(frozen=True)
class Upstream:
    """The LiveKit server the gateway registers workers with, and its platform key."""

    url: str
    api_key: str
    api_secret: str
    #: Where jobs join their rooms (JobAssignment.url), as reached from agent pods.
    room_url: str

    def agent_url(self) -> str:
        return websocket_url(self.url).rstrip("/") + "/agent"

    def room_websocket_url(self) -> str:
        return websocket_url(self.room_url)

    def worker_token(self) -> str:
        grants = lk.VideoGrants(agent=True)
        return lk.AccessToken(self.api_key, self.api_secret).with_grants(grants).to_jwt()


def websocket_url(url: str) -> str:
    """``url`` with http(s) spelled ws(s), as livekit-agents does for its own URL."""
    parsed = urlparse(url)
    if parsed.scheme in ("http", "https"):
        parsed = parsed._replace(scheme=parsed.scheme.replace("http", "ws", 1))
    return parsed.geturl()


class WorkerGateway:
    def __init__(
        self,
        upstream: Upstream,
        *,
        kube: Kube,
        reviews: BoundedCache[bytes, str],
        platform_namespace: str,
        recheck_seconds: float = RECHECK_SECONDS,
    ) -> None:
        self.upstream = upstream
        self._recheck_seconds = recheck_seconds
        self._kube = kube
        self._reviews = reviews
        self._platform_namespace = platform_namespace
        self._verifier = lk.TokenVerifier(upstream.api_key, upstream.api_secret)
        self._room_url = upstream.room_websocket_url()

    async def serve(self, websocket: WebSocket) -> None:
        try:
            agent = await authenticate(
                websocket.headers.get("authorization"),
                kube=self._kube,
                reviews=self._reviews,
                platform_namespace=self._platform_namespace,
                platform_secret=self.upstream.api_secret,
            )
        except ApiError as error:
            log.info("worker gateway refused a connection: %s", error.message)
            await deny(websocket, error)
            return
        await websocket.accept()
        who = f"{agent.namespace}/{agent.name}"
        try:
            await self._relay(websocket, agent)
        except Refused as refused:
            log.warning("worker gateway closed %s: %s", who, refused.reason)
            await close(websocket, POLICY_VIOLATION, refused.reason)
        except TimeoutError:
            await close(websocket, POLICY_VIOLATION, "no registration within the time allowed")
        except (OSError, websockets.WebSocketException) as error:
            log.warning("worker gateway lost LiveKit for %s: %s", who, error)
            await close(websocket, UPSTREAM_GONE, "LiveKit is unreachable or closed")
        except WebSocketDisconnect:
            log.info("worker of %s disconnected", who)

    async def _relay(self, websocket: WebSocket, agent: AgentIdentity) -> None:
        first = await asyncio.wait_for(_receive(websocket), REGISTER_TIMEOUT_S)
        if first is None:
            return
        register = admit_registration(_parse_worker(first), agent)
        async with websockets.connect(
            self.upstream.agent_url(),
            additional_headers={"Authorization": f"Bearer {self.upstream.worker_token()}"},
        ) as upstream:
            await upstream.send(register.SerializeToString())
            log.info("worker of %s/%s registered through the gateway", agent.namespace, agent.name)
            await self._pump(websocket, upstream, Connection(agent))

    async def _pump(
        self,
        websocket: WebSocket,
        upstream: websockets.ClientConnection,
        connection: Connection,
    ) -> None:
        async def to_upstream() -> None:
            while (data := await _receive(websocket)) is not None:
                message = from_worker(_parse_worker(data), connection)
                await upstream.send(message.SerializeToString())

        async def to_worker() -> None:
            async for data in upstream:
                if isinstance(data, str):
                    continue
                message = proto.ServerMessage()
                message.ParseFromString(data)
                forwarded = from_server(message, connection, self._verifier, self._room_url)
                await websocket.send_bytes(forwarded.SerializeToString())
            # LiveKit closed the worker connection: tell the worker to reconnect.
            await close(websocket, UPSTREAM_GONE, "LiveKit closed the worker connection")

        tasks = [
            asyncio.create_task(to_upstream()),
            asyncio.create_task(to_worker()),
            asyncio.create_task(self._recheck(connection.agent)),
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for task in done:
            task.result()  # a Refused closes the worker's socket in serve()

    async def _recheck(self, agent: AgentIdentity) -> None:
        """Return never; raise Refused once the connection's agent is gone or replaced."""
        while True:
            await asyncio.sleep(self._recheck_seconds * random.uniform(0.8, 1.2))  # noqa: S311
            try:
                await custom_agent(self._kube, agent.namespace, agent.name, agent.uid)
            except ApiError as error:
                raise Refused(error.message) from None
            except (ApiException, aiohttp.ClientError, TimeoutError) as error:
                log.warning(
                    "worker gateway could not re-check %s/%s (kept open): %s",
                    agent.namespace,
                    agent.name,
                    error,
                )


async def _receive(websocket: WebSocket) -> bytes | None:
    """The worker's next binary message, or None once it disconnected."""
    while True:
        try:
            event = await websocket.receive()
        except WebSocketDisconnect:
            return None
        if event["type"] == "websocket.disconnect":
            return None
        data = event.get("bytes")
        if data is not None:
            return bytes(data)


def _parse_worker(data: bytes) -> proto.WorkerMessage:
    message = proto.WorkerMessage()
    try:
        message.ParseFromString(data)
    except Exception as error:  # protobuf's DecodeError has no stable import path
        raise Refused("the message is not a WorkerMessage") from error
    return message


async def deny(websocket: WebSocket, error: ApiError) -> None:
    """Refuse the handshake with the error's status and body where the server can send one."""
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        body = {"code": error.code, "message": error.message}
        await websocket.send_denial_response(JSONResponse(body, status_code=error.status))
        return
    await websocket.close(POLICY_VIOLATION, _fit(error.message))


async def close(websocket: WebSocket, code: int, reason: str) -> None:
    with contextlib.suppress(RuntimeError):  # already closed by the other side
        await websocket.close(code, _fit(reason))


def _fit(reason: str) -> str:
    encoded = reason.encode()
    if len(encoded) <= MAX_CLOSE_REASON:
        return reason
    return encoded[: MAX_CLOSE_REASON - 3].decode(errors="ignore") + "..."
