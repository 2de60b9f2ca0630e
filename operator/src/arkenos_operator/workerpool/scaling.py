"""The pool scaler's decisions, as pure functions.

desired = clamp(ceil((active + warmBuffer) / sessionsPerReplica), min, max). Up at once; down
by at most ``step`` per ``delaySeconds`` since the last change; a worker whose metrics cannot be
read counts as full, so missing data never shrinks the pool.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from arkenos_crds.workerpool import WorkerPoolSpec


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"
    HOLD = "hold"


@dataclass(frozen=True)
class PodLoad:
    """Sessions on one worker pod; ``active`` is None when its metrics could not be read."""

    name: str
    active: int | None


@dataclass(frozen=True)
class Decision:
    from_replicas: int
    replicas: int
    direction: Direction
    reason: str

    @property
    def changed(self) -> bool:
        return self.direction is not Direction.HOLD


def counted_sessions(loads: list[PodLoad], sessions_per_replica: int) -> int:
    """Active sessions for sizing: an unreadable worker counts as full."""
    return sum(sessions_per_replica if load.active is None else load.active for load in loads)


def desired_replicas(spec: WorkerPoolSpec, active: int) -> int:
    needed = math.ceil((active + spec.warm_buffer) / spec.sessions_per_replica)
    return max(spec.replicas.min, min(spec.replicas.max, needed))


def decide(
    spec: WorkerPoolSpec,
    current: int,
    active: int,
    last_change: datetime | None,
    now: datetime,
) -> Decision:
    """The replica count to ask for now, and why."""
    target = desired_replicas(spec, active)
    need = (
        f"{active} active sessions + warm buffer {spec.warm_buffer} need {target} "
        f"worker(s) of {spec.sessions_per_replica} sessions (bounds {spec.replicas.min}"
        f"-{spec.replicas.max})"
    )
    if target > current:
        return Decision(
            current, target, Direction.UP, f"Scaled up from {current} to {target}: {need}."
        )
    if target == current:
        return Decision(current, current, Direction.HOLD, f"Holding {current}: {need}.")
    if current > spec.replicas.max:
        to = spec.replicas.max
        return Decision(
            current, to, Direction.DOWN, f"Scaled down from {current} to {to}: max is {to}."
        )
    delay = timedelta(seconds=spec.scale_down.delay_seconds)
    if last_change is not None and now < last_change + delay:
        when = (last_change + delay).isoformat()
        return Decision(
            current,
            current,
            Direction.HOLD,
            f"Holding {current}: {need}; the next scale-down step is allowed at {when}.",
        )
    to = max(target, current - spec.scale_down.step)
    return Decision(
        current,
        to,
        Direction.DOWN,
        f"Scaled down from {current} to {to} (step {spec.scale_down.step}): {need}.",
    )


def deletion_costs(loads: list[PodLoad], sessions_per_replica: int) -> dict[str, int]:
    """controller.kubernetes.io/pod-deletion-cost per pod: its active sessions, so the
    ReplicaSet removes idle workers first; an unreadable worker is assumed full."""
    return {
        load.name: sessions_per_replica if load.active is None else load.active for load in loads
    }
