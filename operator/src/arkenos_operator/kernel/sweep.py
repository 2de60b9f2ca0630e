"""One task that visits every registered object on a period, in place of a kopf timer per
object.

A kopf timer costs kopf's machinery on every tick (its cause, kwargs, progress state, logging)
even when the tick finds nothing to do, and kopf gives every object that has a timer a
finalizer: a patch and one more watch event when the object is made (its creation handlers
wait for that echo) and again when it is deleted.

Objects are registered by the handlers that see them and forgotten when they go. The sweep
passes ``slices`` times per ``min(interval, resync_interval)``; counted in passes from its
registration, an object gets a light visit every ``interval`` seconds and a full one instead
every ``resync_interval`` seconds (a period that is not a whole number of passes rounds up).
The slices keep each object on the phase of its registration, as its own timer was: with one
pass per interval, every object would be visited in the same instant, a burst of hundreds of
reconciles every interval that delays whatever else the operator is doing then.
A visit runs as a task of its own: an object whose visit is slow (pods that do not answer)
only skips its own next passes, as its own timer would have waited, and never holds up the
others.

kopf stops its timers while peering pauses this replica (a peer of higher priority is alive)
but knows nothing of the sweep, so the sweep asks its ``gate`` before each pass
(:class:`arkenos_operator.kernel.peering.PeeringGate` reads the peering objects by kopf's
rule): while it says no, the sweep visits nothing and its clocks stand still.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
LOGGER = logging.getLogger("arkenos_operator.sweep")
#: Passes per interval: an object's phase is its registration time to a tenth of the interval.
SLICES = 10
#: Visits started before the sweep lets the event loop poll I/O again: a pass over thousands of
#: idle objects never holds watch events back for long.
BATCH = 32


@dataclass
class _Schedule:
    """Passes left until an object's next light and full visit."""

    to_light: int
    to_full: int


@dataclass
class Sweep(Generic[K]):
    """Visits registered objects: ``visit(key, full)``; failures are logged, never raised."""

    interval: float
    resync_interval: float
    visit: Callable[[K, bool], Awaitable[None]]
    name: str = "sweep"
    slices: int = SLICES
    #: Asked before each pass whether this replica acts (None: always, as standalone).
    gate: Callable[[], Awaitable[bool]] | None = None
    _schedules: dict[K, _Schedule] = field(default_factory=dict)
    _busy: dict[K, asyncio.Task[None]] = field(default_factory=dict)
    _loop: asyncio.Task[None] | None = None

    @property
    def period(self) -> float:
        return min(self.interval, self.resync_interval) / self.slices

    def _passes(self, seconds: float) -> int:
        return max(1, math.ceil(seconds / self.period - 1e-9))

    def register(self, key: K) -> None:
        """Start visiting ``key``: its first light visit at the pass that ends its first
        interval (within one interval from now), its first full one likewise. An object
        already registered keeps its schedule."""
        if key not in self._schedules:
            self._schedules[key] = _Schedule(
                self._passes(self.interval), self._passes(self.resync_interval)
            )

    def forget(self, key: K) -> None:
        """Stop visiting ``key``; a visit in flight finishes (the reconcile it runs reads the
        object afresh and stops when the object is gone)."""
        self._schedules.pop(key, None)

    def __contains__(self, key: object) -> bool:
        return key in self._schedules

    def __len__(self) -> int:
        return len(self._schedules)

    def start(self) -> None:
        self._loop = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Stop passing and cancel the visits in flight (the operator is exiting)."""
        tasks = [t for t in (self._loop, *self._busy.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._loop = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.period)
            await self.sweep_once()

    async def sweep_once(self) -> None:
        """One pass: start the visits that are due (the loop calls it every period)."""
        if self.gate is not None and not await self.gate():
            return  # paused: another replica acts
        started = 0
        for key, schedule in list(self._schedules.items()):
            if key in self._busy:
                continue  # its last visit still runs: its clock waits, as its timer would
            schedule.to_light -= 1
            schedule.to_full -= 1
            if schedule.to_full <= 0:
                full = True
            elif schedule.to_light <= 0:
                full = False
            else:
                continue
            # A full visit does what a light one would: both clocks start again.
            schedule.to_light = self._passes(self.interval)
            if full:
                schedule.to_full = self._passes(self.resync_interval)
            self._busy[key] = asyncio.create_task(self._visit(key, full))
            started += 1
            if started % BATCH == 0:
                await asyncio.sleep(0)

    async def _visit(self, key: K, full: bool) -> None:
        try:
            await self.visit(key, full)
        except Exception:
            LOGGER.exception(
                "The %s's visit of %s failed; the next pass tries again.", self.name, key
            )
        finally:
            self._busy.pop(key, None)
