"""Post-call analysis against the OpenAI double: one structured-output request per call, its
answer validated against the agent's field types, retried on invalid output, stored as failed
with the reason otherwise, idempotent, shown in the session detail and sent as
AnalysisCompleted."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import openai
from sqlalchemy import func, select

from arkenos_api.analysis.models import SessionAnalysis
from arkenos_api.analysis.service import analyse
from arkenos_api.jobs.models import OutboxEvent
from arkenos_api.settings import Settings
from tests.api.analysis._support import (
    ANALYSIS,
    GOOD,
    analysed_agent,
    analysis_jobs,
    context,
    ended_call,
    store_key,
)
from tests.api.helpers import Api, Cluster, Person
from tests.api.jobs._support import Receiver
from tests.api.jobs.test_webhooks import until, worker
from tests.doubles.openai import OpenAIDouble
from tests.doubles.openai_structured import StructuredReply
from tests.doubles.server import serve_aiohttp

Model = tuple[OpenAIDouble, str]


async def stored(api: Api, session_id: uuid.UUID) -> SessionAnalysis | None:
    async with api.app.state.sessionmaker() as db:
        found: SessionAnalysis | None = await db.get(SessionAnalysis, session_id)
        return found


async def events(api: Api, session_id: uuid.UUID) -> list[str]:
    async with api.app.state.sessionmaker() as db:
        rows = await db.scalars(
            select(OutboxEvent.type).where(OutboxEvent.session_id == session_id)
        )
        return sorted(rows)


async def test_good_answer_is_stored_shown_and_delivered_as_analysis_completed(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    model: Model,
    receiver: Receiver,
    jobs_settings: Settings,
) -> None:
    person, namespace = owner
    double, _ = model
    double.structured = [StructuredReply(GOOD)]
    await store_key(person, namespace)
    await analysed_agent(cluster, namespace, "desk", webhook=(receiver.url, receiver.secret))
    session_id = await ended_call(api, namespace, "desk")
    assert await analysis_jobs(api, session_id) == 1
    detail = await person.get(f"/api/v1/workspaces/{namespace}/sessions/{session_id}")
    assert detail.json()["analysis"]["state"] == "Pending"
    async with worker(jobs_settings):
        await until(lambda: _delivered(receiver))
    [request] = double.chat_requests()
    schema = request["response_format"]["json_schema"]
    assert (schema["name"], schema["strict"], request["model"]) == (
        "call_analysis",
        True,
        "gpt-4o-mini",
    )
    fields = schema["schema"]["$defs"]["ExtractedFields"]["properties"]
    assert fields["party_size"]["anyOf"][0] == {"type": "number"}
    assert "Dana, a table for four" in request["messages"][-1]["content"]
    assert "The caller booked a table." in request["messages"][0]["content"]
    analysis = (await person.get(f"/api/v1/workspaces/{namespace}/sessions/{session_id}")).json()[
        "analysis"
    ]
    assert analysis["state"] == "Completed"
    assert (analysis["summary"], analysis["success"], analysis["sentiment"]) == (
        GOOD["summary"],
        True,
        "Positive",
    )
    assert analysis["topics"] == ["reservation"]
    assert analysis["fields"] == GOOD["fields"]
    assert analysis["attempts"] == 1
    [body] = receiver.bodies.values()
    assert body["type"] == "AnalysisCompleted"
    assert body["data"]["sessionId"] == str(session_id)
    assert body["data"]["analysis"]["fields"] == GOOD["fields"]
    assert receiver.bad_signatures == 0


async def _delivered(receiver: Receiver) -> bool:
    return bool(receiver.deliveries)


async def test_invalid_json_then_a_good_answer_is_stored(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    model: Model,
    settings: Settings,
    http: openai.DefaultAsyncHttpxClient,
) -> None:
    person, namespace = owner
    double, _ = model
    double.structured = [
        StructuredReply("Sure! Here is the analysis: {summary"),
        StructuredReply(GOOD),
    ]
    await store_key(person, namespace)
    await analysed_agent(cluster, namespace, "retry")
    session_id = await ended_call(api, namespace, "retry")
    assert await analyse(context(api, settings, http), session_id) is True
    row = await stored(api, session_id)
    assert row is not None
    assert (row.state, row.attempts, row.fields) == ("Completed", 2, GOOD["fields"])
    first, second = double.chat_requests()
    # The second request carries the invalid answer and what was wrong with it.
    assert second["messages"][: len(first["messages"])] == first["messages"]
    assert second["messages"][-2]["content"].startswith("Sure! Here is the analysis")
    assert "not JSON" in second["messages"][-1]["content"]


async def test_invalid_output_every_time_is_stored_as_failed_with_the_reason(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    model: Model,
    settings: Settings,
    http: openai.DefaultAsyncHttpxClient,
) -> None:
    person, namespace = owner
    double, _ = model
    wrong_types: dict[str, Any] = {
        **GOOD,
        "fields": {"party_size": "four", "wants_callback": "yes", "customer_name": "Dana"},
    }
    double.structured = [StructuredReply("not json"), StructuredReply(wrong_types)]
    await store_key(person, namespace)
    await analysed_agent(cluster, namespace, "bad")
    session_id = await ended_call(api, namespace, "bad")
    assert await analyse(context(api, settings, http), session_id) is True
    row = await stored(api, session_id)
    assert row is not None
    assert (row.state, row.reason, row.attempts) == ("Failed", "InvalidOutput", 3)
    assert len(double.chat_requests()) == settings.analysis_max_attempts == 3
    assert "fields.party_size: Input should be a valid number" in (row.error or "")
    assert "fields.wants_callback: Input should be a valid boolean" in (row.error or "")
    assert row.summary is None
    assert row.fields is None
    # A failure is an outcome too: AnalysisCompleted says so (the analysis carries the state).
    assert await events(api, session_id) == ["AnalysisCompleted", "CallEnded", "CallStarted"]


async def test_missing_key_is_stored_as_failed_naming_the_provider(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    model: Model,
    settings: Settings,
    http: openai.DefaultAsyncHttpxClient,
) -> None:
    _, namespace = owner
    double, _ = model
    await analysed_agent(cluster, namespace, "nokey")
    session_id = await ended_call(api, namespace, "nokey")
    assert await analyse(context(api, settings, http), session_id) is True
    row = await stored(api, session_id)
    assert row is not None
    assert (row.state, row.reason) == ("Failed", "NoKey")
    assert "no key for openai" in (row.error or "")
    assert "OPENAI_API_KEY" in (row.error or "")
    assert double.chat_requests() == []


async def test_provider_error_is_stored_as_failed_with_its_status(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    model: Model,
    settings: Settings,
    http: openai.DefaultAsyncHttpxClient,
) -> None:
    person, namespace = owner
    double, _ = model
    double.structured = [StructuredReply(status=503)]
    await store_key(person, namespace)
    await analysed_agent(cluster, namespace, "down")
    session_id = await ended_call(api, namespace, "down")
    assert await analyse(context(api, settings, http), session_id) is True
    row = await stored(api, session_id)
    assert row is not None
    assert (row.state, row.reason) == ("Failed", "ProviderError")
    assert "503" in (row.error or "")


async def test_base_url_and_credentials_secret_are_honoured(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    model: Model,
    settings: Settings,
    http: openai.DefaultAsyncHttpxClient,
) -> None:
    """A self-hosted server at the agent's baseURL, with the key from the agent's Secret
    (which wins over the workspace's stored key, as for the agent's calls)."""
    person, namespace = owner
    platform_double, _ = model
    own = OpenAIDouble(api_key="sk-from-the-agents-secret")
    own.structured = [StructuredReply(GOOD)]
    with serve_aiohttp(own.app()) as served:
        await store_key(person, namespace, "sk-workspace-key-not-this-one")
        llm = {"provider": "OpenAI", "model": "llama-3.1-8b", "baseURL": f"{served.url}/v1"}
        await analysed_agent(
            cluster, namespace, "self", llm=llm, credentials_key="sk-from-the-agents-secret"
        )
        session_id = await ended_call(api, namespace, "self")
        assert await analyse(context(api, settings, http), session_id) is True
    row = await stored(api, session_id)
    assert row is not None
    assert (row.state, row.model) == ("Completed", "llama-3.1-8b")
    assert [r["model"] for r in own.chat_requests()] == ["llama-3.1-8b"]
    assert platform_double.chat_requests() == []


async def test_analysis_disabled_enqueues_no_job(
    api: Api, owner: tuple[Person, str], cluster: Cluster
) -> None:
    _, namespace = owner
    await analysed_agent(cluster, namespace, "quiet", analysis={**ANALYSIS, "enabled": False})
    await analysed_agent(cluster, namespace, "loud")
    quiet = await ended_call(api, namespace, "quiet")
    loud = await ended_call(api, namespace, "loud")
    assert (await analysis_jobs(api, quiet), await analysis_jobs(api, loud)) == (0, 1)


async def test_running_the_job_twice_stores_once_and_emits_once(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    model: Model,
    settings: Settings,
    http: openai.DefaultAsyncHttpxClient,
) -> None:
    person, namespace = owner
    double, _ = model
    double.structured = [StructuredReply(GOOD)]
    await store_key(person, namespace)
    await analysed_agent(cluster, namespace, "twice")
    session_id = await ended_call(api, namespace, "twice")
    jobs = context(api, settings, http)
    # Two at once (a job picked again while the first still runs) and one after.
    results = await asyncio.gather(analyse(jobs, session_id), analyse(jobs, session_id))
    assert sorted(results) == [False, True]
    assert await analyse(jobs, session_id) is False
    async with api.app.state.sessionmaker() as db:
        rows = await db.scalar(
            select(func.count())
            .select_from(SessionAnalysis)
            .where(SessionAnalysis.session_id == session_id)
        )
    assert rows == 1
    assert await events(api, session_id) == ["AnalysisCompleted", "CallEnded", "CallStarted"]
    assert len(double.chat_requests()) <= 2  # the third run did not ask the model
