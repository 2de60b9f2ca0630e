"""The sweeper ends sessions open well past their agent's maximum call duration as Lost (at the
time the agent would have ended them), leaves the others alone, and emits their CallEnded."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from arkenos_api.core.db import utcnow
from arkenos_api.internal.models import CallSession
from arkenos_api.jobs.models import OutboxEvent
from arkenos_api.jobs.sweeper import sweep
from tests.api.helpers import Api, Cluster, Person
from tests.api.jobs._support import agent_with_webhook, new_secret
from tests.api.sessions.factories import add_session


async def test_overdue_sessions_end_as_lost_and_recent_ones_stay_open(
    api: Api, owner: tuple[Person, str], cluster: Cluster
) -> None:
    _, namespace = owner
    # maxCallDurationSeconds is 60 for this agent.
    await agent_with_webhook(
        cluster, namespace, "sweep", "https://hooks.example.com/x", new_secret(), ["CallEnded"]
    )
    now = utcnow()
    overdue = await add_session(
        api,
        namespace,
        agent="sweep",
        started_at=now - timedelta(hours=2),
        seconds=None,
        status="Active",
        end_reason=None,
    )
    within_grace = await add_session(
        api,
        namespace,
        agent="sweep",
        started_at=now - timedelta(seconds=90),
        seconds=None,
        status="Active",
        end_reason=None,
    )
    kube = api.app.state.kube
    sessionmaker = api.app.state.sessionmaker
    ended = await sweep(sessionmaker=sessionmaker, kube=kube, grace=timedelta(seconds=60))
    assert ended >= 1
    async with sessionmaker() as db:
        swept = await db.get_one(CallSession, overdue)
        open_one = await db.get_one(CallSession, within_grace)
        events = list(
            await db.scalars(select(OutboxEvent.type).where(OutboxEvent.session_id == overdue))
        )
    assert swept.end_reason == "Lost"
    assert swept.ended_at == swept.started_at + timedelta(seconds=60)
    assert swept.duration_ms == 60_000
    assert open_one.ended_at is None
    assert events == ["CallEnded"]
    # A second sweep finds nothing more of these two to end.
    await sweep(sessionmaker=sessionmaker, kube=kube, grace=timedelta(seconds=60))
    async with sessionmaker() as db:
        assert (await db.get_one(CallSession, within_grace)).ended_at is None
