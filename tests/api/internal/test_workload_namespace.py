"""The namespace half of "which workload may serve which agent", through the API: a custom
agent's ServiceAccount of the same name in another namespace may neither read the agent's
config nor register or report its sessions."""

from __future__ import annotations

import uuid
from typing import Any

from arkenos_crds.runtime import SESSION_EVENTS_PATH, SESSIONS_PATH, WORKLOAD_TOKEN_AUDIENCE
from tests.api.helpers import Api, Cluster, Person
from tests.api.internal._support import post, runtime_config

AUDIENCES = (WORKLOAD_TOKEN_AUDIENCE,)
CUSTOM: dict[str, Any] = {
    "mode": "Custom",
    "custom": {
        "source": {"image": "ghcr.example/acme/agent@sha256:" + "a" * 64},
        "entrypoint": "agent",
    },
}


def _start(workspace: str, job_id: str) -> dict[str, Any]:
    return {
        "workspace": workspace,
        "agent": "orders",
        "room": f"room-{job_id}",
        "jobId": job_id,
        "direction": "Web",
        "dispatchedAt": "2026-01-01T00:00:00Z",
        "startedAt": "2026-01-01T00:00:00Z",
    }


async def test_a_same_named_identity_of_another_namespace_is_refused(
    api: Api, cluster: Cluster, owner: tuple[Person, str]
) -> None:
    admin, workspace = owner
    other_workspace = await api.workspace(admin)
    created = await admin.post(
        f"/api/v1/workspaces/{workspace}/agents", json={"name": "orders", "spec": CUSTOM}
    )
    assert created.status_code == 201, created.text
    own = cluster.authority.issue(workspace, "arkenos-agent-orders", AUDIENCES)
    # The same ServiceAccount name, in a namespace that is a workspace too.
    foreign = cluster.authority.issue(other_workspace, "arkenos-agent-orders", AUDIENCES)

    assert (await runtime_config(api, workspace, "orders", foreign)).status_code == 403
    refused = await post(api, SESSIONS_PATH, foreign, _start(workspace, uuid.uuid4().hex))
    assert refused.status_code == 403, refused.text

    # The agent's own identity registers; the foreign one cannot report into that session.
    started = await post(api, SESSIONS_PATH, own, _start(workspace, uuid.uuid4().hex))
    assert started.status_code == 201, started.text
    events = SESSION_EVENTS_PATH.format(session_id=started.json()["sessionId"])
    segment = {"seq": 0, "role": "user", "text": "hi", "startedAt": "2026-01-01T00:00:00Z"}
    foreign_report = await post(api, events, foreign, {"transcripts": [segment]})
    assert foreign_report.status_code == 404
    assert (await post(api, events, own, {"transcripts": [segment]})).status_code == 200
