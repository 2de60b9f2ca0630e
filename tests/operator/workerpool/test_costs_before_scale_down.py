"""A scale-down waits for the deletion costs it relies on: the ReplicaSet controller chooses
the pods to remove from its own cache, so costs written in the same tick as the smaller
replica count may not be seen, and busy pods go instead of idle ones (as seen on a real
control plane). The pool and custom agents share this rule."""

from __future__ import annotations

from arkenos_operator.scaling.decisions import Decision, Direction
from arkenos_operator.scaling.pods import after_costs_settle

DOWN = Decision(4, 2, Direction.DOWN, "Scaled down from 4 to 2.")


def test_a_scale_down_holds_for_one_tick_when_costs_just_changed() -> None:
    held = after_costs_settle(DOWN, costs_patched=2)
    assert (held.from_replicas, held.replicas, held.direction) == (4, 4, Direction.HOLD)
    assert "deletion costs" in held.reason


def test_a_scale_down_goes_ahead_once_the_costs_are_in_place() -> None:
    assert after_costs_settle(DOWN, costs_patched=0) == DOWN


def test_growing_never_waits_for_costs() -> None:
    up = Decision(2, 4, Direction.UP, "Scaled up from 2 to 4.")
    assert after_costs_settle(up, costs_patched=3) == up
