"""Outgoing webhooks: an event written with the change that causes it, delivered signed (checked
by the standardwebhooks library's own verification), retried on 500, timeouts and refused
connections, refused (and logged as refused) for a private address."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from sqlalchemy import func, select, text

from arkenos_api.core.db import utcnow
from arkenos_api.internal.identity import Workload
from arkenos_api.internal.models import CallSession
from arkenos_api.internal.service import register_session
from arkenos_api.jobs.models import OutboxEvent, WebhookAttempt, WebhookMessage
from arkenos_api.jobs.worker import run_worker
from arkenos_api.sessions.lifecycle import finish_session
from arkenos_api.settings import Settings
from arkenos_crds.runtime import EndReason, SessionStart
from tests.api.helpers import Api, Cluster, Person
from tests.api.jobs._support import Receiver, agent_with_webhook
from tests.api.sessions.factories import add_session


@asynccontextmanager
async def worker(settings: Settings) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(settings, stop=stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


async def end(api: Api, session_id: uuid.UUID, *, commit: bool = True) -> None:
    async with api.app.state.sessionmaker() as db:
        session = await db.get_one(CallSession, session_id, with_for_update=True)
        await finish_session(
            db_session=db, session=session, ended_at=utcnow(), reason=EndReason.CALLER_HUNG_UP
        )
        if commit:
            await db.commit()
        else:
            await db.rollback()


async def messages(api: Api, session_id: uuid.UUID) -> list[WebhookMessage]:
    async with api.app.state.sessionmaker() as db:
        rows = await db.scalars(
            select(WebhookMessage)
            .join(OutboxEvent, OutboxEvent.id == WebhookMessage.event_id)
            .where(OutboxEvent.session_id == session_id)
        )
        return list(rows)


async def attempts(api: Api, message_id: str) -> list[WebhookAttempt]:
    async with api.app.state.sessionmaker() as db:
        rows = await db.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.message_id == message_id)
            .order_by(WebhookAttempt.id)
        )
        return list(rows)


async def settled(api: Api, session_id: uuid.UUID) -> bool:
    found = await messages(api, session_id)
    return bool(found) and all(m.state != "Pending" for m in found)


async def test_call_ended_is_signed_delivered_once_with_transcript_and_cost(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    receiver: Receiver,
    jobs_settings: Settings,
) -> None:
    _, namespace = owner
    await agent_with_webhook(
        cluster, namespace, "desk", receiver.url, receiver.secret, ["CallStarted", "CallEnded"]
    )
    session_id = await add_session(
        api,
        namespace,
        agent="desk",
        seconds=None,
        status="Active",
        end_reason=None,
        transcript=[("user", "hello"), ("agent", "hi there")],
    )
    await end(api, session_id)
    await end(api, session_id)  # a second end changes nothing, so no second event
    async with worker(jobs_settings):
        await until(lambda: settled(api, session_id))
    [message] = await messages(api, session_id)
    assert message.state == "Delivered"
    assert message.event_type == "CallEnded"
    assert receiver.bad_signatures == 0
    assert receiver.deliveries == {message.id: 1}
    data = receiver.bodies[message.id]["data"]
    assert receiver.bodies[message.id]["type"] == "CallEnded"
    assert data["endReason"] == "CallerHungUp"
    assert data["sessionId"] == str(session_id)
    assert [t["text"] for t in data["transcript"]] == ["hello", "hi there"]
    # The session is priced as it ends, in the same transaction, so the event carries it.
    assert data["cost"]["totalMicros"] == data["costMicros"] > 0
    assert data["cost"]["lines"]
    [attempt] = await attempts(api, message.id)
    assert (attempt.outcome, attempt.status_code) == ("Delivered", 204)
    assert attempt.latency_ms is not None


async def test_rolled_back_end_leaves_no_event_and_no_job(
    api: Api, owner: tuple[Person, str]
) -> None:
    _, namespace = owner
    session_id = await add_session(api, namespace, seconds=None, status="Active", end_reason=None)
    async with api.app.state.sessionmaker() as db:
        before = await db.scalar(text("SELECT count(*) FROM pgqueuer"))
    await end(api, session_id, commit=False)
    async with api.app.state.sessionmaker() as db:
        events = await db.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.session_id == session_id)
        )
        after = await db.scalar(text("SELECT count(*) FROM pgqueuer"))
    assert (events, after) == (0, before)


async def test_retries_on_500_and_timeout_then_delivers(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    receiver: Receiver,
    jobs_settings: Settings,
) -> None:
    _, namespace = owner
    await agent_with_webhook(
        cluster, namespace, "retry", receiver.url, receiver.secret, ["CallEnded"]
    )
    receiver.faults = [500, "slow"]
    session_id = await add_session(
        api, namespace, agent="retry", seconds=None, status="Active", end_reason=None
    )
    await end(api, session_id)
    async with worker(jobs_settings):
        await until(lambda: settled(api, session_id))
    [message] = await messages(api, session_id)
    log = await attempts(api, message.id)
    assert [(a.outcome, a.status_code) for a in log] == [
        ("Failed", 500),
        ("Failed", None),
        ("Delivered", 204),
    ]
    assert "Timeout" in (log[1].error or "")
    assert message.state == "Delivered"
    assert receiver.deliveries == {message.id: 1}


async def test_refused_connection_is_retried_then_given_up(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    receiver: Receiver,
    jobs_settings: Settings,
) -> None:
    _, namespace = owner
    closed = receiver.url.replace(receiver.url.split(":")[2].split("/")[0], "1")
    await agent_with_webhook(cluster, namespace, "gone", closed, receiver.secret, ["CallEnded"])
    session_id = await add_session(
        api, namespace, agent="gone", seconds=None, status="Active", end_reason=None
    )
    await end(api, session_id)
    async with worker(jobs_settings):
        await until(lambda: settled(api, session_id))
    [message] = await messages(api, session_id)
    log = await attempts(api, message.id)
    assert message.state == "Failed"
    assert len(log) == 1 + len(jobs_settings.webhook_retry_delays_seconds)
    assert all(a.outcome == "Failed" and "ConnectError" in (a.error or "") for a in log)


async def test_private_address_is_refused_and_logged_as_refused(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    receiver: Receiver,
    jobs_settings: Settings,
) -> None:
    _, namespace = owner
    await agent_with_webhook(
        cluster, namespace, "inside", "https://10.1.2.3/hook", receiver.secret, ["CallEnded"]
    )
    session_id = await add_session(
        api, namespace, agent="inside", seconds=None, status="Active", end_reason=None
    )
    await end(api, session_id)
    async with worker(jobs_settings):
        await until(lambda: settled(api, session_id))
    [message] = await messages(api, session_id)
    [attempt] = await attempts(api, message.id)
    assert (message.state, attempt.outcome) == ("Failed", "Refused")
    assert "10.1.2.3" in (attempt.error or "")
    assert receiver.deliveries == {}


async def test_a_signing_secret_not_marked_for_webhooks_is_never_read(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    receiver: Receiver,
    jobs_settings: Settings,
) -> None:
    """Naming an unrelated Secret of the namespace as a webhook's secretRef must not make the
    API sign (and so reveal a digest of) it: without the opt-in label nothing is sent."""
    _, namespace = owner
    await agent_with_webhook(
        cluster, namespace, "unmarked", receiver.url, receiver.secret, ["CallEnded"], marked=False
    )
    session_id = await add_session(
        api, namespace, agent="unmarked", seconds=None, status="Active", end_reason=None
    )
    await end(api, session_id)
    async with worker(jobs_settings):
        await until(lambda: settled(api, session_id))
    [message] = await messages(api, session_id)
    log = await attempts(api, message.id)
    assert message.state == "Failed"
    assert log
    assert all(a.outcome == "Failed" for a in log)
    assert all('is not labelled arkenos.io/webhook-secret="true"' in (a.error or "") for a in log)
    assert receiver.deliveries == {}


async def test_call_started_when_a_worker_registers_and_once_per_job(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    receiver: Receiver,
    jobs_settings: Settings,
) -> None:
    _, namespace = owner
    await agent_with_webhook(
        cluster, namespace, "start", receiver.url, receiver.secret, ["CallStarted"]
    )
    pool = Workload(
        username="system:serviceaccount:arkenos-system:arkenos-worker",
        namespace="arkenos-system",
        agent=None,
    )
    start = SessionStart(
        workspace=namespace,
        agent="start",
        room="room-start",
        job_id=f"AJ_{uuid.uuid4().hex}",
        direction="Web",
        dispatched_at=utcnow(),
        started_at=utcnow(),
    )
    for _ in range(2):  # the worker retries its registration: one session, one event
        async with api.app.state.sessionmaker() as db:
            session_id, _new = await register_session(
                db_session=db, kube=api.app.state.kube, workload=pool, start=start
            )
            await db.commit()
    async with worker(jobs_settings):
        await until(lambda: settled(api, session_id))
    [message] = await messages(api, session_id)
    assert message.event_type == "CallStarted"
    assert receiver.deliveries == {message.id: 1}
    assert receiver.bodies[message.id]["data"]["sessionId"] == str(session_id)
