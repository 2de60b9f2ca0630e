"""SIGKILL the ``arkenos-api jobs`` process while analyses are in flight and start it again:
every call is analysed and stored once, and its AnalysisCompleted reaches the receiver under
one webhook-id (the receiver counts deliveries per id)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from sqlalchemy import func, select

from arkenos_api.analysis.models import SessionAnalysis
from arkenos_api.jobs.models import OutboxEvent
from arkenos_api.settings import Settings
from tests.api.analysis._support import GOOD, analysed_agent, ended_call, store_key
from tests.api.helpers import Api, Cluster, Person
from tests.api.jobs._support import Receiver
from tests.api.jobs.test_crash_recovery import IN_FLIGHT, WORKER_START, start_worker
from tests.api.jobs.test_webhooks import messages, until
from tests.doubles.openai import OpenAIDouble
from tests.doubles.openai_structured import StructuredReply

CALLS = 12


async def test_sigkill_mid_analysis_then_restart_stores_and_delivers_each_once(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    model: tuple[OpenAIDouble, str],
    receiver: Receiver,
    jobs_settings: Settings,
    tmp_path: Path,
) -> None:
    person, namespace = owner
    double, _ = model
    double.structured = [StructuredReply(GOOD)]
    double.chat_delay = 0.3  # slow enough that analyses are in flight when the worker dies
    await store_key(person, namespace)
    await analysed_agent(cluster, namespace, "burst", webhook=(receiver.url, receiver.secret))
    sessions = [await ended_call(api, namespace, "burst") for _ in range(CALLS)]

    async def analysed() -> int:
        async with api.app.state.sessionmaker() as db:
            found = await db.scalar(
                select(func.count())
                .select_from(SessionAnalysis)
                .where(SessionAnalysis.session_id.in_(sessions))
            )
        return int(found or 0)

    log = tmp_path / "jobs.log"
    first = start_worker(jobs_settings, log)
    try:

        async def some_analysed() -> bool:
            assert first.poll() is None, log.read_text()
            return await analysed() >= 2

        await until(some_analysed, seconds=WORKER_START)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert await analysed() < CALLS, "the kill came too late to be mid-batch"
    second = start_worker(jobs_settings, log)
    try:

        async def all_delivered() -> bool:
            found = [m for s in sessions for m in await messages(api, s)]
            return len(found) == CALLS and all(m.state == "Delivered" for m in found)

        await until(all_delivered, seconds=WORKER_START + 60)
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.to_thread(second.wait, 30)
    assert await analysed() == CALLS
    async with api.app.state.sessionmaker() as db:
        events = await db.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.session_id.in_(sessions), OutboxEvent.type == "AnalysisCompleted")
        )
    assert events == CALLS
    ids = {m.id for s in sessions for m in await messages(api, s)}
    assert set(receiver.deliveries) == ids
    assert receiver.bad_signatures == 0
    # Only what was in flight at the kill is done twice: a model call whose answer was never
    # stored, a delivery whose acknowledgement was lost (same webhook-id, acted on once).
    assert CALLS <= len(double.chat_requests()) <= CALLS + IN_FLIGHT
    assert sum(receiver.deliveries.values()) - len(ids) <= IN_FLIGHT
    assert second.returncode == 0, log.read_text()
