"""Credentials follow membership and time: a removed member's API token stops working, an
invitation from an admin who was since removed no longer grants admin, tokens cannot be made
already expired, and an expired token is refused."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from arkenos_api.auth.models import ApiToken
from arkenos_api.core.db import utcnow
from arkenos_api.core.roles import Role
from tests.api.helpers import Api, Person


async def _token(person: Person, workspace: str, role: str = "developer", **extra: object) -> str:
    created = await person.post(
        f"/api/v1/workspaces/{workspace}/tokens", json={"name": "ci", "role": role, **extra}
    )
    assert created.status_code == 201, created.text
    return str(created.json()["token"])


async def _me(api: Api, token: str) -> int:
    async with api.client() as client:
        response = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    return response.status_code


async def test_a_removed_members_token_stops_working(api: Api, owner: tuple[Person, str]) -> None:
    admin, workspace = owner
    developer = await api.member(admin, workspace, Role.DEVELOPER)
    token = await _token(developer, workspace)
    assert await _me(api, token) == 200
    me = (await developer.get("/api/v1/auth/me")).json()
    removed = await admin.delete(f"/api/v1/workspaces/{workspace}/members/{me['id']}")
    assert removed.status_code == 204
    assert await _me(api, token) == 401
    async with api.client() as client:
        agents = await client.get(
            f"/api/v1/workspaces/{workspace}/agents", headers={"Authorization": f"Bearer {token}"}
        )
    assert agents.status_code == 401


async def test_an_invitation_from_a_removed_admin_no_longer_grants_admin(
    api: Api, owner: tuple[Person, str]
) -> None:
    admin, workspace = owner
    inviter = await api.member(admin, workspace, Role.ADMIN)
    invitee = await api.person()
    link = await inviter.post(
        f"/api/v1/workspaces/{workspace}/invitations",
        json={"email": invitee.email, "role": "admin"},
    )
    assert link.status_code == 201, link.text
    secret = link.json()["link"].rsplit("/", 1)[1]
    inviter_id = (await inviter.get("/api/v1/auth/me")).json()["id"]
    assert (
        await admin.delete(f"/api/v1/workspaces/{workspace}/members/{inviter_id}")
    ).status_code == 204
    accepted = await invitee.post("/api/v1/invitations/accept", json={"token": secret})
    assert accepted.status_code == 410, accepted.text
    assert accepted.json()["code"] == "invitation_withdrawn"
    assert (await invitee.get(f"/api/v1/workspaces/{workspace}")).status_code == 404


async def test_an_invitation_from_a_demoted_admin_no_longer_grants_admin(
    api: Api, owner: tuple[Person, str]
) -> None:
    admin, workspace = owner
    inviter = await api.member(admin, workspace, Role.ADMIN)
    invitee = await api.person()
    link = await inviter.post(
        f"/api/v1/workspaces/{workspace}/invitations",
        json={"email": invitee.email, "role": "admin"},
    )
    secret = link.json()["link"].rsplit("/", 1)[1]
    inviter_id = (await inviter.get("/api/v1/auth/me")).json()["id"]
    demoted = await admin.put(
        f"/api/v1/workspaces/{workspace}/members/{inviter_id}", json={"role": "developer"}
    )
    assert demoted.status_code == 204
    accepted = await invitee.post("/api/v1/invitations/accept", json={"token": secret})
    assert accepted.status_code == 410


async def test_tokens_cannot_be_created_already_expired(
    api: Api, owner: tuple[Person, str]
) -> None:
    admin, workspace = owner
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    refused = await admin.post(
        f"/api/v1/workspaces/{workspace}/tokens",
        json={"name": "ci", "role": "viewer", "expiresAt": past},
    )
    assert refused.status_code == 422
    assert refused.json()["field"] == "expiresAt"


async def test_an_expired_token_is_refused(api: Api, owner: tuple[Person, str]) -> None:
    admin, workspace = owner
    soon = (utcnow() + timedelta(hours=1)).isoformat()
    token = await _token(admin, workspace, "viewer", expiresAt=soon)
    assert await _me(api, token) == 200
    async with api.app.state.sessionmaker() as db:
        await db.execute(
            update(ApiToken)
            .where(ApiToken.prefix == token[:8])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await db.commit()
    assert await _me(api, token) == 401
