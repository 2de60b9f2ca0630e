"""Recording a call event in the outbox, in the transaction of the change it reports."""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.jobs.models import OutboxEvent
from arkenos_api.jobs.queue import Entrypoint, enqueue
from arkenos_crds.voiceagent import WebhookEvent


async def record_event(
    db_session: AsyncSession, session_id: uuid.UUID, event: WebhookEvent
) -> None:
    """Write the event once per (session, type) and enqueue its fan-out to the webhooks."""
    event_id: uuid.UUID | None = await db_session.scalar(
        insert(OutboxEvent)
        .values(id=uuid.uuid4(), type=event.value, session_id=session_id)
        .on_conflict_do_nothing(index_elements=["session_id", "type"])
        .returning(OutboxEvent.id)
    )
    if event_id is not None:
        await enqueue(db_session, Entrypoint.FAN_OUT, {"event": str(event_id)})
