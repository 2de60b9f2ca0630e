"""Enqueueing jobs on pgqueuer in the caller's transaction.

pgqueuer is asyncpg-native, like the API: its queries run on the asyncpg connection under the
SQLAlchemy session, so a job is enqueued atomically with the change that causes it (a rollback
drops both)."""

from __future__ import annotations

import json
from datetime import timedelta
from enum import StrEnum
from typing import Any

from pgqueuer.adapters.drivers.asyncpg import AsyncpgDriver
from pgqueuer.adapters.persistence.queries import Queries
from sqlalchemy.ext.asyncio import AsyncSession


class Entrypoint(StrEnum):
    """The jobs the ``arkenos-api jobs`` worker runs."""

    FAN_OUT = "webhooks.fan_out"  # an outbox event -> one message per interested webhook
    DELIVER = "webhooks.deliver"  # one message to its webhook
    SWEEP = "sessions.sweep"  # close sessions open far past their agent's limit
    ANALYSE = "sessions.analyse"  # post-call analysis of one ended session
    PRUNE_OUTBOX = "webhooks.prune"  # delete delivered messages older than the retention


#: pgqueuer takes the highest priority first (then the oldest): the later steps of a call's
#: pipeline go before the first steps of calls that ended after it, so a burst of ended calls
#: finishes call by call instead of every delivery waiting behind every analysis of the burst.
PRIORITY = {
    Entrypoint.DELIVER: 30,
    Entrypoint.FAN_OUT: 20,
    Entrypoint.ANALYSE: 10,
}


async def session_queries(db_session: AsyncSession) -> Queries:
    """pgqueuer's queries over the raw asyncpg connection of the session's transaction."""
    connection = await db_session.connection()
    raw = await connection.get_raw_connection()
    return Queries(AsyncpgDriver(raw.driver_connection))


async def enqueue(
    db_session: AsyncSession,
    entrypoint: Entrypoint,
    payload: dict[str, Any],
    *,
    delay: timedelta | None = None,
) -> None:
    queries = await session_queries(db_session)
    await queries.enqueue(
        entrypoint.value,
        json.dumps(payload).encode(),
        priority=PRIORITY.get(entrypoint, 0),
        execute_after=delay,
    )


async def enqueue_many(
    db_session: AsyncSession, entrypoint: Entrypoint, payloads: list[dict[str, Any]]
) -> None:
    """Enqueue one job per payload in one statement."""
    if not payloads:
        return
    queries = await session_queries(db_session)
    await queries.enqueue(
        [entrypoint.value] * len(payloads),
        [json.dumps(payload).encode() for payload in payloads],
        [PRIORITY.get(entrypoint, 0)] * len(payloads),
    )


def decode(payload: bytes | None) -> dict[str, Any]:
    value = json.loads(payload or b"{}")
    if not isinstance(value, dict):
        raise ValueError("a job payload is a JSON object")
    return value
