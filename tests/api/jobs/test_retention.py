"""Outbox retention: messages delivered (or given up) before the retention are deleted with
their attempts, events left without messages go too; recent messages and pending ones (still
being retried), with their events, stay."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute

from arkenos_api.core.db import utcnow
from arkenos_api.jobs.models import OutboxEvent, WebhookAttempt, WebhookMessage
from arkenos_api.jobs.retention import prune_outbox
from tests.api.helpers import Api, Person
from tests.api.sessions.factories import add_session, workspace_id

RETENTION = timedelta(days=30)


async def _event(api: Api, session_id: uuid.UUID, kind: str, age: timedelta) -> uuid.UUID:
    event_id = uuid.uuid4()
    async with api.app.state.sessionmaker() as db:
        db.add(
            OutboxEvent(id=event_id, type=kind, session_id=session_id, created_at=utcnow() - age)
        )
        await db.commit()
    return event_id


async def _message(
    api: Api, namespace: str, event_id: uuid.UUID, state: str, age: timedelta
) -> str:
    message_id = f"msg_{uuid.uuid4().hex}"
    at = utcnow() - age
    async with api.app.state.sessionmaker() as db:
        db.add(
            WebhookMessage(
                id=message_id,
                event_id=event_id,
                workspace_id=await workspace_id(api, namespace),
                agent="front-desk",
                webhook=f"hook-{message_id[-6:]}",
                url="https://hooks.example.com/x",
                secret_name="hook",
                event_type="CallEnded",
                body={},
                state=state,
                attempts=1,
                created_at=at,
                delivered_at=at if state == "Delivered" else None,
            )
        )
        await db.flush()
        db.add(WebhookAttempt(message_id=message_id, outcome="Delivered", attempted_at=at))
        await db.commit()
    return message_id


async def _left(api: Api, key: InstrumentedAttribute[Any], ids: Sequence[Any]) -> set[Any]:
    async with api.app.state.sessionmaker() as db:
        return set(await db.scalars(select(key).where(key.in_(ids))))


async def test_old_final_messages_and_their_empty_events_are_deleted(
    api: Api, owner: tuple[Person, str]
) -> None:
    _, namespace = owner
    old, recent = timedelta(days=45), timedelta(days=2)
    sessions = [await add_session(api, namespace) for _ in range(4)]
    old_delivered = await _event(api, sessions[0], "CallEnded", old)
    old_failed = await _event(api, sessions[1], "CallEnded", old)
    old_pending = await _event(api, sessions[2], "CallEnded", old)
    old_without_webhooks = await _event(api, sessions[3], "CallEnded", old)
    recent_delivered = await _event(api, sessions[0], "CallStarted", recent)
    doomed = [
        await _message(api, namespace, old_delivered, "Delivered", old),
        await _message(api, namespace, old_failed, "Failed", old),
    ]
    kept = [
        await _message(api, namespace, old_pending, "Pending", old),
        await _message(api, namespace, recent_delivered, "Delivered", recent),
    ]
    messages, events = await prune_outbox(
        sessionmaker=api.app.state.sessionmaker, retention=RETENTION
    )
    assert messages >= 2
    assert events >= 3
    assert await _left(api, WebhookMessage.id, doomed + kept) == set(kept)
    everything = [old_delivered, old_failed, old_pending, old_without_webhooks, recent_delivered]
    assert await _left(api, OutboxEvent.id, everything) == {old_pending, recent_delivered}
    async with api.app.state.sessionmaker() as db:
        attempts = await db.scalar(
            select(func.count())
            .select_from(WebhookAttempt)
            .where(WebhookAttempt.message_id.in_(doomed))
        )
    assert attempts == 0
    # A second run finds nothing more of these to delete.
    await prune_outbox(sessionmaker=api.app.state.sessionmaker, retention=RETENTION)
    assert await _left(api, WebhookMessage.id, kept) == set(kept)
