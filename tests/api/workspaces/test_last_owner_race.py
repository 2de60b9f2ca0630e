"""The last-owner rule holds under concurrency: two owners demoting or removing each other at
the same moment leave the workspace with exactly one owner, every time."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from arkenos_api.core.roles import Role
from arkenos_api.workspaces.models import Membership, Workspace
from tests.api.helpers import Api, Person

ROUNDS = 12


async def _user_id(person: Person) -> str:
    return str((await person.get("/api/v1/auth/me")).json()["id"])


async def _owners(api: Api, namespace: str) -> int:
    async with api.app.state.sessionmaker() as db:
        count = await db.scalar(
            select(func.count())
            .select_from(Membership)
            .join(Workspace, Workspace.id == Membership.workspace_id)
            .where(Workspace.namespace == namespace, Membership.role == Role.OWNER)
        )
    return int(count or 0)


async def test_two_owners_demoting_each_other_keep_one_owner(
    api: Api, owner: tuple[Person, str]
) -> None:
    first, workspace = owner
    second = await api.member(first, workspace, Role.OWNER)
    members = f"/api/v1/workspaces/{workspace}/members"
    ids = {first.email: await _user_id(first), second.email: await _user_id(second)}
    for round_ in range(ROUNDS):
        assert await _owners(api, workspace) == 2
        if round_ % 2:
            # Removal needs only the admin role, so this races the count the same way.
            calls = (
                first.delete(f"{members}/{ids[second.email]}"),
                second.delete(f"{members}/{ids[first.email]}"),
            )
        else:
            calls = (
                first.put(f"{members}/{ids[second.email]}", json={"role": "admin"}),
                second.put(f"{members}/{ids[first.email]}", json={"role": "admin"}),
            )
        results = await asyncio.gather(*calls)
        statuses = sorted(r.status_code for r in results)
        # One change wins; the other finds its author no longer an owner, or the last owner.
        assert statuses[0] == 204, [r.text for r in results]
        assert statuses[1] in (403, 409), [r.text for r in results]
        assert await _owners(api, workspace) == 1
        # Put the loser back as an owner for the next round.
        winner, loser = (first, second) if results[0].status_code == 204 else (second, first)
        if round_ % 2:
            loser_again = await api.member(winner, workspace, Role.OWNER)
            ids[loser_again.email] = await _user_id(loser_again)
            if loser is first:
                first = loser_again
            else:
                second = loser_again
        else:
            restored = await winner.put(f"{members}/{ids[loser.email]}", json={"role": "owner"})
            assert restored.status_code == 204, restored.text
