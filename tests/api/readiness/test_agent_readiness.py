"""The operator's readiness question: only the operator's ServiceAccount may ask (TokenReview
with the API's audience); the answer is whether the runtime config resolves now, with the
reasons NotAWorkspace, ProviderKeyMissing (naming the provider) and SecretMissing; storing a
missing key makes the agent ready at once."""

from __future__ import annotations

from typing import Any

import pytest

from arkenos_crds.runtime import AGENT_READINESS_PATH, WORKLOAD_TOKEN_AUDIENCE, AgentReadiness
from tests.api.helpers import Api, Cluster

AUDIENCES = (WORKLOAD_TOKEN_AUDIENCE,)
STANDARD: dict[str, Any] = {
    "stt": {"provider": "Deepgram", "model": "nova-3"},
    "tts": {"provider": "Cartesia", "model": "sonic-2", "voice": "a0e99841"},
}


@pytest.fixture
async def world(api: Api, cluster: Cluster) -> dict[str, Any]:
    admin = await api.admin()
    workspace = await api.workspace(admin)
    for provider, value in {
        "openai": "sk-openai-stored-1",
        "cartesia": "sk-cartesia-stored-2",
        "deepgram": "dg-stored-3",
    }.items():
        stored = await admin.put(
            f"/api/v1/workspaces/{workspace}/keys/{provider}", json={"value": value}
        )
        assert stored.status_code == 200, stored.text
    created = await admin.post(
        f"/api/v1/workspaces/{workspace}/agents", json={"name": "desk", "spec": STANDARD}
    )
    assert created.status_code == 201, created.text
    issue = cluster.authority.issue
    return {
        "admin": admin,
        "workspace": workspace,
        "operator": issue("arkenos-system", "arkenos-operator", AUDIENCES),
    }


async def _ask(api: Api, namespace: str, name: str, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with api.client() as client:
        return await client.get(
            AGENT_READINESS_PATH.format(namespace=namespace, name=name), headers=headers
        )


async def _readiness(api: Api, namespace: str, name: str, token: str) -> AgentReadiness:
    response = await _ask(api, namespace, name, token)
    assert response.status_code == 200, response.text
    return AgentReadiness.model_validate(response.json())


async def test_an_agent_whose_keys_are_stored_is_ready(api: Api, world: dict[str, Any]) -> None:
    answer = await _readiness(api, world["workspace"], "desk", world["operator"])
    assert answer.ready
    assert answer.reason is None


async def test_a_missing_provider_key_is_named_and_storing_it_makes_the_agent_ready(
    api: Api, world: dict[str, Any]
) -> None:
    workspace, admin = world["workspace"], world["admin"]
    assert (await admin.delete(f"/api/v1/workspaces/{workspace}/keys/cartesia")).status_code == 204
    answer = await _readiness(api, workspace, "desk", world["operator"])
    assert (answer.ready, answer.reason) == (False, "ProviderKeyMissing")
    assert "cartesia" in answer.message
    assert "CARTESIA_API_KEY" in answer.message

    stored = await admin.put(
        f"/api/v1/workspaces/{workspace}/keys/cartesia", json={"value": "sk-cartesia-stored-9"}
    )
    assert stored.status_code == 200
    assert (await _readiness(api, workspace, "desk", world["operator"])).ready


async def test_an_agent_outside_a_workspace_is_not_ready(
    api: Api, world: dict[str, Any], cluster: Cluster
) -> None:
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "plain"}}
    assert (await cluster.request("POST", "/api/v1/namespaces", json=namespace)).status_code == 201
    assert (await cluster.apply_agent("plain", "stray", STANDARD)).status_code == 201
    answer = await _readiness(api, "plain", "stray", world["operator"])
    assert (answer.ready, answer.reason) == (False, "NotAWorkspace")
    assert "plain is not an Arkenos workspace" in answer.message


@pytest.mark.parametrize(
    "spec",
    [
        {"credentials": {"secretRef": {"name": "absent"}}},
        {
            "tools": [
                {
                    "name": "book",
                    "type": "HTTP",
                    "http": {
                        "url": "https://booking.example.com/book",
                        "headers": [
                            {"name": "Authorization", "valueFrom": {"name": "absent", "key": "t"}}
                        ],
                    },
                }
            ]
        },
    ],
    ids=["credentials", "tool-header"],
)
async def test_a_missing_secret_makes_the_agent_not_ready(
    api: Api, world: dict[str, Any], cluster: Cluster, spec: dict[str, Any]
) -> None:
    workspace = world["workspace"]
    assert (await cluster.apply_agent(workspace, "gitops", {**STANDARD, **spec})).status_code == 201
    answer = await _readiness(api, workspace, "gitops", world["operator"])
    assert (answer.ready, answer.reason) == (False, "SecretMissing")
    assert "Secret absent" in answer.message


@pytest.mark.parametrize(
    ("namespace", "account", "audiences", "status"),
    [
        ("arkenos-system", "arkenos-worker", AUDIENCES, 403),  # the pool is not the operator
        ("other", "arkenos-operator", AUDIENCES, 403),  # the name in another namespace
        ("arkenos-system", "arkenos-operator", ("https://kubernetes.default.svc",), 401),
        (None, None, (), 401),
    ],
)
async def test_only_the_operator_may_ask(
    api: Api,
    world: dict[str, Any],
    cluster: Cluster,
    namespace: str | None,
    account: str | None,
    audiences: tuple[str, ...],
    status: int,
) -> None:
    token = (
        cluster.authority.issue(namespace, account, audiences) if namespace and account else None
    )
    response = await _ask(api, world["workspace"], "desk", token)
    assert response.status_code == status, response.text


async def test_an_unknown_agent_is_404(api: Api, world: dict[str, Any]) -> None:
    response = await _ask(api, world["workspace"], "nobody", world["operator"])
    assert response.status_code == 404
