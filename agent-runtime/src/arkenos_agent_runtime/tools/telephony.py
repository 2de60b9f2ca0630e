"""Telephony actions the built-in tools take on their call, behind a small Protocol: hang up,
transfer the SIP caller. ``ApiTelephony`` is the real implementation: it asks the Arkenos API,
which acts on LiveKit for a live session of this workload only and applies the workspace's
destination rules. No worker (least of all a custom agent's pod, which runs user code) holds
LiveKit server credentials for it.
"""

from __future__ import annotations

import asyncio
from typing import Protocol
from uuid import UUID

from arkenos_agent_runtime.api_client import RuntimeAPI
from arkenos_crds.runtime import SessionTransfer

#: How long an action waits for the call's session to be registered with the API.
REGISTRATION_WAIT_SECONDS = 10.0


class Telephony(Protocol):
    """The call's telephony: each instance acts on the one call it was made for."""

    async def hang_up(self) -> None: ...

    async def transfer(self, participant_identity: str | None, number: str) -> None: ...


class TelephonyError(Exception):
    """The action could not be taken (the reason is in the message)."""


class CallSessionId:
    """The call's session id, known once the session's reporter has registered it (the API
    lets a workload act only on sessions it registered)."""

    def __init__(self) -> None:
        self._value: UUID | None = None
        self._known = asyncio.Event()

    def set(self, session_id: UUID) -> None:
        self._value = session_id
        self._known.set()

    async def get(self, wait_seconds: float) -> UUID:
        """The id, waiting up to ``wait_seconds`` for the registration."""
        if self._value is None:
            try:
                async with asyncio.timeout(wait_seconds):
                    await self._known.wait()
            except TimeoutError:
                raise TelephonyError(
                    f"the call's session was not registered with the API within {wait_seconds:g} s"
                ) from None
        assert self._value is not None
        return self._value


class ApiTelephony:
    """Telephony through the Arkenos API's internal session routes, with the workload's token."""

    def __init__(
        self,
        api: RuntimeAPI,
        session: CallSessionId,
        *,
        registration_wait: float = REGISTRATION_WAIT_SECONDS,
    ) -> None:
        self._api = api
        self._session = session
        self._wait = registration_wait

    async def hang_up(self) -> None:
        await self._api.hang_up(await self._session.get(self._wait))

    async def transfer(self, participant_identity: str | None, number: str) -> None:
        body = SessionTransfer(to=number, participant_identity=participant_identity)
        await self._api.transfer(await self._session.get(self._wait), body)
