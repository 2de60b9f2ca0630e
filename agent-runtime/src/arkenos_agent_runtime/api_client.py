"""The worker's side of the runtime contract with the Arkenos API (arkenos_crds.runtime):
fetch an agent's runtime config, register a session, send event batches, end the session,
and hang up or transfer the session's call (the API acts on LiveKit; the worker holds no
LiveKit server credential).

``RuntimeAPI`` is the small Protocol the rest of the runtime depends on; ``HTTPRuntimeAPI``
is the real implementation over httpx, authenticated with the workload's projected token.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from pathlib import Path
from typing import Protocol
from uuid import UUID

import httpx

from arkenos_crds.runtime import (
    RUNTIME_CONFIG_PATH,
    SESSION_END_PATH,
    SESSION_EVENTS_PATH,
    SESSION_HANGUP_PATH,
    SESSION_TRANSFER_PATH,
    SESSIONS_PATH,
    BatchAccepted,
    EventBatch,
    RuntimeConfig,
    SessionEnd,
    SessionStart,
    SessionStarted,
    SessionTransfer,
)

#: The kubelet rotates projected tokens well before expiry; re-reading this often is enough.
TOKEN_RELOAD_SECONDS = 60.0


class APIError(Exception):
    """The API answered with an error, or could not be reached."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status >= 500 or self.status in {408, 429}


class RuntimeAPI(Protocol):
    async def runtime_config(self, workspace: str, agent: str) -> RuntimeConfig: ...

    async def start_session(self, start: SessionStart) -> SessionStarted: ...

    async def send_events(self, session_id: UUID, batch: EventBatch) -> BatchAccepted: ...

    async def end_session(self, session_id: UUID, end: SessionEnd) -> None: ...

    async def hang_up(self, session_id: UUID) -> None: ...

    async def transfer(self, session_id: UUID, transfer: SessionTransfer) -> None: ...


class TokenSource:
    """The workload token, re-read from its file now and then (the kubelet rotates it)."""

    def __init__(self, path: str) -> None:
        self._path = Path(path)
        self._token: str | None = None
        self._read_at = 0.0

    async def get(self, *, refresh: bool = False) -> str:
        stale = time.monotonic() - self._read_at > TOKEN_RELOAD_SECONDS
        if self._token is None or refresh or stale:
            text = await asyncio.to_thread(self._path.read_text)
            self._token = text.strip()
            self._read_at = time.monotonic()
        return self._token


class HTTPRuntimeAPI:
    """RuntimeAPI over HTTP. Create one per process at startup and ``aclose()`` it at exit."""

    def __init__(
        self,
        base_url: str,
        tokens: TokenSource,
        *,
        timeout: float = 5.0,
        verify: ssl.SSLContext | bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """``verify``: pass the worker's SSL context so a per-job client skips loading CAs.
        ``transport``: another way to reach the API (tests reach the app in-process)."""
        self._tokens = tokens
        self._client = httpx.AsyncClient(
            base_url=base_url, timeout=timeout, verify=verify, transport=transport
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def runtime_config(self, workspace: str, agent: str) -> RuntimeConfig:
        path = RUNTIME_CONFIG_PATH.format(workspace=workspace, agent=agent)
        response = await self._request("GET", path)
        return RuntimeConfig.model_validate(response.json())

    async def start_session(self, start: SessionStart) -> SessionStarted:
        response = await self._request("POST", SESSIONS_PATH, start.to_wire())
        return SessionStarted.model_validate(response.json())

    async def send_events(self, session_id: UUID, batch: EventBatch) -> BatchAccepted:
        path = SESSION_EVENTS_PATH.format(session_id=session_id)
        response = await self._request("POST", path, batch.to_wire())
        return BatchAccepted.model_validate(response.json())

    async def end_session(self, session_id: UUID, end: SessionEnd) -> None:
        await self._request("POST", SESSION_END_PATH.format(session_id=session_id), end.to_wire())

    async def hang_up(self, session_id: UUID) -> None:
        await self._request("POST", SESSION_HANGUP_PATH.format(session_id=session_id))

    async def transfer(self, session_id: UUID, transfer: SessionTransfer) -> None:
        path = SESSION_TRANSFER_PATH.format(session_id=session_id)
        await self._request("POST", path, transfer.to_wire())

    async def _request(
        self, method: str, path: str, body: dict[str, object] | None = None
    ) -> httpx.Response:
        response = await self._send(method, path, body, refresh=False)
        if response.status_code == 401:
            # The token may have rotated since we read it.
            response = await self._send(method, path, body, refresh=True)
        if response.status_code >= 400:
            raise APIError(
                f"{method} {path} failed with HTTP {response.status_code}: {_detail(response)}",
                response.status_code,
            )
        return response

    async def _send(
        self, method: str, path: str, body: dict[str, object] | None, *, refresh: bool
    ) -> httpx.Response:
        token = await self._tokens.get(refresh=refresh)
        try:
            return await self._client.request(
                method, path, json=body, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as exc:
            raise APIError(f"{method} {path} failed: {type(exc).__name__}: {exc}") from exc


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:500]
    if isinstance(body, dict) and "detail" in body:
        return str(body["detail"])[:500]
    return str(body)[:500]
