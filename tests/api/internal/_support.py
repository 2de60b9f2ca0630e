"""Secrets and agents put straight into the emulated cluster, and the workers' requests, for
the internal endpoints' tests."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from arkenos_crds.runtime import RUNTIME_CONFIG_PATH
from tests.api.helpers import Api, Cluster

#: A standard agent whose components are self-hosted, so it needs no provider key.
SELF_HOSTED: dict[str, Any] = {
    part: {"baseURL": f"http://{part}.local/v1"} for part in ("stt", "llm", "tts")
}


async def put_secret(
    cluster: Cluster, namespace: str, name: str, data: dict[str, str], labels: dict[str, str]
) -> None:
    body = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()},
    }
    created = await cluster.request("POST", f"/api/v1/namespaces/{namespace}/secrets", json=body)
    assert created.status_code == 201, created.text


def tool_spec(secret: str, key: str) -> dict[str, Any]:
    header = {"name": "Authorization", "valueFrom": {"name": secret, "key": key}}
    tool = {
        "name": "book",
        "type": "HTTP",
        "http": {"url": "https://booking.example.com/v1", "headers": [header]},
    }
    return {**SELF_HOSTED, "tools": [tool]}


async def runtime_config(api: Api, workspace: str, agent: str, token: str) -> httpx.Response:
    async with api.client() as client:
        return await client.get(
            RUNTIME_CONFIG_PATH.format(workspace=workspace, agent=agent),
            headers={"Authorization": f"Bearer {token}"},
        )


async def post(api: Api, url: str, token: str, body: dict[str, Any]) -> httpx.Response:
    async with api.client() as client:
        return await client.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
