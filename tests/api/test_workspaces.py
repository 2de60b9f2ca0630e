"""Workspaces' members: listing, role changes and removal, and the last owner kept."""

from __future__ import annotations

from arkenos_api.core.roles import Role
from tests.api.helpers import Api, Person


async def _user_id(person: Person) -> str:
    return str((await person.get("/api/v1/auth/me")).json()["id"])


async def test_members_roles_and_the_last_owner(api: Api, owner: tuple[Person, str]) -> None:
    admin, workspace = owner
    members_url = f"/api/v1/workspaces/{workspace}/members"
    developer = await api.member(admin, workspace, Role.DEVELOPER)
    manager = await api.member(admin, workspace, Role.ADMIN)
    listed = {m["email"]: m["role"] for m in (await developer.get(members_url)).json()}
    assert listed == {admin.email: "owner", developer.email: "developer", manager.email: "admin"}
    assert (await developer.get(f"/api/v1/workspaces/{workspace}")).json()["role"] == "developer"

    promoted = await admin.put(
        f"{members_url}/{await _user_id(developer)}", json={"role": "viewer"}
    )
    assert promoted.status_code == 204
    # An admin cannot remove an owner; an owner cannot leave the workspace ownerless.
    owner_id = await _user_id(admin)
    assert (await manager.delete(f"{members_url}/{owner_id}")).status_code == 403
    demoted = await admin.put(f"{members_url}/{owner_id}", json={"role": "admin"})
    assert demoted.status_code == 409
    assert demoted.json()["code"] == "last_owner"
    removed = await manager.delete(f"{members_url}/{await _user_id(developer)}")
    assert removed.status_code == 204
    assert (await developer.get(f"/api/v1/workspaces/{workspace}/agents")).status_code == 404
    assert (await admin.delete(f"{members_url}/{owner_id}")).status_code == 409


async def test_only_platform_admins_create_workspaces(api: Api) -> None:
    person = await api.person()
    refused = await person.post("/api/v1/workspaces", json={"namespace": "mine"})
    assert refused.status_code == 403
    assert (await person.get("/api/v1/workspaces")).json() == []
