"""Scaling decisions on live sessions, as pure functions: the shared worker pool and every
custom agent are sized by the same ones.

desired = clamp(ceil((active + waiting + warmBuffer) / sessionsPerReplica), min, max). Up at
once; down by at most ``step`` per ``delaySeconds`` since the last change; a worker whose
metrics cannot be read counts as full, so missing data never shrinks the pool. ``waiting`` are
calls that no pod can see yet (a call to a custom agent scaled to zero).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from arkenos_crds.custom import ReplicaBounds
from arkenos_crds.workerpool import WorkerPoolSpec


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"
    HOLD = "hold"


@dataclass(frozen=True)
class ScalePolicy:
    """What a scaled Deployment may do: bounds, sessions per pod, spare slots, pace down."""

    min_replicas: int
    max_replicas: int
    sessions_per_replica: int
    warm_buffer: int
    scale_down_delay_seconds: int
    scale_down_step: int

    @classmethod
    def of_pool(cls, spec: WorkerPoolSpec) -> ScalePolicy:
        return cls(
            min_replicas=spec.replicas.min,
            max_replicas=spec.replicas.max,
            sessions_per_replica=spec.sessions_per_replica,
            warm_buffer=spec.warm_buffer,
            scale_down_delay_seconds=spec.scale_down.delay_seconds,
            scale_down_step=spec.scale_down.step,
        )

    @classmethod
    def of_custom_agent(
        cls, replicas: ReplicaBounds, sessions_per_replica: int, scale_down_delay_seconds: int
    ) -> ScalePolicy:
        """A custom agent keeps no warm buffer, so ``min: 0`` really reaches zero pods."""
        return cls(
            min_replicas=replicas.min,
            max_replicas=replicas.max,
            sessions_per_replica=sessions_per_replica,
            warm_buffer=0,
            scale_down_delay_seconds=scale_down_delay_seconds,
            scale_down_step=1,
        )


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


def desired_replicas(policy: ScalePolicy, active: int, waiting: int = 0) -> int:
    needed = math.ceil((active + waiting + policy.warm_buffer) / policy.sessions_per_replica)
    return max(policy.min_replicas, min(policy.max_replicas, needed))


def decide(
    policy: ScalePolicy,
    current: int,
    active: int,
    last_change: datetime | None,
    now: datetime,
    waiting: int = 0,
) -> Decision:
    """The replica count to ask for now, and why."""
    target = desired_replicas(policy, active, waiting)
    calls = f"{active} active sessions"
    if waiting:
        calls += f" + {waiting} call(s) waiting for a pod"
    need = (
        f"{calls} + warm buffer {policy.warm_buffer} need {target} "
        f"worker(s) of {policy.sessions_per_replica} sessions (bounds {policy.min_replicas}"
        f"-{policy.max_replicas})"
    )
    if target > current:
        return Decision(
            current, target, Direction.UP, f"Scaled up from {current} to {target}: {need}."
        )
    if target == current:
        return Decision(current, current, Direction.HOLD, f"Holding {current}: {need}.")
    if current > policy.max_replicas:
        to = policy.max_replicas
        return Decision(
            current, to, Direction.DOWN, f"Scaled down from {current} to {to}: max is {to}."
        )
    delay = timedelta(seconds=policy.scale_down_delay_seconds)
    if last_change is not None and now < last_change + delay:
        when = (last_change + delay).isoformat()
        return Decision(
            current,
            current,
            Direction.HOLD,
            f"Holding {current}: {need}; the next scale-down step is allowed at {when}.",
        )
    to = max(target, current - policy.scale_down_step)
    return Decision(
        current,
        to,
        Direction.DOWN,
        f"Scaled down from {current} to {to} (step {policy.scale_down_step}): {need}.",
    )


def deletion_costs(loads: list[PodLoad], sessions_per_replica: int) -> dict[str, int]:
    """controller.kubernetes.io/pod-deletion-cost per pod: its active sessions, so the
    ReplicaSet removes idle workers first; an unreadable worker is assumed full."""
    return {
        load.name: sessions_per_replica if load.active is None else load.active for load in loads
    }
