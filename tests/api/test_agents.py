"""Agents through the VoiceAgent resource: create, read, list (including agents applied with
kubectl), update with optimistic concurrency, delete, and validation errors naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from tests.api.helpers import VOICEAGENTS, Api, Cluster, Person

SPEC: dict[str, Any] = {
    "instructions": "You answer calls for Acme.",
    "tts": {"provider": "Cartesia", "model": "sonic-2", "voice": "a0e99841"},
}


def _agents(workspace: str) -> str:
    return f"/api/v1/workspaces/{workspace}/agents"


async def test_create_writes_the_resource_and_nothing_to_postgres(
    api: Api, owner: tuple[Person, str], cluster: Cluster
) -> None:
    admin, workspace = owner
    created = await admin.post(_agents(workspace), json={"name": "desk", "spec": SPEC})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["resourceVersion"]
    assert body["generation"] == 1
    assert body["spec"]["tts"] == {"provider": "Cartesia", "model": "sonic-2", "voice": "a0e99841"}
    stored = cluster.agent(workspace, "desk")
    assert stored is not None
    assert stored["spec"]["instructions"] == "You answer calls for Acme."
    assert stored["metadata"]["namespace"] == workspace
    async with api.app.state.sessionmaker() as db:
        dump = await db.scalar(
            text("SELECT string_agg(t::text, '') FROM (SELECT * FROM workspaces) t")
        )
        tables = await db.scalars(
            text("SELECT table_name FROM information_schema.tables WHERE table_schema='public'")
        )
    assert "You answer calls for Acme" not in (dump or "")
    assert not any("agent" in name and name != "sessions" for name in tables)
    again = await admin.post(_agents(workspace), json={"name": "desk", "spec": SPEC})
    assert again.status_code == 409


async def test_kubectl_created_agents_show_up_with_status(
    owner: tuple[Person, str], cluster: Cluster
) -> None:
    admin, workspace = owner
    applied = await cluster.apply_agent(
        workspace, "gitops", {"instructions": "Applied by Argo CD."}
    )
    assert applied.status_code == 201
    status = {
        "status": {
            "observedGeneration": 1,
            "dispatchName": "arkenos-standard",
            "conditions": [
                {
                    "type": "Ready",
                    "status": "True",
                    "reason": "Serving",
                    "message": "served by the pool",
                    "lastTransitionTime": "2026-01-01T00:00:00Z",
                }
            ],
        }
    }
    patched = await cluster.request(
        "PATCH",
        f"/apis/arkenos.io/v1alpha1/namespaces/{workspace}/voiceagents/gitops/status",
        json=status,
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text
    listed = (await admin.get(_agents(workspace))).json()
    gitops = next(agent for agent in listed if agent["name"] == "gitops")
    assert gitops["status"]["dispatchName"] == "arkenos-standard"
    assert gitops["status"]["conditions"][0]["reason"] == "Serving"
    one = (await admin.get(f"{_agents(workspace)}/gitops")).json()
    assert one["spec"]["instructions"] == "Applied by Argo CD."


async def test_agents_of_other_namespaces_are_not_listed(
    api: Api, owner: tuple[Person, str]
) -> None:
    admin, workspace = owner
    other = await api.workspace(admin)
    assert (
        await admin.post(_agents(other), json={"name": "theirs", "spec": {}})
    ).status_code == 201
    names = [agent["name"] for agent in (await admin.get(_agents(workspace))).json()]
    assert "theirs" not in names


async def test_update_with_a_stale_resource_version_is_409(
    owner: tuple[Person, str], cluster: Cluster
) -> None:
    admin, workspace = owner
    created = (await admin.post(_agents(workspace), json={"name": "cc", "spec": SPEC})).json()
    first = await admin.put(
        f"{_agents(workspace)}/cc",
        json={"resourceVersion": created["resourceVersion"], "spec": {"language": "de"}},
    )
    assert first.status_code == 200, first.text
    assert first.json()["generation"] == 2
    assert first.json()["spec"]["language"] == "de"
    # Fields left out of the new spec are reset, not kept from the old one.
    assert first.json()["spec"]["tts"]["provider"] == "OpenAI"
    stale = await admin.put(
        f"{_agents(workspace)}/cc",
        json={"resourceVersion": created["resourceVersion"], "spec": {"language": "fr"}},
    )
    assert stale.status_code == 409
    assert stale.json()["field"] == "resourceVersion"
    stored = cluster.agent(workspace, "cc")
    assert stored is not None
    assert stored["spec"]["language"] == "de"


async def test_a_patch_that_races_in_is_refused_by_the_server(
    owner: tuple[Person, str], cluster: Cluster
) -> None:
    """The version goes in the patch too, so the API server refuses a change made between the
    API's read and its write."""
    admin, workspace = owner
    created = (await admin.post(_agents(workspace), json={"name": "race", "spec": {}})).json()
    path = f"/apis/arkenos.io/v1alpha1/namespaces/{workspace}/voiceagents/race"
    stale_patch = {"metadata": {"resourceVersion": "1"}, "spec": {"language": "it"}}
    merge = {"Content-Type": "application/merge-patch+json"}
    refused = await cluster.request("PATCH", path, json=stale_patch, headers=merge)
    assert refused.status_code == 409
    fresh_patch = {
        "metadata": {"resourceVersion": created["resourceVersion"]},
        "spec": {"language": "it"},
    }
    accepted = await cluster.request("PATCH", path, json=fresh_patch, headers=merge)
    assert accepted.status_code == 200


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"llm": {"temperature": "3"}}, "spec.llm.temperature"),
        ({"mode": "Custom"}, "spec.custom"),
        (
            {"turnDetection": {"minEndpointingDelayMs": 9000, "maxEndpointingDelayMs": 100}},
            "spec.turnDetection.minEndpointingDelayMs",
        ),
        ({"tts": {"provider": "Nope"}}, "spec.tts.provider"),
        ({"unknownField": 1}, "spec.unknownField"),
    ],
)
async def test_invalid_specs_are_422_naming_the_field(
    owner: tuple[Person, str], spec: dict[str, Any], field: str
) -> None:
    admin, workspace = owner
    response = await admin.post(_agents(workspace), json={"name": "bad", "spec": spec})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


