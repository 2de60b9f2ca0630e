"""Every workspace route refuses lower roles and other workspaces' members.

The matrix is generated from the app's routes and each route's own declared role
(``x-required-role``), so a new route is covered without editing this file, and a route that
forgets to declare a role fails here.
"""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from arkenos_api.core.roles import Role
from arkenos_api.deps import REQUIRED_ROLE
from arkenos_api.openapi import openapi_document
from tests.api.helpers import Api, Person

#: Routes outside any workspace, each with who may call it (checked elsewhere in the tests).
NON_WORKSPACE_ROUTES = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("POST", "/api/v1/auth/signup"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/auth/me"),
    ("GET", "/api/v1/workspaces"),
    ("POST", "/api/v1/workspaces"),
    ("POST", "/api/v1/workspaces/adopt"),
    ("POST", "/api/v1/invitations/accept"),
    ("GET", "/api/v1/agent-templates"),
    # Webhooks in: the sender's signature is the authentication (tests/api/webhooks).
    ("POST", "/webhooks/livekit"),
    ("POST", "/webhooks/twilio/{namespace}/call-status"),
    # Background jobs: platform admins only (tests/api/jobs/test_routes.py).
    ("GET", "/api/v1/admin/jobs/failed"),
    ("POST", "/api/v1/admin/jobs/{job_id}/retry"),
}
INTERNAL_PREFIX = "/internal/"
PATH_VALUES = {
    "name": "matrix-agent",
    "provider": "openai",
    "user_id": str(uuid.UUID(int=1)),
    "token_id": str(uuid.UUID(int=2)),
    "proposal_id": str(uuid.UUID(int=4)),
    "path": "agent.py",
    "number": "1",
    "session_id": str(uuid.UUID(int=3)),
    "webhook": "crm",
    "message_id": "msg_matrix",
}
ROLES_BELOW = {
    Role.VIEWER: [],
    Role.DEVELOPER: [Role.VIEWER],
    Role.ADMIN: [Role.VIEWER, Role.DEVELOPER],
    Role.OWNER: [Role.VIEWER, Role.DEVELOPER, Role.ADMIN],
}


def _routes() -> list[tuple[str, str, Role | None]]:
    """Every operation the app serves, from the app's own OpenAPI document."""
    routes = []
    for path, operations in openapi_document()["paths"].items():
        for method, operation in operations.items():
            role = operation.get(REQUIRED_ROLE)
            routes.append((method.upper(), path, Role(role) if role else None))
    return routes


ROUTES = _routes()
WORKSPACE_ROUTES = [(method, path, role) for method, path, role in ROUTES if "{workspace}" in path]


def test_every_route_is_classified() -> None:
    internal = {(m, p) for m, p, _ in ROUTES if p.startswith(INTERNAL_PREFIX)}
    workspace = {(m, p) for m, p, _ in WORKSPACE_ROUTES if not p.startswith(INTERNAL_PREFIX)}
    assert {(m, p) for m, p, _ in ROUTES} == NON_WORKSPACE_ROUTES | internal | workspace
    undeclared = [
        f"{m} {p}"
        for m, p, role in WORKSPACE_ROUTES
        if role is None and not p.startswith(INTERNAL_PREFIX)
    ]
    assert undeclared == [], f"workspace routes without {REQUIRED_ROLE}: {undeclared}"


def _url(path: str, workspace: str) -> str:
    values = {"workspace": workspace, **PATH_VALUES}
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


async def _call(person: Person | httpx.AsyncClient, method: str, url: str) -> httpx.Response:
    if isinstance(person, Person):
        return await person.client.request(method, url, headers=person.headers(), json={})
    return await person.request(method, url, json={})


def _refused(response: httpx.Response) -> bool:
    if response.status_code in (401, 403):
        return True
    return response.status_code == 404 and "workspace" in response.json()["message"]


@pytest.fixture
async def world(api: Api) -> dict[str, object]:
    admin = await api.admin()
    home = await api.workspace(admin)
    elsewhere = await api.workspace(admin)
    members = {role: await api.member(admin, home, role) for role in Role}
    outsider = await api.person()
    # The outsider owns another workspace: being an owner somewhere grants nothing here.
    invite = await admin.post(
        f"/api/v1/workspaces/{elsewhere}/invitations",
        json={"email": outsider.email, "role": "admin"},
    )
    token = invite.json()["link"].rsplit("/", 1)[1]
    assert (
        await outsider.post("/api/v1/invitations/accept", json={"token": token})
    ).status_code == 200
    foreign_token = await admin.post(
        f"/api/v1/workspaces/{elsewhere}/tokens", json={"name": "elsewhere", "role": "owner"}
    )
    return {
        "home": home,
        "members": members,
        "outsider": outsider,
        "foreign_token": foreign_token.json()["token"],
    }


async def test_role_by_route_matrix(api: Api, world: dict[str, object]) -> None:
    home = str(world["home"])
    members: dict[Role, Person] = world["members"]  # type: ignore[assignment]
    outsider: Person = world["outsider"]  # type: ignore[assignment]
    failures: list[str] = []
    async with api.client() as anonymous, api.client() as foreign_bot:
        foreign_bot.headers["Authorization"] = f"Bearer {world['foreign_token']}"
        for method, path, required in WORKSPACE_ROUTES:
            if path.startswith(INTERNAL_PREFIX):
                continue
            assert required is not None
            url = _url(path, home)
            expectations: list[tuple[str, Person | httpx.AsyncClient, int]] = [
                ("anonymous", anonymous, 401),
                ("outsider", outsider, 404),
                ("token of another workspace", foreign_bot, 404),
            ]
            expectations += [(f"{role}", members[role], 403) for role in ROLES_BELOW[required]]
            for who, caller, expected in expectations:
                response = await _call(caller, method, url)
                if response.status_code != expected:
                    failures.append(
                        f"{method} {path} as {who}: {response.status_code}, not {expected}"
                    )
            allowed = await _call(members[required], method, url)
            if _refused(allowed):
                failures.append(f"{method} {path} refused {required}: {allowed.text}")
    assert failures == []
