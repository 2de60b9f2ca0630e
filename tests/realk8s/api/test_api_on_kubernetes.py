"""The API against the real API server: workspaces are real namespaces, agents are VoiceAgents
the server validates and stores, and workers are identified by TokenReview of real projected
ServiceAccount tokens issued by the TokenRequest API (no token authority of our own)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from arkenos_crds.runtime import RUNTIME_CONFIG_PATH, WORKLOAD_TOKEN_AUDIENCE
from arkenos_devstack.controlplane import ControlPlane
from tests.api.helpers import Api, Person
from tests.realk8s.support import OPERATOR_NAMESPACE, get

pytestmark = [pytest.mark.realk8s, pytest.mark.postgres]
SPEC: dict[str, Any] = {
    "instructions": "You answer calls for Acme.",
    "llm": {"provider": "OpenAI", "model": "gpt-4o-mini"},
    "tts": {"provider": "OpenAI"},
    "stt": {"provider": "OpenAI"},
}


def _agents(workspace: str) -> str:
    return f"/api/v1/workspaces/{workspace}/agents"


async def _bearer_get(api: Api, url: str, token: str) -> httpx.Response:
    async with api.client() as client:
        return await client.get(url, headers={"Authorization": f"Bearer {token}"})


async def _workspace(api: Api) -> tuple[Person, str]:
    admin = await api.admin()
    return admin, await api.workspace(admin)


async def test_a_workspace_is_a_real_namespace(api: Api, control_plane: ControlPlane) -> None:
    _, workspace = await _workspace(api)

    namespace = get(control_plane, "namespace", None, workspace)

    assert namespace is not None
    assert namespace["status"]["phase"] == "Active"


async def test_agents_crud_on_the_real_api_server(api: Api, control_plane: ControlPlane) -> None:
    admin, workspace = await _workspace(api)

    created = await admin.post(_agents(workspace), json={"name": "desk", "spec": SPEC})
    assert created.status_code == 201, created.text
    stored = get(control_plane, "voiceagent", workspace, "desk")
    assert stored is not None
    assert stored["spec"]["instructions"] == SPEC["instructions"]
    # The API shows what the server stored.
    assert created.json()["resourceVersion"] == stored["metadata"]["resourceVersion"]
    assert (
        await admin.post(_agents(workspace), json={"name": "desk", "spec": SPEC})
    ).status_code == 409

    listed = (await admin.get(_agents(workspace))).json()
    assert [agent["name"] for agent in listed] == ["desk"]

    version = created.json()["resourceVersion"]
    changed = {**SPEC, "instructions": "You answer calls for Acme, politely."}
    updated = await admin.put(
        f"{_agents(workspace)}/desk", json={"spec": changed, "resourceVersion": version}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["generation"] == 2
    stale = await admin.put(
        f"{_agents(workspace)}/desk", json={"spec": SPEC, "resourceVersion": version}
    )
    assert stale.status_code == 409, stale.text  # the server's optimistic concurrency
    again = get(control_plane, "voiceagent", workspace, "desk")
    assert again is not None
    assert again["spec"]["instructions"] == changed["instructions"]

    assert (await admin.delete(f"{_agents(workspace)}/desk")).status_code == 204
    assert get(control_plane, "voiceagent", workspace, "desk") is None
    assert (await admin.get(f"{_agents(workspace)}/desk")).status_code == 404


async def test_kubectl_applied_agents_show_up(api: Api, control_plane: ControlPlane) -> None:
    admin, workspace = await _workspace(api)
    control_plane.kubectl(
        "create", f"--namespace={workspace}", "-f", "-",
        input='{"apiVersion": "arkenos.io/v1alpha1", "kind": "VoiceAgent",'
        ' "metadata": {"name": "gitops"}, "spec": {}}',
    )  # fmt: skip

    one = await admin.get(f"{_agents(workspace)}/gitops")

    assert one.status_code == 200, one.text
    assert one.json()["spec"]["mode"] == "Standard"


async def test_workers_are_identified_by_real_service_account_tokens(
    api: Api, control_plane: ControlPlane
) -> None:
    admin, workspace = await _workspace(api)
    created = await admin.post(_agents(workspace), json={"name": "std", "spec": SPEC})
    assert created.status_code == 201, created.text
    stored_key = await admin.put(
        f"/api/v1/workspaces/{workspace}/keys/openai", json={"value": "sk-openai-real-k8s"}
    )
    assert stored_key.status_code == 200, stored_key.text
    control_plane.kubectl(
        "create", "serviceaccount", "arkenos-worker", f"--namespace={OPERATOR_NAMESPACE}",
        check=False,
    )  # fmt: skip
    control_plane.kubectl("create", "serviceaccount", "arkenos-worker", f"--namespace={workspace}")
    token = control_plane.service_account_token
    pool = token(OPERATOR_NAMESPACE, "arkenos-worker", audiences=[WORKLOAD_TOKEN_AUDIENCE])
    url = RUNTIME_CONFIG_PATH.format(workspace=workspace, agent="std")

    served = await _bearer_get(api, url, pool)
    assert served.status_code == 200, served.text
    assert served.json()["keys"] == {"openai": "sk-openai-real-k8s"}

    # The same name in another namespace is nobody; a token for the API server's own audience
    # is not a token for the API; a token the server did not sign is nothing.
    elsewhere = token(workspace, "arkenos-worker", audiences=[WORKLOAD_TOKEN_AUDIENCE])
    assert (await _bearer_get(api, url, elsewhere)).status_code == 403
    kube_audience = token(OPERATOR_NAMESPACE, "arkenos-worker")
    assert (await _bearer_get(api, url, kube_audience)).status_code == 401
    forged = pool[:-4] + ("AAAA" if not pool.endswith("AAAA") else "BBBB")
    refused = await _bearer_get(api, url, forged)
    assert refused.status_code == 401
    assert "sk-openai" not in refused.text
