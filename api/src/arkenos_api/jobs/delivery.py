"""Delivering one webhook message: at most one delivery at a time per message (its row is
locked for the attempt), each attempt logged, the next one scheduled in the same transaction."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

import asyncpg
import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arkenos_api.core.db import utcnow
from arkenos_api.core.kube import Kube
from arkenos_api.jobs.pg import connection, enqueue_on
from arkenos_api.jobs.queue import Entrypoint
from arkenos_api.jobs.signing import SigningSecretError, signed_headers, signing_secret
from arkenos_api.jobs.ssrf import RefusedTarget, pin

MAX_REDIRECTS = 3
ERROR_LENGTH = 500
#: Requests in flight to one receiver address at a time, per worker. httpcore checks every
#: pooled connection (and, for each idle one, every other) whenever a request starts or
#: ends, so a burst keeping one connection per job in flight to one receiver made that
#: bookkeeping most of a delivery's CPU; it also spares a receiver the whole burst at once.
RECEIVER_SLOTS = 16


class ReceiverSlots:
    """At most ``size`` requests at a time per receiver address; an address with none in
    flight or waiting is forgotten."""

    def __init__(self, size: int = RECEIVER_SLOTS) -> None:
        self.size = size
        self._gates: dict[tuple[str, int | None], tuple[asyncio.Semaphore, list[int]]] = {}

    @asynccontextmanager
    async def slot(self, url: httpx.URL) -> AsyncIterator[None]:
        key = (url.host, url.port)
        gate = self._gates.get(key)
        if gate is None:
            gate = self._gates[key] = (asyncio.Semaphore(self.size), [0])
        semaphore, users = gate
        users[0] += 1
        try:
            async with semaphore:
                yield
        finally:
            users[0] -= 1
            if not users[0]:
                del self._gates[key]


class MessageState(StrEnum):
    PENDING = "Pending"
    DELIVERED = "Delivered"
    FAILED = "Failed"  # retries spent, or the target refused


class AttemptOutcome(StrEnum):
    DELIVERED = "Delivered"
    FAILED = "Failed"
    REFUSED = "Refused"


@dataclass(frozen=True)
class DeliveryContext:
    sessionmaker: async_sessionmaker[AsyncSession]
    kube: Kube
    http: httpx.AsyncClient
    retry_delays: list[float]
    allow_loopback: bool
    slots: ReceiverSlots = field(default_factory=ReceiverSlots)


@dataclass(frozen=True)
class Result:
    outcome: AttemptOutcome
    status_code: int | None = None
    error: str | None = None


async def _post(context: DeliveryContext, url: str, headers: dict[str, str], body: str) -> Result:
    """POST to the pinned address of ``url``, following method-keeping redirects re-checked."""
    for _ in range(MAX_REDIRECTS + 1):
        target = await pin(url, allow_loopback=context.allow_loopback)
        async with context.slots.slot(target.url):
            response = await context.http.post(
                target.url,
                content=body,
                headers={**headers, "host": target.host_header},
                extensions={"sni_hostname": target.host},
            )
        if response.status_code in (307, 308) and "location" in response.headers:
            url = str(httpx.URL(url).join(response.headers["location"]))
            continue
        if response.is_success:
            return Result(AttemptOutcome.DELIVERED, response.status_code)
        return Result(AttemptOutcome.FAILED, response.status_code, f"HTTP {response.status_code}")
    return Result(AttemptOutcome.FAILED, None, f"more than {MAX_REDIRECTS} redirects")


async def _attempt(context: DeliveryContext, message: asyncpg.Record) -> Result:
    # The stored body in one canonical form: every redelivery sends the same bytes.
    body = json.dumps(message["body"], sort_keys=True, separators=(",", ":"))
    try:
        secret = await signing_secret(
            context.kube, message["namespace"] or "", message["secret_name"]
        )
        headers = signed_headers(secret, message["id"], utcnow(), body)
        return await _post(context, message["url"], headers, body)
    except RefusedTarget as exc:
        return Result(AttemptOutcome.REFUSED, error=str(exc))
    except SigningSecretError as exc:
        return Result(AttemptOutcome.FAILED, error=str(exc))
    except httpx.HTTPError as exc:
        return Result(AttemptOutcome.FAILED, error=f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH])


#: The message, locked for the attempt (skipped if another worker holds it), with the
#: namespace its signing Secret is read in.
LOCK_MESSAGE = """
SELECT m.id, m.url, m.secret_name, m.body, m.state, m.attempts, w.namespace
FROM webhook_messages AS m LEFT JOIN workspaces AS w ON w.id = m.workspace_id
WHERE m.id = $1
FOR UPDATE OF m SKIP LOCKED
"""

#: The attempt logged and the message's state written, in one statement.
RECORD_ATTEMPT = """
WITH attempt AS (
    INSERT INTO webhook_attempts (message_id, attempted_at, outcome, status_code, latency_ms, error)
    VALUES ($1, $2, $3, $4, $5, $6)
)
UPDATE webhook_messages SET attempts = $7, state = $8, delivered_at = $9 WHERE id = $1
"""


async def deliver(context: DeliveryContext, message_id: str) -> AttemptOutcome | None:
    """Attempt the message unless it is delivered, given up, or being attempted elsewhere."""
    async with connection(context.sessionmaker) as conn, conn.transaction():
        message = await conn.fetchrow(LOCK_MESSAGE, message_id)
        if message is None or message["state"] != MessageState.PENDING:
            return None
        started = time.monotonic()
        result = await _attempt(context, message)
        latency_ms = int((time.monotonic() - started) * 1000)
        attempts = message["attempts"] + 1
        state, delivered_at = MessageState.PENDING, None
        if result.outcome is AttemptOutcome.DELIVERED:
            state, delivered_at = MessageState.DELIVERED, utcnow()
        elif result.outcome is AttemptOutcome.REFUSED or attempts > len(context.retry_delays):
            state = MessageState.FAILED
        else:
            delay = timedelta(seconds=context.retry_delays[attempts - 1])
            await enqueue_on(conn, Entrypoint.DELIVER, [{"message": message_id}], delay=delay)
        await conn.execute(
            RECORD_ATTEMPT,
            message_id,
            utcnow(),
            result.outcome.value,
            result.status_code,
            latency_ms,
            result.error,
            attempts,
            state.value,
            delivered_at,
        )
        return result.outcome
