"""A double of LiveKit server's worker WebSocket (``/agent``), speaking the agent protocol
(livekit.protocol.agent) the way the server does: it checks the worker's JWT (HS256 signed with
the API secret, ``iss`` = API key, an ``agent`` video grant), answers RegisterWorkerRequest,
offers jobs with AvailabilityRequest, assigns them with JobAssignment, can terminate them,
and records every UpdateWorkerStatus and UpdateJobStatus.

``/rtc`` accepts a room connection and holds it without answering, so an assigned job stays
in its connect step (there is no media server here) until the test terminates it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import jwt
from aiohttp import WSMsgType, web
from livekit import api
from livekit.protocol import agent, models

from tests.substrate.waiting import eventually

T = TypeVar("T")


@dataclass
class ConnectedWorker:
    worker_id: str
    agent_name: str
    ws: web.WebSocketResponse
    statuses: list[agent.UpdateWorkerStatus] = field(default_factory=list)
    job_updates: list[agent.UpdateJobStatus] = field(default_factory=list)
    availability: dict[str, agent.AvailabilityResponse] = field(default_factory=dict)
    closed: bool = False

    @property
    def draining(self) -> bool:
        return any(s.status == agent.WorkerStatus.WS_FULL for s in self.statuses)


@dataclass
class LiveKitWorkerDouble:
    api_key: str
    api_secret: str
    workers: list[ConnectedWorker] = field(default_factory=list)
    rejected_auth: int = 0
    room_connections: int = 0
    url: str = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/agent", self._agent)
        app.router.add_get("/rtc", self._rtc)
        app.router.add_get("/rtc/v1", self._rtc)
        return app

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ") or request.query.get("access_token", "")
        try:
            claims = jwt.decode(token, self.api_secret, algorithms=["HS256"], issuer=self.api_key)
        except jwt.PyJWTError:
            return False
        return bool(claims.get("video", {}).get("agent"))

    async def _agent(self, request: web.Request) -> web.StreamResponse:
        if not self._authorized(request):
            self.rejected_auth += 1
            return web.Response(status=401, text="invalid token")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        first = await ws.receive()
        message = agent.WorkerMessage.FromString(first.data)
        if message.WhichOneof("message") != "register":
            await ws.close(code=1008, message=b"expected register")
            return ws
        worker = ConnectedWorker(
            worker_id=f"AW_{uuid.uuid4().hex[:12]}",
            agent_name=message.register.agent_name,
            ws=ws,
        )
        response = agent.ServerMessage(
            register=agent.RegisterWorkerResponse(
                worker_id=worker.worker_id,
                server_info=models.ServerInfo(version="1.9.0", protocol=16, agent_protocol=1),
            )
        )
        await ws.send_bytes(response.SerializeToString())
        self.workers.append(worker)
        async for frame in ws:
            if frame.type != WSMsgType.BINARY:
                continue
            self._record(worker, agent.WorkerMessage.FromString(frame.data))
        worker.closed = True
        return ws

    @staticmethod
    def _record(worker: ConnectedWorker, message: agent.WorkerMessage) -> None:
        which = message.WhichOneof("message")
        if which == "update_worker":
            worker.statuses.append(message.update_worker)
        elif which == "update_job":
            worker.job_updates.append(message.update_job)
        elif which == "availability":
            worker.availability[message.availability.job_id] = message.availability

    async def _rtc(self, request: web.Request) -> web.StreamResponse:
        self.room_connections += 1
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for _ in ws:
            pass
        return ws

    async def dispatch(
        self, agent_name: str, room: str, metadata: str, *, within: float = 10.0
    ) -> tuple[agent.Job, agent.AvailabilityResponse]:
        """Offer a job to a worker registered under ``agent_name``; assign it if accepted."""
        worker = await eventually(self._async(lambda: self._worker_for(agent_name)), within=within)
        job = agent.Job(
            id=f"AJ_{uuid.uuid4().hex[:12]}",
            dispatch_id=f"AD_{uuid.uuid4().hex[:12]}",
            type=agent.JobType.JT_ROOM,
            room=models.Room(sid=f"RM_{uuid.uuid4().hex[:12]}", name=room),
            metadata=metadata,
            agent_name=agent_name,
        )
        offer = agent.ServerMessage(availability=agent.AvailabilityRequest(job=job))
        await worker.ws.send_bytes(offer.SerializeToString())
        answer = await eventually(
            self._async(lambda: worker.availability.get(job.id)), within=within
        )
        if answer.available:
            token = (
                api.AccessToken(self.api_key, self.api_secret)
                .with_identity(answer.participant_identity or f"agent-{job.id}")
                .with_kind("agent")
                .with_grants(api.VideoGrants(room_join=True, room=room, agent=True))
                .to_jwt()
            )
            assignment = agent.JobAssignment(job=job, url=self.url, token=token)
            message = agent.ServerMessage(assignment=assignment)
            await worker.ws.send_bytes(message.SerializeToString())
        return job, answer

    async def terminate(self, agent_name: str, job_id: str) -> None:
        worker = self._worker_for(agent_name)
        assert worker is not None, f"no worker registered as {agent_name}"
        message = agent.ServerMessage(termination=agent.JobTermination(job_id=job_id))
        await worker.ws.send_bytes(message.SerializeToString())

    @staticmethod
    def _async(probe: Callable[[], T | None]) -> Callable[[], Awaitable[T | None]]:
        async def call() -> T | None:
            return probe()

        return call

    def worker_for(self, agent_name: str) -> ConnectedWorker | None:
        """The live worker registered under ``agent_name``, if any."""
        return self._worker_for(agent_name)

    def _worker_for(self, agent_name: str) -> ConnectedWorker | None:
        live = [w for w in self.workers if w.agent_name == agent_name and not w.closed]
        return live[0] if live else None
