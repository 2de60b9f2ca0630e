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
from arkenos_api.jobs.kube_cache import voice_agent_spec
from arkenos_api.jobs.models import OutboxEvent, WebhookMessage
from arkenos_api.jobs.payloads import event_body
from arkenos_api.jobs.queue import Entrypoint, enqueue_many
from arkenos_api.workspaces.models import Workspace
from arkenos_crds.voiceagent import WebhookEvent

log = logging.getLogger(__name__)


async def fan_out(
    *, sessionmaker: async_sessionmaker[AsyncSession], kube: Kube, event_id: uuid.UUID
) -> int:
    """Write the event's messages and enqueue their deliveries in one transaction; a second
    run (after a crash before the acknowledgement) adds nothing. Returns messages written."""
    async with sessionmaker() as db_session:
        # The event, its call and the call's namespace in one round trip.
        row = (
            await db_session.execute(
                select(OutboxEvent, CallSession, Workspace.namespace)
                .join(CallSession, CallSession.id == OutboxEvent.session_id)
                .join(Workspace, Workspace.id == CallSession.workspace_id)
                .where(OutboxEvent.id == event_id)
            )
        ).first()
        if row is None:
            return 0
        event, session, namespace = row
        resource = await kube.get_voice_agent(namespace, session.agent)
        if resource is None:
            return 0
        try:
            spec = voice_agent_spec(kube, resource)
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
        # Every message in one statement; those written by an earlier run are skipped.
        written = list(
            await db_session.scalars(
                insert(WebhookMessage)
                .values(
                    [
                        {
                            "id": f"msg_{uuid.uuid4().hex}",
                            "event_id": event.id,
                            "workspace_id": session.workspace_id,
                            "agent": session.agent,
                            "webhook": webhook.name,
                            "url": webhook.url,
                            "secret_name": webhook.secret_ref.name,
                            "event_type": kind.value,
                            "body": body,
                            "state": "Pending",
                            "attempts": 0,
                        }
                        for webhook in webhooks
                    ]
                )
                .on_conflict_do_nothing(index_elements=["event_id", "webhook"])
                .returning(WebhookMessage.id)
            )
        )
        await enqueue_many(db_session, Entrypoint.DELIVER, [{"message": m} for m in written])
        await db_session.commit()
        return len(written)
