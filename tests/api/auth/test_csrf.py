"""CSRF: every cookie-authenticated write needs the token, DELETE included (a safe-method list
that grew DELETE would let another site remove members and agents)."""

from __future__ import annotations

from arkenos_api.core.roles import Role
from tests.api.helpers import Api, Person


async def test_a_cookie_delete_without_the_csrf_token_is_refused(
    api: Api, owner: tuple[Person, str]
) -> None:
    admin, workspace = owner
    developer = await api.member(admin, workspace, Role.DEVELOPER)
    developer_id = (await developer.get("/api/v1/auth/me")).json()["id"]
    url = f"/api/v1/workspaces/{workspace}/members/{developer_id}"
    bare = await admin.client.delete(url)
    assert bare.status_code == 403
    assert bare.json()["code"] == "csrf_failed"
    forged = await admin.client.delete(url, headers={"X-CSRF-Token": "forged"})
    assert forged.status_code == 403
    # Still a member: nothing was removed.
    assert (await developer.get(f"/api/v1/workspaces/{workspace}")).status_code == 200
    assert (await admin.delete(url)).status_code == 204
