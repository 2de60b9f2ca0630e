"""An outbox event becomes one message per webhook of the agent that asks for its type."""

from __future__ import annotations

import logging
import uuid

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arkenos_api.core.kube import Kube
from arkenos_api.internal.models import CallSession
from arkenos_api.jobs.models import OutboxEvent, WebhookMessage
from arkenos_api.jobs.payloads import event_body
from arkenos_api.jobs.queue import Entrypoint, enqueue
from arkenos_api.workspaces.models import Workspace
from arkenos_crds.voiceagent import VoiceAgentSpec, WebhookEvent

log = logging.getLogger(__name__)


async def fan_out(
    *, sessionmaker: async_sessionmaker[AsyncSession], kube: Kube, event_id: uuid.UUID
) -> int:
    """Write the event's messages and enqueue their deliveries in one transaction; a second
    run (after a crash before the acknowledgement) adds nothing. Returns messages written."""
    async with sessionmaker() as db_session:
        event = await db_session.get(OutboxEvent, event_id)
        if event is None:
            return 0
        session = await db_session.get_one(CallSession, event.session_id)
        namespace = await db_session.scalar(
            select(Workspace.namespace).where(Workspace.id == session.workspace_id)
        )
        resource = await kube.get_voice_agent(namespace or "", session.agent)
        if namespace is None or resource is None:
            return 0
        try:
            spec = VoiceAgentSpec.model_validate(resource.get("spec", {}))
        except ValidationError:
            log.warning("agent %s/%s has an invalid spec: no webhooks", namespace, session.agent)
            return 0
        kind = WebhookEvent(event.type)
        webhooks = [webhook for webhook in spec.webhooks if kind in webhook.events]
        if not webhooks:
            return 0
        body = await event_body(
            db_session,
            event=kind,
            session=session,
            namespace=namespace,
            occurred_at=event.created_at,
        )
        written = 0
        for webhook in webhooks:
            message_id = await db_session.scalar(
                insert(WebhookMessage)
                .values(
                    id=f"msg_{uuid.uuid4().hex}",
                    event_id=event.id,
                    workspace_id=session.workspace_id,
                    agent=session.agent,
                    webhook=webhook.name,
                    url=webhook.url,
                    secret_name=webhook.secret_ref.name,
                    event_type=kind.value,
                    body=body,
                    state="Pending",
                    attempts=0,
                )
                .on_conflict_do_nothing(index_elements=["event_id", "webhook"])
                .returning(WebhookMessage.id)
            )
            if message_id is not None:
                await enqueue(db_session, Entrypoint.DELIVER, {"message": message_id})
                written += 1
        await db_session.commit()
        return written
