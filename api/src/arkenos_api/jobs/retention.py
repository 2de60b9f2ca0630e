"""Outbox retention: webhook messages that reached a final state (Delivered, or Failed once
their retries were spent) longer ago than the retention are deleted with their attempts, and
events older than it with no message left after that. Pending messages, and their events, are
kept whatever their age: they are still being delivered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arkenos_api.core.db import utcnow
from arkenos_api.jobs.delivery import MessageState
from arkenos_api.jobs.models import OutboxEvent, WebhookMessage

#: Rows deleted per statement (and per transaction), so a first run over a large backlog
#: neither holds long locks nor builds one huge transaction.
BATCH = 5000


async def _prune_messages(db_session: AsyncSession, cutoff: datetime) -> int:
    doomed = (
        select(WebhookMessage.id)
        .where(
            WebhookMessage.state.in_([MessageState.DELIVERED, MessageState.FAILED]),
            # A message delivered late counts from its delivery; a failed one from its start.
            func.coalesce(WebhookMessage.delivered_at, WebhookMessage.created_at) < cutoff,
        )
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    result = await db_session.execute(delete(WebhookMessage).where(WebhookMessage.id.in_(doomed)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def _prune_events(db_session: AsyncSession, cutoff: datetime) -> int:
    has_message = exists().where(WebhookMessage.event_id == OutboxEvent.id)
    doomed = (
        select(OutboxEvent.id)
        .where(OutboxEvent.created_at < cutoff, ~has_message)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    result = await db_session.execute(delete(OutboxEvent).where(OutboxEvent.id.in_(doomed)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


Prune = Callable[[AsyncSession, datetime], Awaitable[int]]


async def _drain(
    sessionmaker: async_sessionmaker[AsyncSession], prune: Prune, cutoff: datetime
) -> int:
    deleted = 0
    while True:
        async with sessionmaker() as db_session:
            batch = await prune(db_session, cutoff)
            await db_session.commit()
        deleted += batch
        if batch < BATCH:
            return deleted


async def prune_outbox(
    *, sessionmaker: async_sessionmaker[AsyncSession], retention: timedelta
) -> tuple[int, int]:
    """Delete what is past the retention; returns (messages, events) deleted."""
    cutoff = utcnow() - retention
    messages = await _drain(sessionmaker, _prune_messages, cutoff)
    events = await _drain(sessionmaker, _prune_events, cutoff)
    return messages, events
