"""Failed background jobs (held by pgqueuer with their last error) and the webhook delivery
log, as the routes show them."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import Select, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.core.errors import not_found
from arkenos_api.internal.models import CallSession
from arkenos_api.jobs.delivery import MessageState
from arkenos_api.jobs.models import OutboxEvent, WebhookAttempt, WebhookMessage
from arkenos_api.jobs.queue import Entrypoint, decode, enqueue, session_queries
from arkenos_api.jobs.schemas import (
    DeliveryAttempt,
    DeliveryLog,
    DeliveryLogEntry,
    FailedJob,
    FailedJobs,
    Redelivery,
)

LAST_ERRORS = text(
    "SELECT DISTINCT ON (job_id) job_id, traceback FROM pgqueuer_log "
    "WHERE job_id = ANY(:ids) AND traceback IS NOT NULL ORDER BY job_id, created DESC"
)


def _error(traceback: object) -> str | None:
    record = json.loads(traceback) if isinstance(traceback, str) else traceback
    if not isinstance(record, dict):
        return None
    return f"{record.get('exception_type')}: {record.get('exception_message')}"


async def failed_jobs(db_session: AsyncSession, limit: int) -> FailedJobs:
    jobs = await (await session_queries(db_session)).list_failed_jobs(limit)
    rows = await db_session.execute(LAST_ERRORS, {"ids": [job.id for job in jobs]})
    errors = {job_id: _error(traceback) for job_id, traceback in rows}
    return FailedJobs(
        items=[
            FailedJob(
                id=job.id,
                entrypoint=job.entrypoint,
                attempts=job.attempts,
                created=job.created,
                updated=job.updated,
                payload=decode(job.payload),
                last_error=errors.get(job.id),
            )
            for job in jobs
        ]
    )


async def retry_job(db_session: AsyncSession, job_id: int) -> None:
    held = await db_session.scalar(
        text("SELECT id FROM pgqueuer WHERE id = :id AND status = 'failed'"), {"id": job_id}
    )
    if held is None:
        raise not_found(f"failed job {job_id}")
    await (await session_queries(db_session)).requeue_jobs([job_id])  # type: ignore[list-item]


async def delivery_log(
    db_session: AsyncSession, workspace_id: uuid.UUID, agent: str, webhook: str, limit: int
) -> DeliveryLog:
    """One webhook's messages, newest first, with their attempts."""
    return await _log(
        db_session,
        select(WebhookMessage).where(
            WebhookMessage.workspace_id == workspace_id,
            WebhookMessage.agent == agent,
            WebhookMessage.webhook == webhook,
        ),
        limit,
    )


async def session_deliveries(
    db_session: AsyncSession, workspace_id: uuid.UUID, session_id: uuid.UUID, limit: int
) -> DeliveryLog:
    """The messages every webhook of the call's agent was sent about one call (its events),
    newest first; 404 when the workspace has no such call."""
    found = await db_session.scalar(
        select(CallSession.id).where(
            CallSession.id == session_id, CallSession.workspace_id == workspace_id
        )
    )
    if found is None:
        raise not_found(f"session {session_id}")
    return await _log(
        db_session,
        select(WebhookMessage)
        .join(OutboxEvent, OutboxEvent.id == WebhookMessage.event_id)
        .where(WebhookMessage.workspace_id == workspace_id, OutboxEvent.session_id == session_id),
        limit,
    )


async def _log(
    db_session: AsyncSession, messages_query: Select[WebhookMessage], limit: int
) -> DeliveryLog:
    messages = list(
        await db_session.scalars(
            messages_query.order_by(WebhookMessage.created_at.desc()).limit(limit)
        )
    )
    attempts = await db_session.scalars(
        select(WebhookAttempt)
        .where(WebhookAttempt.message_id.in_([m.id for m in messages]))
        .order_by(WebhookAttempt.id)
    )
    by_message: dict[str, list[DeliveryAttempt]] = {}
    for attempt in attempts:
        by_message.setdefault(attempt.message_id, []).append(
            DeliveryAttempt(
                attempted_at=attempt.attempted_at,
                outcome=attempt.outcome,
                status_code=attempt.status_code,
                latency_ms=attempt.latency_ms,
                error=attempt.error,
            )
        )
    return DeliveryLog(
        items=[
            DeliveryLogEntry(
                message_id=m.id,
                webhook=m.webhook,
                event_type=m.event_type,
                state=m.state,
                created_at=m.created_at,
                delivered_at=m.delivered_at,
                attempts=by_message.get(m.id, []),
            )
            for m in messages
        ]
    )


async def redeliver(
    db_session: AsyncSession, workspace_id: uuid.UUID, message_id: str
) -> Redelivery:
    """Send the message again, with the same ``webhook-id`` and body."""
    found = await db_session.scalar(
        update(WebhookMessage)
        .where(WebhookMessage.id == message_id, WebhookMessage.workspace_id == workspace_id)
        .values(state=MessageState.PENDING, attempts=0)
        .returning(WebhookMessage.id)
    )
    if found is None:
        raise not_found(f"webhook message {message_id}")
    await enqueue(db_session, Entrypoint.DELIVER, {"message": message_id})
    return Redelivery(message_id=message_id, state=MessageState.PENDING)
