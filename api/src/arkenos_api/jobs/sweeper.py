"""Closing sessions that never ended (their worker crashed and LiveKit's webhook was lost): a
session open longer than its agent's maximum call duration plus a grace period is ended as
Lost, at the time the agent would have ended it at the latest."""

from __future__ import annotations

from datetime import timedelta

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arkenos_api.core.db import utcnow
from arkenos_api.core.kube import Kube
from arkenos_api.internal.models import CallSession
from arkenos_api.sessions.lifecycle import finish_session
from arkenos_api.workspaces.models import Workspace
from arkenos_crds.runtime import EndReason
from arkenos_crds.voiceagent import VoiceAgentSpec

#: The shortest maximum an agent may set (VoiceAgentSpec.max_call_duration_seconds).
SHORTEST_LIMIT = timedelta(seconds=30)
DEFAULT_LIMIT = timedelta(seconds=1800)
BATCH = 500


async def _limit(kube: Kube, namespace: str, agent: str) -> timedelta:
    resource = await kube.get_voice_agent(namespace, agent)
    if resource is None:
        return DEFAULT_LIMIT
    try:
        spec = VoiceAgentSpec.model_validate(resource.get("spec", {}))
    except ValidationError:
        return DEFAULT_LIMIT
    return timedelta(seconds=spec.max_call_duration_seconds)


async def sweep(
    *, sessionmaker: async_sessionmaker[AsyncSession], kube: Kube, grace: timedelta
) -> int:
    """End the overdue sessions (at most a batch per run); returns how many it ended."""
    now = utcnow()
    limits: dict[tuple[str, str], timedelta] = {}
    ended = 0
    async with sessionmaker() as db_session:
        candidates = await db_session.execute(
            select(CallSession, Workspace.namespace)
            .join(Workspace, Workspace.id == CallSession.workspace_id)
            .where(
                CallSession.ended_at.is_(None),
                CallSession.started_at < now - SHORTEST_LIMIT - grace,
            )
            .order_by(CallSession.started_at)
            .limit(BATCH)
            .with_for_update(of=CallSession, skip_locked=True)
        )
        for session, namespace in candidates:
            key = (namespace, session.agent)
            if key not in limits:
                limits[key] = await _limit(kube, namespace, session.agent)
            limit = limits[key]
            if session.started_at + limit + grace >= now:
                continue
            ended += await finish_session(
                db_session=db_session,
                session=session,
                ended_at=min(now, session.started_at + limit),
                reason=EndReason.LOST,
                error="the session never reported its end; closed by the sweeper",
            )
        await db_session.commit()
    return ended
