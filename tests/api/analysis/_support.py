"""An agent that analyses its calls, a call to it ended with a transcript, and the analysis
job's context over the test app, for the post-call analysis tests."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta
from typing import Any

import openai
from sqlalchemy import text

from arkenos_api.analysis.service import AnalysisContext
from arkenos_api.core.db import utcnow
from arkenos_api.internal.identity import Workload
from arkenos_api.internal.models import CallSession, TranscriptSegmentRow
from arkenos_api.internal.service import register_session
from arkenos_api.sessions.lifecycle import finish_session
from arkenos_api.settings import Settings
from arkenos_crds.runtime import (
    CREDENTIALS_SECRET_LABEL,
    SECRET_OPT_IN,
    WEBHOOK_SECRET_LABEL,
    EndReason,
    SessionStart,
)
from tests.api.helpers import Api, Cluster, Person
from tests.api.jobs._support import STANDARD

MODEL_KEY = "sk-analysis-workspace-key-4e1b"
ANALYSIS: dict[str, Any] = {
    "enabled": True,
    "summary": True,
    "successCriteria": "The caller booked a table.",
    "fields": [
        {"name": "party_size", "type": "Number", "description": "How many people will come."},
        {"name": "wants_callback", "type": "Boolean", "description": "Asked to be called back."},
        {"name": "customer_name", "type": "String", "description": "The caller's name."},
    ],
}
GOOD: dict[str, Any] = {
    "summary": "Dana booked a table for four on Friday at 7 pm.",
    "success": True,
    "sentiment": "Positive",
    "topics": ["reservation"],
    "fields": {"party_size": 4, "wants_callback": False, "customer_name": "Dana"},
}
TRANSCRIPT = [
    ("agent", "Good evening, Trattoria Roma, how can I help?"),
    ("user", "Hi, this is Dana, a table for four on Friday at seven please."),
    ("agent", "Booked: four people, Friday at 7 pm."),
]
POOL = Workload(
    username="system:serviceaccount:arkenos-system:arkenos-worker",
    namespace="arkenos-system",
    agent=None,
)


def _secret(namespace: str, name: str, label: str, data: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace, "labels": {label: SECRET_OPT_IN}},
        "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()},
    }


async def create_secret(cluster: Cluster, body: dict[str, Any]) -> None:
    namespace = body["metadata"]["namespace"]
    created = await cluster.request("POST", f"/api/v1/namespaces/{namespace}/secrets", json=body)
    assert created.status_code == 201, created.text


async def analysed_agent(
    cluster: Cluster,
    namespace: str,
    name: str,
    *,
    analysis: dict[str, Any] = ANALYSIS,
    webhook: tuple[str, str] | None = None,
    llm: dict[str, Any] | None = None,
    credentials_key: str | None = None,
    events: tuple[str, ...] = ("AnalysisCompleted",),
) -> None:
    """An agent with ``analysis``; ``webhook`` (url, signing secret) asks for ``events``;
    ``credentials_key`` goes in its credentials Secret."""
    spec: dict[str, Any] = {**STANDARD, "analysis": analysis, "maxCallDurationSeconds": 60}
    if llm is not None:
        spec["llm"] = llm
    if webhook is not None:
        url, signing = webhook
        hook = f"{name}-hook"
        await create_secret(
            cluster, _secret(namespace, hook, WEBHOOK_SECRET_LABEL, {"signingSecret": signing})
        )
        spec["webhooks"] = [
            {
                "name": "crm",
                "url": url,
                "events": list(events),
                "secretRef": {"name": hook},
            }
        ]
    if credentials_key is not None:
        creds = f"{name}-keys"
        await create_secret(
            cluster,
            _secret(
                namespace, creds, CREDENTIALS_SECRET_LABEL, {"OPENAI_API_KEY": credentials_key}
            ),
        )
        spec["credentials"] = {"secretRef": {"name": creds}}
    applied = await cluster.apply_agent(namespace, name, spec)
    assert applied.status_code == 201, applied.text


async def ended_call(
    api: Api, namespace: str, agent: str, transcript: list[tuple[str, str]] = TRANSCRIPT
) -> uuid.UUID:
    """A call registered by the pool's worker (so it asks for analysis as its spec says),
    with a transcript, ended by its caller."""
    started = utcnow() - timedelta(minutes=2)
    start = SessionStart(
        workspace=namespace,
        agent=agent,
        room=f"room-{uuid.uuid4().hex}",
        job_id=f"AJ_{uuid.uuid4().hex}",
        direction="Web",
        dispatched_at=started,
        started_at=started,
    )
    async with api.app.state.sessionmaker() as db:
        session_id, _ = await register_session(
            db_session=db, kube=api.app.state.kube, workload=POOL, start=start
        )
        for seq, (role, line) in enumerate(transcript):
            at = started + timedelta(seconds=seq)
            db.add(
                TranscriptSegmentRow(
                    session_id=session_id, seq=seq, role=role, text=line, started_at=at, ended_at=at
                )
            )
        await db.flush()
        session = await db.get_one(CallSession, session_id, with_for_update=True)
        await finish_session(
            db_session=db, session=session, ended_at=utcnow(), reason=EndReason.CALLER_HUNG_UP
        )
        await db.commit()
    return session_id


async def analysis_jobs(api: Api, session_id: uuid.UUID) -> int:
    async with api.app.state.sessionmaker() as db:
        found = await db.scalar(
            text(
                "SELECT count(*) FROM pgqueuer WHERE entrypoint = 'sessions.analyse' "
                "AND convert_from(payload, 'UTF8')::jsonb ->> 'session' = :session"
            ),
            {"session": str(session_id)},
        )
    return int(found or 0)


def context(api: Api, settings: Settings, http: openai.DefaultAsyncHttpxClient) -> AnalysisContext:
    state = api.app.state
    return AnalysisContext.from_settings(
        settings, sessionmaker=state.sessionmaker, kube=state.kube, http=http
    )


async def store_key(person: Person, namespace: str, value: str = MODEL_KEY) -> None:
    """The workspace's stored OpenAI key, through the keys route."""
    stored = await person.put(f"/api/v1/workspaces/{namespace}/keys/openai", json={"value": value})
    assert stored.status_code in (200, 201, 204), stored.text