async def test_delete_removes_the_resource(owner: tuple[Person, str], cluster: Cluster) -> None:
    admin, workspace = owner
    await admin.post(_agents(workspace), json={"name": "gone", "spec": {}})
    assert (await admin.delete(f"{_agents(workspace)}/gone")).status_code == 204
    assert (await admin.get(f"{_agents(workspace)}/gone")).status_code == 404
    assert (await admin.delete(f"{_agents(workspace)}/gone")).status_code == 404


async def test_templates_are_valid_agents(owner: tuple[Person, str]) -> None:
    admin, workspace = owner
    templates = (await admin.get("/api/v1/agent-templates")).json()
    assert {t["id"] for t in templates} >= {"blank", "receptionist"}
    for template in templates:
        created = await admin.post(
            _agents(workspace), json={"name": f"from-{template['id']}", "spec": template["spec"]}
        )
        assert created.status_code == 201, created.text


async def test_adopting_a_namespace_shows_its_existing_agents(api: Api, cluster: Cluster) -> None:
    admin = await api.admin()
    made = await cluster.request(
        "POST", "/api/v1/namespaces", json={"metadata": {"name": "legacy"}}
    )
    assert made.status_code == 201
    assert (await cluster.apply_agent("legacy", "old", {})).status_code == 201
    adopted = await admin.post("/api/v1/workspaces/adopt", json={"namespace": "legacy"})
    assert adopted.status_code == 201, adopted.text
    assert adopted.json()["adopted"] is True
    namespace = cluster.namespace("legacy")
    assert namespace is not None
    assert namespace["metadata"]["labels"]["arkenos.io/workspace"] == "legacy"
    assert [a["name"] for a in (await admin.get(_agents("legacy"))).json()] == ["old"]
    missing = await admin.post("/api/v1/workspaces/adopt", json={"namespace": "nope"})
    assert missing.status_code == 404
    taken = await admin.post("/api/v1/workspaces", json={"namespace": "legacy"})
    assert taken.status_code == 409


async def test_kubernetes_failures_are_reported_not_crashed(
    owner: tuple[Person, str], cluster: Cluster
) -> None:
    admin, workspace = owner
    emulator = cluster.k8s.emulator

    def fail_agent_reads() -> None:
        emulator["get", emulator.resource(VOICEAGENTS)] << 503

    cluster.k8s.call(fail_agent_reads)
    response = await admin.get(f"{_agents(workspace)}/any")
    assert response.status_code == 502
    assert response.json()["code"] == "kubernetes_error"
    assert "503" in response.json()["message"]
