"""A double of the Arkenos API's internal endpoints, following the contract in
arkenos_crds.runtime: runtime config, session registration, event batches, session end (for
workers), a worker's hang-up and transfer of its own live call, and agent readiness (for the
operator).

Readiness is decided as the API does: the namespace must be a workspace (``workspaces``; None
makes every namespace one), and without ``credentials.secretRef`` every provider the agent's
pipeline requires must have a stored key (``stored_keys``), the spec being read through
``agent_spec`` (the test's view of the cluster). An agent with a secretRef is answered ready:
the double does not read Secrets (the operator checks that Secret's keys itself).

It checks the workload's Bearer token and what it may serve (the pool token serves every
agent; an agent token only its own agent), validates bodies with the contract models (422 with
the errors), keeps sessions and events with per-session sequence deduplication, and can be
told to fail, to be slow, or to lose its answer after storing (to exercise idempotent retries).

Hang-up and transfer act only on a session the token may serve (404 otherwise, as the API
answers for another workload's session) that has not ended (409); a transfer of a browser call
is 409, and one to a number the test lists in ``refused_destinations`` is 422 with its reason
(the workspace's destination rules, which the API applies). Accepted actions are recorded on
the session.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from arkenos_crds.runtime import (
    AGENT_READINESS_PATH,
    RUNTIME_CONFIG_PATH,
    SESSION_END_PATH,
    SESSION_EVENTS_PATH,
    SESSION_HANGUP_PATH,
    SESSION_TRANSFER_PATH,
    SESSIONS_PATH,
    AgentReadiness,
    BatchAccepted,
    CallDirection,
    EventBatch,
    Provider,
    ReadinessReason,
    RuntimeConfig,
    SessionEnd,
    SessionStart,
    SessionStarted,
    SessionTransfer,
    providers_for,
)
from arkenos_crds.voiceagent import VoiceAgentSpec

POOL = "*"
#: Scope of the operator's token: it may ask about any agent's readiness, and serve none.
OPERATOR = "operator"
NOT_YOURS = "this workload may not serve that agent"
SCOPE = web.RequestKey("scope", str)
M = TypeVar("M", bound=BaseModel)


@dataclass
class Fault:
    """The next ``count`` requests whose path starts with ``path_prefix`` answer ``status``
    after ``delay`` seconds; with ``after_store`` the request is processed first (the answer
    is lost, as when a connection drops after the API committed)."""

    path_prefix: str
    count: int
    status: int = 503
    delay: float = 0.0
    after_store: bool = False


@dataclass
class StoredSession:
    start: SessionStart
    events: dict[int, dict[str, Any]] = field(default_factory=dict)
    end: SessionEnd | None = None
    batches: int = 0
    hang_ups: int = 0
    transfers: list[SessionTransfer] = field(default_factory=list)


@dataclass
class ArkenosAPIDouble:
    #: token -> "<workspace>/<agent>" it may serve, or POOL for every agent.
    tokens: dict[str, str]
    configs: dict[tuple[str, str], RuntimeConfig] = field(default_factory=dict)
    sessions: dict[uuid.UUID, StoredSession] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    #: While True every request answers 503, as an API that is down behind its Service.
    down: bool = False
    requests: list[str] = field(default_factory=list)
    #: (request, status) of the requests handlers answered.
    answered: list[tuple[str, int]] = field(default_factory=list)
    #: Namespaces that are workspaces; None: every namespace is one.
    workspaces: set[str] | None = None
    #: Provider keys stored per workspace (the dashboard's "keys" page).
    stored_keys: dict[str, set[Provider]] = field(default_factory=dict)
    #: Reads an agent's spec (None when it does not exist); None: no agent is inspected.
    agent_spec: Callable[[str, str], Awaitable[dict[str, Any] | None]] | None = None
    #: Transfer destinations the workspace's rules refuse -> the reason the API gives (422).
    refused_destinations: dict[str, str] = field(default_factory=dict)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._faults_and_auth])
        app.router.add_get(RUNTIME_CONFIG_PATH, self._runtime_config)
        app.router.add_get(AGENT_READINESS_PATH, self._readiness)
        app.router.add_post(SESSIONS_PATH, self._start)
        app.router.add_post(SESSION_EVENTS_PATH, self._events)
        app.router.add_post(SESSION_END_PATH, self._end)
        app.router.add_post(SESSION_HANGUP_PATH, self._hang_up)
        app.router.add_post(SESSION_TRANSFER_PATH, self._transfer)
        return app

    def events(self, session_id: uuid.UUID) -> list[dict[str, Any]]:
        return [e for _, e in sorted(self.sessions[session_id].events.items())]

    @web.middleware
    async def _faults_and_auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append(f"{request.method} {request.path}")
        if self.down:
            return web.json_response({"detail": "service unavailable"}, status=503)
        fault = next(
            (f for f in self.faults if f.count > 0 and request.path.startswith(f.path_prefix)),
            None,
        )
        if fault is not None:
            fault.count -= 1
            await asyncio.sleep(fault.delay)
            if not fault.after_store:
                return web.json_response({"detail": "injected failure"}, status=fault.status)
        scope = self._scope(request)
        if scope is None:
            return web.json_response({"detail": "invalid or missing workload token"}, status=401)
        request[SCOPE] = scope
        response: web.StreamResponse = await handler(request)
        if fault is not None:
            return web.json_response({"detail": "injected failure"}, status=fault.status)
        self.answered.append((f"{request.method} {request.path}", response.status))
        return response

    def _scope(self, request: web.Request) -> str | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        return self.tokens.get(header.removeprefix("Bearer "))

    @staticmethod
    def _may_serve(request: web.Request, workspace: str, agent: str) -> bool:
        return request[SCOPE] in {POOL, f"{workspace}/{agent}"}

    async def _runtime_config(self, request: web.Request) -> web.Response:
        workspace, agent = request.match_info["workspace"], request.match_info["agent"]
        if not self._may_serve(request, workspace, agent):
            return web.json_response(
                {"detail": "this workload may not serve that agent"}, status=403
            )
        config = self.configs.get((workspace, agent))
        if config is None:
            return web.json_response({"detail": f"agent {workspace}/{agent} not found"}, status=404)
        return web.json_response(config.to_wire())

    async def _readiness(self, request: web.Request) -> web.Response:
        if request[SCOPE] != OPERATOR:
            return web.json_response({"detail": "only the operator asks this"}, status=403)
        namespace, name = request.match_info["namespace"], request.match_info["name"]
        return web.json_response((await self.readiness(namespace, name)).to_wire())

    async def readiness(self, namespace: str, name: str) -> AgentReadiness:
        if self.workspaces is not None and namespace not in self.workspaces:
            return AgentReadiness(
                ready=False,
                reason=ReadinessReason.NOT_A_WORKSPACE,
                message=f'Namespace "{namespace}" is not an Arkenos workspace: create the '
                "workspace in the dashboard, or move the agent into one.",
            )
        raw = await self.agent_spec(namespace, name) if self.agent_spec else None
        if raw is None:
            return AgentReadiness(ready=True, message="")
        spec = VoiceAgentSpec.model_validate(raw)
        if spec.credentials is not None:
            return AgentReadiness(ready=True, message="")
        required, _ = providers_for(spec)
        missing = sorted(required - self.stored_keys.get(namespace, set()))
        if missing:
            return AgentReadiness(
                ready=False,
                reason=ReadinessReason.PROVIDER_KEY_MISSING,
                message=f"No {', '.join(p.value for p in missing)} key is stored in workspace "
                f'"{namespace}": add it in the dashboard, or set credentials.secretRef.',
            )
        return AgentReadiness(ready=True, message="")

    async def _start(self, request: web.Request) -> web.Response:
        start = await _parse(request, SessionStart)
        if not self._may_serve(request, start.workspace, start.agent):
            return web.json_response(
                {"detail": "this workload may not serve that agent"}, status=403
            )
        for session_id, stored in self.sessions.items():
            if stored.start.job_id == start.job_id:  # idempotent per LiveKit job
                return web.json_response(SessionStarted(session_id=session_id).to_wire())
        session_id = uuid.uuid4()
        self.sessions[session_id] = StoredSession(start=start)
        return web.json_response(SessionStarted(session_id=session_id).to_wire(), status=201)

    async def _session(self, request: web.Request) -> StoredSession:
        try:
            stored = self.sessions[uuid.UUID(request.match_info["session_id"])]
        except (ValueError, KeyError):
            raise web.HTTPNotFound(text='{"detail": "session not found"}') from None
        if not self._may_serve(request, stored.start.workspace, stored.start.agent):
            # The API reports another workload's session as missing.
            raise web.HTTPNotFound(text='{"detail": "session not found"}')
        return stored

    async def _live_session(self, request: web.Request) -> StoredSession:
        stored = await self._session(request)
        if stored.end is not None:
            raise web.HTTPConflict(
                text=f'{{"detail": "the call ended at {stored.end.ended_at.isoformat()}"}}'
            )
        return stored

    async def _events(self, request: web.Request) -> web.Response:
        stored = await self._session(request)
        batch = await _parse(request, EventBatch)
        stored.batches += 1
        stored_now = duplicates = 0
        for kind, events in (
            ("transcript", batch.transcripts),
            ("usage", batch.usage),
            ("turn", batch.turns),
        ):
            for event in events:
                if event.seq in stored.events:
                    duplicates += 1
                    continue
                stored.events[event.seq] = {"kind": kind, **event.to_wire()}
                stored_now += 1
        return web.json_response(BatchAccepted(stored=stored_now, duplicates=duplicates).to_wire())

    async def _end(self, request: web.Request) -> web.Response:
        stored = await self._session(request)
        stored.end = await _parse(request, SessionEnd)
        return web.Response(status=204)

    async def _hang_up(self, request: web.Request) -> web.Response:
        stored = await self._live_session(request)
        stored.hang_ups += 1
        return web.Response(status=204)

    async def _transfer(self, request: web.Request) -> web.Response:
        stored = await self._live_session(request)
        transfer = await _parse(request, SessionTransfer)
        if stored.start.direction == CallDirection.WEB:
            return web.json_response({"detail": "only phone calls can be transferred"}, status=409)
        reason = self.refused_destinations.get(transfer.to)
        if reason is not None:
            return web.json_response({"detail": reason}, status=422)
        stored.transfers.append(transfer)
        return web.Response(status=204)


async def _parse(request: web.Request, model: type[M]) -> M:
    try:
        return model.model_validate(await request.json())
    except ValidationError as exc:
        detail = exc.json(include_url=False, include_context=False)
        raise web.HTTPUnprocessableEntity(
            text=f'{{"detail": {detail}}}', content_type="application/json"
        ) from None
    except ValueError:
        raise web.HTTPBadRequest(text='{"detail": "body is not JSON"}') from None
