"""Asking the API whether a call to an agent would be served now: its namespace is a
workspace, and its providers' keys and credentials Secret resolve (contract:
``arkenos_crds.runtime.AGENT_READINESS_PATH`` / ``AgentReadiness``).

The operator authenticates as workers do: a Bearer ServiceAccount token (its own), read from
``ARKENOS_API_TOKEN_FILE`` and re-read every minute (projected tokens rotate).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from pydantic import ValidationError

from arkenos_crds.runtime import AGENT_READINESS_PATH, AgentReadiness
from arkenos_operator.kernel.errors import ReconcileError
from arkenos_operator.kernel.reasons import Reason

TOKEN_TTL_SECONDS = 60.0
#: Reasons the API may answer with; anything else is reported as the API being unusable.
API_REASONS = {Reason.NOT_A_WORKSPACE, Reason.PROVIDER_KEY_MISSING, Reason.SECRET_MISSING}


@dataclass
class ReadinessClient:
    api_url: str
    token_file: Path
    session: aiohttp.ClientSession
    timeout_seconds: float
    #: Seconds before an agent the API says is not servable is asked about again.
    recheck_seconds: float
    _token: str = ""
    _read_at: float = field(default=-TOKEN_TTL_SECONDS)

    async def _bearer(self) -> str:
        if time.monotonic() - self._read_at >= TOKEN_TTL_SECONDS:
            self._token = (await asyncio.to_thread(self.token_file.read_text)).strip()
            self._read_at = time.monotonic()
        return self._token

    async def check(self, namespace: str, name: str) -> None:
        """Return when the API says the agent is servable; raise ReconcileError otherwise."""
        readiness = await self._ask(namespace, name)
        if readiness.ready:
            return
        reason = Reason(str(readiness.reason)) if str(readiness.reason) in API_REASONS else None
        if reason is None:
            raise ReconcileError(
                Reason.API_UNAVAILABLE,
                f"The API says calls would not be served ({readiness.reason}): {readiness.message}",
                delay=self.recheck_seconds,
            )
        raise ReconcileError(reason, readiness.message, delay=self.recheck_seconds)

    async def _ask(self, namespace: str, name: str) -> AgentReadiness:
        url = self.api_url.rstrip("/") + AGENT_READINESS_PATH.format(namespace=namespace, name=name)
        try:
            token = await self._bearer()
        except OSError as error:
            raise _unavailable(f"the operator's API token cannot be read: {error}") from error
        try:
            async with self.session.get(
                url,
                headers={"Authorization": f"Bearer {token}"},
                timeout=aiohttp.ClientTimeout(total=self.timeout_seconds),
            ) as response:
                body = await response.read()
                if response.status != 200:
                    detail = body.decode(errors="replace")[:300]
                    raise _unavailable(f"the API answered {response.status}: {detail}")
        except (aiohttp.ClientError, TimeoutError) as error:
            raise _unavailable(f"the API did not answer: {error!r}") from error
        try:
            return AgentReadiness.model_validate_json(body)
        except ValidationError as error:
            raise _unavailable(f"the API's answer is not an AgentReadiness: {error}") from error


def _unavailable(detail: str) -> ReconcileError:
    return ReconcileError(
        Reason.API_UNAVAILABLE, f"Cannot tell whether calls would be served: {detail}."
    )
