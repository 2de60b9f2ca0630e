"""Helpers of the code tests: URLs of an agent's code routes and a custom agent's spec."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.helpers import Person

CUSTOM_SPEC: dict[str, Any] = {
    "mode": "Custom",
    "custom": {"source": {"bundle": {"digest": "sha256:" + "0" * 64}}},
}


def code_url(workspace: str, agent: str, tail: str = "") -> str:
    return f"/api/v1/workspaces/{workspace}/agents/{agent}/code{tail}"


async def start_code(
    person: Person, workspace: str, agent: str, template: str = "starter"
) -> dict[str, Any]:
    response = await person.post(code_url(workspace, agent), json={"template": template})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def put_file(
    person: Person, workspace: str, agent: str, path: str, content: str, base: str | None = None
) -> httpx.Response:
    body: dict[str, Any] = {"content": content}
    if base is not None:
        body["baseVersion"] = base
    return await person.put(code_url(workspace, agent, f"/files/{path}"), json=body)


async def file_version(person: Person, workspace: str, agent: str, path: str) -> str:
    response = await person.get(code_url(workspace, agent, f"/files/{path}"))
    assert response.status_code == 200, response.text
    version: str = response.json()["version"]
    return version
