"""A workspace with one standard agent and the shared pool's workload token, for tests that
send the workers' payloads."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from arkenos_crds.runtime import WORKLOAD_TOKEN_AUDIENCE
from tests.api.helpers import Api, Cluster, Person

JSON = {"Content-Type": "application/json"}
NOW = datetime(2026, 1, 1, tzinfo=UTC).isoformat()
#: A standard agent whose components are self-hosted, so it needs no stored provider key.
SELF_HOSTED: dict[str, Any] = {"llm": {"baseURL": "http://llm.local/v1"}}


@dataclass
class Workers:
    api: Api
    admin: Person
    workspace: str
    pool_token: str

    async def post(self, url: str, body: Any) -> httpx.Response:
        # Encoded here with ASCII escapes, so bodies may hold lone surrogates (httpx refuses).
        headers = {"Authorization": f"Bearer {self.pool_token}", **JSON}
        async with self.api.client() as client:
            return await client.post(url, content=json.dumps(body), headers=headers)


async def make_workers(api: Api, cluster: Cluster) -> Workers:
    admin = await api.admin()
    workspace = await api.workspace(admin)
    created = await admin.post(
        f"/api/v1/workspaces/{workspace}/agents", json={"name": "std", "spec": SELF_HOSTED}
    )
    assert created.status_code == 201, created.text
    token = cluster.authority.issue("arkenos-system", "arkenos-worker", (WORKLOAD_TOKEN_AUDIENCE,))
    return Workers(api, admin, workspace, token)


def session_start(workspace: str, job_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "workspace": workspace,
        "agent": "std",
        "room": f"room-{job_id}",
        "jobId": job_id,
        "direction": "Web",
        "dispatchedAt": NOW,
        "startedAt": NOW,
        **changes,
    }
