"""Workspace roles, ordered from most to least powerful."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    DEVELOPER = "developer"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def allows(self, required: Role) -> bool:
        """Whether a member with this role may do what ``required`` may."""
        return self.rank >= required.rank


_RANK = {Role.VIEWER: 0, Role.DEVELOPER: 1, Role.ADMIN: 2, Role.OWNER: 3}


def weakest(first: Role, second: Role) -> Role:
    return first if first.rank <= second.rank else second
