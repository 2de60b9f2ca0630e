"""One lock per object, held only while someone uses it: a kopf handler and a reconcile
triggered by a dependency (a Secret, a child's status) never act on the same object at once,
and the table shrinks back to empty when nothing runs (no entry per object ever seen)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

ObjectKey = tuple[str, str | None, str]


@dataclass
class _Entry:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


@dataclass
class ObjectLocks:
    _entries: dict[ObjectKey, _Entry] = field(default_factory=dict)

    @contextlib.asynccontextmanager
    async def hold(self, key: ObjectKey) -> AsyncIterator[bool]:
        """Hold the object's lock; yields whether it was free on arrival (nobody held it or
        waited for it)."""
        entry = self._entries.get(key)
        alone = entry is None
        if entry is None:
            entry = self._entries[key] = _Entry()
        entry.users += 1
        try:
            async with entry.lock:
                yield alone
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)
