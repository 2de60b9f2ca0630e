"""Helpers of the call tests: agents and PhoneNumbers as the operator leaves them (status
written through the status subresource, as the operator does), and a worker registering the
room it was dispatched to."""

from __future__ import annotations

from typing import Any

from arkenos_crds.runtime import SESSIONS_PATH
from tests.api.helpers import Api, Cluster, Person

STANDARD: dict[str, Any] = {
    "stt": {"provider": "Deepgram", "model": "nova-3"},
    "llm": {"provider": "OpenAI", "model": "gpt-4o-mini"},
    "tts": {"provider": "Cartesia", "model": "sonic-2", "voice": "a0e99841"},
}
GROUP_PATH = "/apis/arkenos.io/v1alpha1/namespaces"


def condition(status: str, reason: str, message: str) -> dict[str, str]:
    return {
        "type": "Ready",
        "status": status,
        "reason": reason,
        "message": message,
        "lastTransitionTime": "2026-01-01T00:00:00Z",
    }


async def patch_status(
    cluster: Cluster, namespace: str, plural: str, name: str, status: dict[str, Any]
) -> None:
    response = await cluster.request(
        "PATCH",
        f"{GROUP_PATH}/{namespace}/{plural}/{name}/status",
        json={"status": status},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200, response.text


async def ready_agent(
    admin: Person,
    cluster: Cluster,
    workspace: str,
    name: str,
    *,
    ready: bool = True,
    message: str = "served by the pool",
) -> None:
    created = await admin.post(
        f"/api/v1/workspaces/{workspace}/agents", json={"name": name, "spec": STANDARD}
    )
    assert created.status_code == 201, created.text
    status = {
        "observedGeneration": 1,
        "dispatchName": "arkenos-standard",
        "conditions": [
            condition("True", "Serving", message)
            if ready
            else condition("False", "ProviderKeyMissing", message)
        ],
    }
    await patch_status(cluster, workspace, "voiceagents", name, status)


async def phone_line(
    cluster: Cluster,
    workspace: str,
    name: str,
    agent: str,
    *,
    number: str = "+14155559000",
    outbound: bool = True,
    ready: bool = True,
) -> str:
    """A PhoneNumber as the operator leaves it; returns its outbound trunk id."""
    manifest = {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": "PhoneNumber",
        "metadata": {"name": name, "namespace": workspace},
        "spec": {"number": number, "agentRef": {"name": agent}, "outbound": outbound},
    }
    created = await cluster.request("POST", f"{GROUP_PATH}/{workspace}/phonenumbers", json=manifest)
    assert created.status_code == 201, created.text
    trunk = "ST_outbound0001"
    status = {
        "observedGeneration": 1,
        "phoneNumber": number,
        "livekit": {"outboundTrunkId": trunk if outbound else None},
        "conditions": [
            condition("True", "Ready", "ready")
            if ready
            else condition("False", "TrunkPending", "waiting for the Twilio trunk")
        ],
    }
    await patch_status(cluster, workspace, "phonenumbers", name, status)
    return trunk


async def worker_registers(
    api: Api, token: str, workspace: str, agent: str, room: str, job_id: str
) -> Any:
    async with api.client() as client:
        return await client.post(
            SESSIONS_PATH,
            headers={"Authorization": f"Bearer {token}"},
            json={
                "workspace": workspace,
                "agent": agent,
                "room": room,
                "jobId": job_id,
                "direction": "Web",
                "dispatchedAt": "2026-12-01T10:00:00Z",
                "startedAt": "2026-12-01T10:00:01Z",
            },
        )
