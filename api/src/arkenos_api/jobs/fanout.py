"""An outbox event becomes one message per webhook of the agent that asks for its type."""

from __future__ import annotations

import json
import logging
import uuid

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arkenos_api.core.kube import Kube
from arkenos_api.jobs.kube_cache import voice_agent_spec
from arkenos_api.jobs.payloads import event_body
from arkenos_api.jobs.pg import connection, enqueue_on
from arkenos_api.jobs.queue import Entrypoint
from arkenos_crds.voiceagent import WebhookEvent

log = logging.getLogger(__name__)

#: The event, its call, the call's namespace, and what the event's body carries (the
#: transcript of a CallEnded, the analysis of an AnalysisCompleted), in one statement.
READ_EVENT = """
SELECT e.id AS event_id, e.type, e.created_at AS occurred_at,
       s.id, s.workspace_id, s.agent, s.direction, s.caller, s.callee, s.started_at,
       s.ended_at, s.end_reason, s.status, s.duration_ms, s.cost_micros, s.cost,
       s.analysis_requested, w.namespace,
       t.roles, t.texts, t.started_ats,
       a.session_id IS NOT NULL AS analysed, a.state AS a_state, a.reason AS a_reason,
       a.error AS a_error, a.summary AS a_summary, a.success AS a_success,
       a.sentiment AS a_sentiment, a.topics AS a_topics, a.fields AS a_fields,
       a.model AS a_model, a.attempts AS a_attempts, a.created_at AS a_created_at
FROM outbox_events AS e
JOIN sessions AS s ON s.id = e.session_id
JOIN workspaces AS w ON w.id = s.workspace_id
LEFT JOIN LATERAL (
    SELECT array_agg(ts.role ORDER BY ts.seq) AS roles,
           array_agg(ts.text ORDER BY ts.seq) AS texts,
           array_agg(ts.started_at ORDER BY ts.seq) AS started_ats
    FROM transcript_segments AS ts
    WHERE ts.session_id = s.id AND e.type = 'CallEnded'
) AS t ON true
LEFT JOIN session_analyses AS a ON a.session_id = s.id AND e.type = 'AnalysisCompleted'
WHERE e.id = $1
"""

#: The event's messages, skipping those an earlier run of the job wrote.
WRITE_MESSAGES = """
INSERT INTO webhook_messages
    (id, event_id, workspace_id, agent, webhook, url, secret_name, event_type, body, state,
     attempts, created_at)
SELECT m.id, $2, $3, $4, m.webhook, m.url, m.secret_name, $5, $6::jsonb, 'Pending', 0, now()
FROM unnest($1::text[], $7::text[], $8::text[], $9::text[]) AS m(id, webhook, url, secret_name)
ON CONFLICT (event_id, webhook) DO NOTHING
RETURNING id
"""


async def fan_out(
    *, sessionmaker: async_sessionmaker[AsyncSession], kube: Kube, event_id: uuid.UUID
) -> int:
    """Write the event's messages and enqueue their deliveries in one transaction; a second
    run (after a crash before the acknowledgement) adds nothing. Returns messages written."""
    async with connection(sessionmaker) as conn:
        row = await conn.fetchrow(READ_EVENT, event_id)
        if row is None:
            return 0
        namespace, agent = row["namespace"], row["agent"]
        resource = await kube.get_voice_agent(namespace, agent)
        if resource is None:
            return 0
        try:
            spec = voice_agent_spec(kube, resource)
        except ValidationError:
            log.warning("agent %s/%s has an invalid spec: no webhooks", namespace, agent)
            return 0
        kind = WebhookEvent(row["type"])
        webhooks = [webhook for webhook in spec.webhooks if kind in webhook.events]
        if not webhooks:
            return 0
        body = json.dumps(event_body(kind, row))
        async with conn.transaction():
            written = await conn.fetch(
                WRITE_MESSAGES,
                [f"msg_{uuid.uuid4().hex}" for _ in webhooks],
                row["event_id"],
                row["workspace_id"],
                agent,
                kind.value,
                body,
                [webhook.name for webhook in webhooks],
                [webhook.url for webhook in webhooks],
                [webhook.secret_ref.name for webhook in webhooks],
            )
            await enqueue_on(conn, Entrypoint.DELIVER, [{"message": m["id"]} for m in written])
        return len(written)
