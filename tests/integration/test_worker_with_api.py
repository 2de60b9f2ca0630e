"""The worker's API client and reporter against the real API app (in-process, real
PostgreSQL, TokenReview through the Kubernetes emulator): the pool's projected token fetches
a standard agent's runtime config, registers a session, reports events (a retried batch is
stored once) and ends the session."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from arkenos_agent_runtime.api_client import APIError, HTTPRuntimeAPI, TokenSource
from arkenos_agent_runtime.reporting.reporter import ReportingOptions, SessionReporter
from arkenos_crds.runtime import (
    WORKLOAD_TOKEN_AUDIENCE,
    CallDirection,
    EndReason,
    EventBatch,
    SessionStart,
    SpeakerRole,
    TranscriptSegment,
)
from tests.api.helpers import Api, Cluster

NOW = datetime(2026, 1, 1, tzinfo=UTC)
OPENAI_AGENT = {
    "stt": {"provider": "OpenAI"},
    "llm": {"provider": "OpenAI"},
    "tts": {"provider": "OpenAI"},
}


async def test_worker_client_and_reporter_against_the_real_api(
    api: Api,
    cluster: Cluster,
    tmp_path: Path,
) -> None:
    admin = await api.admin()
    workspace = await api.workspace(admin)
    keys = f"/api/v1/workspaces/{workspace}/keys/openai"
    assert (await admin.put(keys, json={"value": "sk-openai-stored-1"})).status_code == 200
    agents = f"/api/v1/workspaces/{workspace}/agents"
    created = await admin.post(agents, json={"name": "support", "spec": OPENAI_AGENT})
    assert created.status_code == 201, created.text
    token = cluster.authority.issue("arkenos-system", "arkenos-worker", (WORKLOAD_TOKEN_AUDIENCE,))
    token_file = tmp_path / "token"
    token_file.write_text(token)
    client = HTTPRuntimeAPI(
        "https://testserver",
        TokenSource(str(token_file)),
        transport=httpx.ASGITransport(app=api.app),
    )

    config = await client.runtime_config(workspace, "support")
    assert (config.agent, config.dispatch_name) == ("support", "arkenos-standard")
    assert config.keys == {"openai": "sk-openai-stored-1"}
    with pytest.raises(APIError) as missing:
        await client.runtime_config(workspace, "nobody")
    assert missing.value.status == 404

    start = SessionStart(
        workspace=workspace,
        agent="support",
        room="room-1",
        job_id=f"AJ_{uuid.uuid4().hex[:8]}",
        direction=CallDirection.WEB,
        dispatched_at=NOW,
        started_at=NOW,
    )
    reporter = SessionReporter(client, start, ReportingOptions(batch_size=2, flush_interval=0.05))
    reporter.start()
    segments = [
        TranscriptSegment(seq=reporter.next_seq(), role=SpeakerRole.USER, text=t, started_at=NOW)
        for t in ("hello", "where is my order", "thanks")
    ]
    for segment in segments:
        reporter.add(segment)
    counts = await reporter.close(EndReason.CALLER_HUNG_UP)
    assert (counts.sent, counts.duplicates, counts.unsent) == (3, 0, 0)
    assert counts.failures == {}  # registration, batches and the end all went through
    assert reporter.session_id is not None

    # A retried batch (same sequence numbers) is stored once.
    retried = await client.send_events(reporter.session_id, EventBatch(transcripts=segments[:2]))
    assert (retried.stored, retried.duplicates) == (0, 2)
    await client.aclose()
