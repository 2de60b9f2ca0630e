"""The workers' endpoints: TokenReview-based workload identity and its scoping, runtime config
resolution (credentials Secret, then stored key, then an error naming the provider), caching
per generation, session registration and idempotent event ingestion."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from arkenos_crds.runtime import (
    CREDENTIALS_SECRET_LABEL,
    RUNTIME_CONFIG_PATH,
    SESSION_END_PATH,
    SESSION_EVENTS_PATH,
    SESSIONS_PATH,
    TOOL_SECRET_LABEL,
    WORKLOAD_TOKEN_AUDIENCE,
)
from tests.api.helpers import Api, Cluster

AUDIENCES = (WORKLOAD_TOKEN_AUDIENCE,)
OPTED_IN = {TOOL_SECRET_LABEL: "true", CREDENTIALS_SECRET_LABEL: "true"}
STANDARD: dict[str, Any] = {
    "stt": {"provider": "Deepgram", "model": "nova-3"},
    "llm": {"provider": "OpenAI", "model": "gpt-4o-mini"},
    "tts": {"provider": "Cartesia", "model": "sonic-2", "voice": "a0e99841"},
}
CUSTOM: dict[str, Any] = {
    "mode": "Custom",
    "custom": {
        "source": {"image": "ghcr.example/acme/agent@sha256:" + "a" * 64},
        "entrypoint": "agent",
    },
}
NOW = datetime(2026, 1, 1, tzinfo=UTC).isoformat()


def _config_url(workspace: str, agent: str) -> str:
    return RUNTIME_CONFIG_PATH.format(workspace=workspace, agent=agent)


@pytest.fixture
async def world(api: Api, cluster: Cluster) -> dict[str, Any]:
    admin = await api.admin()
    workspace = await api.workspace(admin)
    keys = f"/api/v1/workspaces/{workspace}/keys"
    for provider, value in {
        "openai": "sk-openai-stored-1",
        "cartesia": "sk-cartesia-stored-2",
        "deepgram": "dg-stored-3",
        "google": "google-stored-4",
    }.items():
        assert (await admin.put(f"{keys}/{provider}", json={"value": value})).status_code == 200
    agents = f"/api/v1/workspaces/{workspace}/agents"
    for name, spec in {"std": STANDARD, "mine": CUSTOM, "theirs": CUSTOM}.items():
        created = await admin.post(agents, json={"name": name, "spec": spec})
        assert created.status_code == 201, created.text
    issue = cluster.authority.issue
    return {
        "admin": admin,
        "workspace": workspace,
        "pool": issue("arkenos-system", "arkenos-worker", AUDIENCES),
        "mine": issue(workspace, "arkenos-agent-mine", AUDIENCES),
        "elsewhere_pool_name": issue(workspace, "arkenos-worker", AUDIENCES),
        "wrong_audience": issue(
            "arkenos-system", "arkenos-worker", ("https://kubernetes.default.svc",)
        ),
        "default_sa": issue(workspace, "default", AUDIENCES),
    }


async def _get(api: Api, url: str, token: str | None) -> Any:
    async with api.client() as client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await client.get(url, headers=headers)


async def _post(api: Api, url: str, token: str, body: dict[str, Any]) -> Any:
    async with api.client() as client:
        return await client.post(url, json=body, headers={"Authorization": f"Bearer {token}"})


async def test_pool_gets_a_standard_agent_with_exactly_its_keys(
    api: Api, world: dict[str, Any]
) -> None:
    response = await _get(api, _config_url(world["workspace"], "std"), world["pool"])
    assert response.status_code == 200, response.text
    config = response.json()
    assert config["dispatchName"] == "arkenos-standard"
    assert config["generation"] == 1
    assert config["spec"]["tts"]["provider"] == "Cartesia"
    # Google's key is stored too, but this agent does not use Google.
    assert config["keys"] == {
        "deepgram": "dg-stored-3",
        "openai": "sk-openai-stored-1",
        "cartesia": "sk-cartesia-stored-2",
    }


@pytest.mark.parametrize(
    ("who", "agent", "status"),
    [
        ("mine", "mine", 200),
        ("mine", "theirs", 403),  # a custom agent's pods cannot read another agent
        ("mine", "std", 403),
        ("pool", "mine", 403),  # the pool serves standard agents only
        ("elsewhere_pool_name", "std", 403),  # the pool's name in another namespace is nobody
        ("default_sa", "std", 403),
        ("wrong_audience", "std", 401),
        (None, "std", 401),
    ],
)
async def test_runtime_config_scoping(
    api: Api, world: dict[str, Any], who: str | None, agent: str, status: int
) -> None:
    token = world[who] if who else None
    response = await _get(api, _config_url(world["workspace"], agent), token)
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json()["dispatchName"] == f"arkenos-custom-{world['workspace']}-mine"
    else:
        assert "keys" not in response.json()
        assert "sk-" not in response.text


async def test_unknown_tokens_are_refused(api: Api, world: dict[str, Any]) -> None:
    response = await _get(api, _config_url(world["workspace"], "std"), "forged-token")
    assert response.status_code == 401


async def test_another_namespace_custom_identity_cannot_read(
    api: Api, world: dict[str, Any], cluster: Cluster
) -> None:
    # Same agent name, other namespace: the ServiceAccount's namespace is part of the scope.
    other = cluster.authority.issue("other-ns", "arkenos-agent-mine", AUDIENCES)
    response = await _get(api, _config_url(world["workspace"], "mine"), other)
    assert response.status_code == 403


async def test_secret_ref_comes_first_then_stored_keys(
    api: Api, world: dict[str, Any], cluster: Cluster
) -> None:
    workspace, admin = world["workspace"], world["admin"]
    await _secret(cluster, workspace, "agent-keys", {"OPENAI_API_KEY": "sk-from-secret"})
    spec = {**STANDARD, "credentials": {"secretRef": {"name": "agent-keys"}}}
    await admin.post(
        f"/api/v1/workspaces/{workspace}/agents", json={"name": "gitops", "spec": spec}
    )
    config = (await _get(api, _config_url(workspace, "gitops"), world["pool"])).json()
    assert config["keys"]["openai"] == "sk-from-secret"
    assert config["keys"]["cartesia"] == "sk-cartesia-stored-2"


async def test_missing_key_is_a_clear_error(api: Api, world: dict[str, Any]) -> None:
    workspace, admin = world["workspace"], world["admin"]
    assert (await admin.delete(f"/api/v1/workspaces/{workspace}/keys/cartesia")).status_code == 204
    response = await _get(api, _config_url(workspace, "std"), world["pool"])
    assert response.status_code == 424
    assert response.json()["code"] == "missing_provider_key"
    assert "cartesia" in response.json()["message"]
    assert "CARTESIA_API_KEY" in response.json()["message"]


async def test_missing_credentials_secret_is_a_clear_error(api: Api, world: dict[str, Any]) -> None:
    workspace, admin = world["workspace"], world["admin"]
    spec = {**STANDARD, "credentials": {"secretRef": {"name": "absent"}}}
    await admin.post(
        f"/api/v1/workspaces/{workspace}/agents", json={"name": "nosecret", "spec": spec}
    )
    response = await _get(api, _config_url(workspace, "nosecret"), world["pool"])
    assert response.status_code == 424
    assert "absent" in response.json()["message"]


async def test_self_hosted_components_need_no_key(api: Api, world: dict[str, Any]) -> None:
    workspace, admin = world["workspace"], world["admin"]
    local = "http://llm.internal:8000/v1"
    spec = {
        "stt": {"provider": "OpenAI", "baseURL": local},
        "llm": {"provider": "OpenAI", "baseURL": local},
        "tts": {"provider": "OpenAI", "baseURL": local},
    }
    await admin.post(f"/api/v1/workspaces/{workspace}/agents", json={"name": "local", "spec": spec})
    await admin.delete(f"/api/v1/workspaces/{workspace}/keys/openai")
    response = await _get(api, _config_url(workspace, "local"), world["pool"])
    assert response.status_code == 200, response.text
    assert response.json()["keys"] == {}


async def test_config_follows_generation_and_stored_keys(api: Api, world: dict[str, Any]) -> None:
    workspace, admin = world["workspace"], world["admin"]
    url = _config_url(workspace, "std")
    first = (await _get(api, url, world["pool"])).json()
    again = (await _get(api, url, world["pool"])).json()
    assert again == first
    agent = (await admin.get(f"/api/v1/workspaces/{workspace}/agents/std")).json()
    updated = await admin.put(
        f"/api/v1/workspaces/{workspace}/agents/std",
        json={"resourceVersion": agent["resourceVersion"], "spec": {**STANDARD, "language": "de"}},
    )
    assert updated.status_code == 200
    second = (await _get(api, url, world["pool"])).json()
    assert second["generation"] == 2
    assert second["spec"]["language"] == "de"
    await admin.put(f"/api/v1/workspaces/{workspace}/keys/openai", json={"value": "sk-rotated-99"})
    third = (await _get(api, url, world["pool"])).json()
    assert third["keys"]["openai"] == "sk-rotated-99"


def _start(workspace: str, agent: str, job_id: str) -> dict[str, Any]:
    return {
        "workspace": workspace,
        "agent": agent,
        "room": f"room-{job_id}",
        "jobId": job_id,
        "direction": "Inbound",
        "caller": "+14155550100",
        "callee": "+14155550199",
        "dispatchedAt": NOW,
        "startedAt": NOW,
    }


def _segments(*seqs: int) -> dict[str, Any]:
    return {
        "transcripts": [
            {"seq": seq, "role": "user", "text": f"segment {seq}", "startedAt": NOW} for seq in seqs
        ]
    }


async def test_session_registration_is_idempotent(api: Api, world: dict[str, Any]) -> None:
    workspace = world["workspace"]
    body = _start(workspace, "std", f"job-{uuid.uuid4().hex}")
    first = await _post(api, SESSIONS_PATH, world["pool"], body)
    assert first.status_code == 201, first.text
    retry = await _post(api, SESSIONS_PATH, world["pool"], body)
    assert retry.status_code == 200
    assert retry.json()["sessionId"] == first.json()["sessionId"]
    hijack = await _post(api, SESSIONS_PATH, world["mine"], {**body, "agent": "mine"})
    assert hijack.status_code == 409
    refused = await _post(api, SESSIONS_PATH, world["mine"], _start(workspace, "theirs", "job-x"))
    assert refused.status_code == 403


async def test_events_are_stored_once_and_read_in_order(api: Api, world: dict[str, Any]) -> None:
    body = _start(world["workspace"], "std", f"job-{uuid.uuid4().hex}")
    session_id = (await _post(api, SESSIONS_PATH, world["pool"], body)).json()["sessionId"]
    events = SESSION_EVENTS_PATH.format(session_id=session_id)
    later = await _post(api, events, world["pool"], _segments(3, 4))
    assert later.json() == {"stored": 2, "duplicates": 0}
    earlier = await _post(api, events, world["pool"], _segments(1, 2))
    assert earlier.json() == {"stored": 2, "duplicates": 0}
    retried = await _post(api, events, world["pool"], _segments(2, 3, 5))
    assert retried.json() == {"stored": 1, "duplicates": 2}
    usage = {
        "usage": [
            {
                "seq": 6,
                "provider": "openai",
                "model": "gpt-4o-mini",
                "metric": "llm_input_tokens",
                "quantity": 120,
                "at": NOW,
            }
        ],
        "turns": [{"seq": 7, "turn": 0, "endToEndMs": 640, "llmMs": 210, "at": NOW}],
    }
    assert (await _post(api, events, world["pool"], usage)).json() == {"stored": 2, "duplicates": 0}
    assert (await _post(api, events, world["pool"], usage)).json() == {"stored": 0, "duplicates": 2}
    async with api.app.state.sessionmaker() as db:
        texts = list(
            await db.scalars(
                text("SELECT text FROM transcript_segments WHERE session_id = :s ORDER BY seq"),
                {"s": session_id},
            )
        )
        quantity = await db.scalar(
            text("SELECT quantity FROM usage_events WHERE session_id = :s"), {"s": session_id}
        )
    assert texts == [f"segment {n}" for n in (1, 2, 3, 4, 5)]
    assert quantity == 120
    end = SESSION_END_PATH.format(session_id=session_id)
    ended = await _post(api, end, world["pool"], {"endedAt": NOW, "reason": "CallerHungUp"})
    assert ended.status_code == 204
    again = await _post(
        api, end, world["pool"], {"endedAt": NOW, "reason": "Error", "error": "late"}
    )
    assert again.status_code == 204
    async with api.app.state.sessionmaker() as db:
        reason = await db.scalar(
            text("SELECT end_reason FROM sessions WHERE id = :s"), {"s": session_id}
        )
    assert reason == "CallerHungUp"


async def test_a_foreign_session_is_refused(api: Api, world: dict[str, Any]) -> None:
    body = _start(world["workspace"], "std", f"job-{uuid.uuid4().hex}")
    session_id = (await _post(api, SESSIONS_PATH, world["pool"], body)).json()["sessionId"]
    events = SESSION_EVENTS_PATH.format(session_id=session_id)
    foreign = await _post(api, events, world["mine"], _segments(1))
    assert foreign.status_code == 404
    end = SESSION_END_PATH.format(session_id=session_id)
    assert (
        await _post(api, end, world["mine"], {"endedAt": NOW, "reason": "AgentEnded"})
    ).status_code == 404
    unknown = SESSION_EVENTS_PATH.format(session_id=uuid.uuid4())
    assert (await _post(api, unknown, world["pool"], _segments(1))).status_code == 404
    async with api.app.state.sessionmaker() as db:
        count = await db.scalar(
            text("SELECT count(*) FROM transcript_segments WHERE session_id = :s"),
            {"s": session_id},
        )
    assert count == 0


async def test_token_reviews_are_cached_briefly(
    api: Api, world: dict[str, Any], cluster: Cluster
) -> None:
    url = _config_url(world["workspace"], "std")
    reviews_before = cluster.authority.reviews
    for _ in range(3):
        assert (await _get(api, url, world["pool"])).status_code == 200
    assert cluster.authority.reviews - reviews_before == 1


def _tool_spec(secret: str, key: str) -> dict[str, Any]:
    header = {"name": "Authorization", "valueFrom": {"name": secret, "key": key}}
    tool = {
        "name": "book",
        "type": "HTTP",
        "http": {"url": "https://booking.example.com/v1", "headers": [header]},
    }
    return {**STANDARD, "tools": [tool]}


async def _secret(cluster: Cluster, workspace: str, name: str, data: dict[str, str]) -> None:
    body = {
        "apiVersion": "v1",
        "kind": "Secret",
        # Marked for both purposes; tests/api/internal/test_secret_opt_in.py checks the marks.
        "metadata": {"name": name, "namespace": workspace, "labels": OPTED_IN},
        "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()},
    }
    created = await cluster.request("POST", f"/api/v1/namespaces/{workspace}/secrets", json=body)
    assert created.status_code == 201, created.text


async def test_tool_header_secrets_are_resolved_key_by_key(
    api: Api, world: dict[str, Any], cluster: Cluster
) -> None:
    workspace, admin = world["workspace"], world["admin"]
    await _secret(cluster, workspace, "booking", {"token": "Bearer bk-1", "other": "not-sent"})
    spec = _tool_spec("booking", "token")
    created = await admin.post(
        f"/api/v1/workspaces/{workspace}/agents", json={"name": "booker", "spec": spec}
    )
    assert created.status_code == 201, created.text
    response = await _get(api, _config_url(workspace, "booker"), world["pool"])
    assert response.status_code == 200, response.text
    # Only the key the header names, never the rest of the Secret.
    assert response.json()["toolSecrets"] == {"booking/token": "Bearer bk-1"}
    assert "not-sent" not in response.text

    # A rotated Secret is seen at once, though the agent's generation did not change.
    patched = await cluster.request(
        "PATCH",
        f"/api/v1/namespaces/{workspace}/secrets/booking",
        json={"data": {"token": base64.b64encode(b"Bearer bk-2").decode()}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text
    again = await _get(api, _config_url(workspace, "booker"), world["pool"])
    assert again.json()["toolSecrets"] == {"booking/token": "Bearer bk-2"}


@pytest.mark.parametrize(("secret_data", "words"), [(None, "does not exist"), ({}, "no key token")])
async def test_a_missing_tool_secret_is_a_clear_error(
    api: Api,
    world: dict[str, Any],
    cluster: Cluster,
    secret_data: dict[str, str] | None,
    words: str,
) -> None:
    workspace, admin = world["workspace"], world["admin"]
    if secret_data is not None:
        await _secret(cluster, workspace, "booking", secret_data)
    spec = _tool_spec("booking", "token")
    await admin.post(
        f"/api/v1/workspaces/{workspace}/agents", json={"name": "booker", "spec": spec}
    )
    response = await _get(api, _config_url(workspace, "booker"), world["pool"])
    assert response.status_code == 424, response.text
    body = response.json()
    assert body["code"] == "tool_secret_missing"
    assert words in body["message"]
    assert body["field"] == "spec.tools[0].http.headers[0].valueFrom"
