"""The API reads a Secret a spec names only when the Secret is labelled for that purpose, and
only in a workspace namespace: a tool header cannot exfiltrate an arbitrary Secret of the
namespace (or of kube-system), and a credentials Secret is not sendable as a tool header."""

from __future__ import annotations

import pytest

from arkenos_crds.runtime import (
    CREDENTIALS_SECRET_LABEL,
    TOOL_SECRET_LABEL,
    WORKLOAD_TOKEN_AUDIENCE,
)
from tests.api.helpers import Api, Cluster, Person
from tests.api.internal._support import SELF_HOSTED, put_secret, runtime_config, tool_spec

VALUE = "Bearer must-not-leak-0123"


@pytest.fixture
def pool_token(cluster: Cluster) -> str:
    return cluster.authority.issue("arkenos-system", "arkenos-worker", (WORKLOAD_TOKEN_AUDIENCE,))


async def _agent(admin: Person, workspace: str, name: str, spec: dict[str, object]) -> None:
    created = await admin.post(
        f"/api/v1/workspaces/{workspace}/agents", json={"name": name, "spec": spec}
    )
    assert created.status_code == 201, created.text


@pytest.mark.parametrize(
    "labels",
    [
        {},
        {TOOL_SECRET_LABEL: "false"},
        {TOOL_SECRET_LABEL: "True"},  # the opt-in is exactly "true"
        {CREDENTIALS_SECRET_LABEL: "true"},  # marked for another purpose
    ],
)
async def test_a_tool_header_cannot_read_an_unmarked_secret(
    api: Api, cluster: Cluster, owner: tuple[Person, str], pool_token: str, labels: dict[str, str]
) -> None:
    admin, workspace = owner
    await put_secret(cluster, workspace, "db-password", {"password": VALUE}, labels)
    await _agent(admin, workspace, "exfil", tool_spec("db-password", "password"))
    response = await runtime_config(api, workspace, "exfil", pool_token)
    assert response.status_code == 424, response.text
    body = response.json()
    assert body["code"] == "secret_not_marked"
    assert TOOL_SECRET_LABEL in body["message"]
    assert body["field"] == "spec.tools[0].http.headers[0].valueFrom"
    assert VALUE not in response.text


async def test_a_marked_tool_secret_is_read(
    api: Api, cluster: Cluster, owner: tuple[Person, str], pool_token: str
) -> None:
    admin, workspace = owner
    await put_secret(cluster, workspace, "booking", {"token": VALUE}, {TOOL_SECRET_LABEL: "true"})
    await _agent(admin, workspace, "booker", tool_spec("booking", "token"))
    response = await runtime_config(api, workspace, "booker", pool_token)
    assert response.status_code == 200, response.text
    assert response.json()["toolSecrets"] == {"booking/token": VALUE}


async def test_credentials_need_their_own_mark(
    api: Api, cluster: Cluster, owner: tuple[Person, str], pool_token: str
) -> None:
    admin, workspace = owner
    await put_secret(
        cluster, workspace, "keys", {"OPENAI_API_KEY": "sk-x-1234"}, {TOOL_SECRET_LABEL: "true"}
    )
    spec = {**SELF_HOSTED, "credentials": {"secretRef": {"name": "keys"}}}
    await _agent(admin, workspace, "creds", spec)
    refused = await runtime_config(api, workspace, "creds", pool_token)
    assert refused.status_code == 424
    assert refused.json()["code"] == "secret_not_marked"
    assert CREDENTIALS_SECRET_LABEL in refused.json()["message"]
    patched = await cluster.request(
        "PATCH",
        f"/api/v1/namespaces/{workspace}/secrets/keys",
        json={"metadata": {"labels": {CREDENTIALS_SECRET_LABEL: "true"}}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text
    served = await runtime_config(api, workspace, "creds", pool_token)
    assert served.status_code == 200, served.text
    assert served.json()["keys"] == {"openai": "sk-x-1234"}


async def test_no_secret_is_read_outside_a_workspace(
    api: Api, cluster: Cluster, pool_token: str
) -> None:
    # An agent in kube-system, which is not a workspace, naming a marked Secret there.
    await put_secret(
        cluster, "kube-system", "marked", {"token": VALUE}, {TOOL_SECRET_LABEL: "true"}
    )
    applied = await cluster.apply_agent("kube-system", "sneaky", tool_spec("marked", "token"))
    assert applied.status_code == 201, applied.text
    response = await runtime_config(api, "kube-system", "sneaky", pool_token)
    assert response.status_code == 404
    assert VALUE not in response.text
