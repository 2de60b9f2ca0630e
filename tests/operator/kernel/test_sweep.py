"""The kernel's sweep, the one task that replaces a kopf timer per object: each registered
object gets a light visit every interval and a full one every resync interval (counted from
its registration), an object still busy with its last visit waits without holding up the
others, a forgotten object is never visited again, and a failing visit is logged and retried
on the next pass. Passes are driven by hand (``sweep_once``), so nothing here waits on time."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import pytest

from arkenos_operator.kernel.sweep import Sweep

Key = tuple[str, str]
A, B = ("team-a", "orders"), ("team-a", "survey")


@dataclass
class Visits:
    """What the sweep asked for, in order; ``hold`` keeps a key's visits running."""

    seen: list[tuple[Key, bool]] = field(default_factory=list)
    hold: dict[Key, asyncio.Event] = field(default_factory=dict)
    failing: set[Key] = field(default_factory=set)
    any_seen: asyncio.Event = field(default_factory=asyncio.Event)

    async def visit(self, key: Key, full: bool) -> None:
        self.seen.append((key, full))
        self.any_seen.set()
        if key in self.failing:
            raise RuntimeError(f"{key} cannot be reached")
        if key in self.hold:
            await self.hold[key].wait()


async def passes(sweep: Sweep[Key], count: int) -> None:
    for _ in range(count):
        await sweep.sweep_once()
        for _ in range(3):  # let the visits it started run to their end
            await asyncio.sleep(0)


async def test_light_visits_every_interval_and_a_full_one_every_resync() -> None:
    visits = Visits()
    sweep = Sweep[Key](interval=10, resync_interval=30, visit=visits.visit, slices=1)
    sweep.register(A)
    await passes(sweep, 6)
    # One pass per 10 s: light at 10 and 20 s, full at 30 s (instead of a light one), ...
    assert visits.seen == [(A, False), (A, False), (A, True)] * 2


async def test_each_object_keeps_the_phase_of_its_registration() -> None:
    visits = Visits()
    sweep = Sweep[Key](interval=10, resync_interval=30, visit=visits.visit, slices=1)
    sweep.register(A)
    await passes(sweep, 1)
    sweep.register(B)
    sweep.register(A)  # registered again (an update of the agent): its clocks go on
    await passes(sweep, 3)
    first, second, third = [(A, False)], [(A, False), (B, False)], [(A, True), (B, False)]
    assert visits.seen == [*first, *second, *third, (A, False), (B, True)]


async def test_a_resync_shorter_than_the_interval_sets_the_pace() -> None:
    visits = Visits()
    sweep = Sweep[Key](interval=10, resync_interval=5, visit=visits.visit, slices=1)
    assert sweep.period == 5
    sweep.register(A)
    await passes(sweep, 4)
    assert visits.seen == [(A, True)] * 4


async def test_a_busy_object_waits_and_the_others_go_on() -> None:
    visits = Visits(hold={A: asyncio.Event()})
    sweep = Sweep[Key](interval=10, resync_interval=60, visit=visits.visit, slices=1)
    sweep.register(A)
    sweep.register(B)
    await passes(sweep, 3)
    assert visits.seen == [(A, False), (B, False), (B, False), (B, False)]
    visits.hold[A].set()
    for _ in range(3):
        await asyncio.sleep(0)
    await passes(sweep, 1)
    assert visits.seen[-2:] == [(A, False), (B, False)]


async def test_a_forgotten_object_leaves_the_sweep() -> None:
    visits = Visits()
    sweep = Sweep[Key](interval=10, resync_interval=60, visit=visits.visit, slices=1)
    sweep.register(A)
    sweep.register(B)
    await passes(sweep, 1)
    sweep.forget(A)
    await passes(sweep, 2)
    assert A not in sweep
    assert len(sweep) == 1
    assert visits.seen == [(A, False), (B, False), (B, False), (B, False)]


async def test_a_failing_visit_is_logged_and_tried_again(caplog: pytest.LogCaptureFixture) -> None:
    visits = Visits(failing={A})
    sweep = Sweep[Key](interval=10, resync_interval=60, visit=visits.visit, slices=1)
    sweep.register(A)
    sweep.register(B)
    with caplog.at_level(logging.ERROR, logger="arkenos_operator.sweep"):
        await passes(sweep, 2)
    assert visits.seen == [(A, False), (B, False)] * 2
    assert len([r for r in caplog.records if "cannot be reached" in str(r.exc_info)]) == 2


async def test_the_task_passes_on_its_own_and_stops_with_visits_in_flight() -> None:
    visits = Visits(hold={A: asyncio.Event()})
    sweep = Sweep[Key](interval=0.01, resync_interval=60, visit=visits.visit, slices=1)
    sweep.register(A)
    sweep.start()
    await asyncio.wait_for(visits.any_seen.wait(), timeout=5)
    await sweep.stop()  # cancels the visit still waiting
    seen = list(visits.seen)
    await asyncio.sleep(0.05)
    assert seen == visits.seen == [(A, False)]


async def test_a_closed_gate_visits_nothing_and_stops_the_clocks() -> None:
    visits = Visits()
    acting = [False]

    async def gate() -> bool:
        return acting[0]

    sweep = Sweep[Key](interval=10, resync_interval=30, visit=visits.visit, gate=gate, slices=1)
    sweep.register(A)
    await passes(sweep, 5)
    assert visits.seen == []
    # Open again, A's schedule goes on where it stood: light, light, full.
    acting[0] = True
    await passes(sweep, 3)
    assert visits.seen == [(A, False), (A, False), (A, True)]


async def test_slices_keep_each_object_on_the_phase_of_its_registration() -> None:
    # Ten passes per interval: objects registered three passes apart are visited three passes
    # apart, not together (a sweep with one pass per interval would visit every object at
    # once, a burst of reconciles each interval).
    visits = Visits()
    sweep = Sweep[Key](interval=10, resync_interval=600, visit=visits.visit)
    assert sweep.period == 1
    sweep.register(A)
    await passes(sweep, 3)
    sweep.register(B)
    seen_at: list[list[tuple[Key, bool]]] = []
    for _ in range(20):
        before = len(visits.seen)
        await passes(sweep, 1)
        seen_at.append(visits.seen[before:])
    # Pass 10 counted from the start is A's (index 6 here), pass 13 is B's; then every 10.
    assert {i: v for i, v in enumerate(seen_at) if v} == {
        6: [(A, False)],
        9: [(B, False)],
        16: [(A, False)],
        19: [(B, False)],
    }
