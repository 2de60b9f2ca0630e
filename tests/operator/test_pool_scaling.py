"""The pool scaler's pure decisions: sizing, immediate scale-up, paced scale-down, bounds,
missing metrics counted as full, and deletion costs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from arkenos_crds.workerpool import WorkerPoolSpec
from arkenos_operator.scaling.decisions import (
    Direction,
    PodLoad,
    ScalePolicy,
    counted_sessions,
    decide,
    deletion_costs,
    desired_replicas,
)
from arkenos_operator.scaling.scrape import parse_active_sessions

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def pool(**fields: Any) -> ScalePolicy:
    base: dict[str, Any] = {
        "replicas": {"min": 1, "max": 10},
        "sessionsPerReplica": 10,
        "warmBuffer": 2,
        "scaleDown": {"delaySeconds": 300, "step": 1},
    }
    return ScalePolicy.of_pool(WorkerPoolSpec.model_validate(base | fields))


@pytest.mark.parametrize(
    ("active", "expected"),
    [(0, 1), (8, 1), (9, 2), (18, 2), (19, 3), (500, 10)],
)
def test_desired_is_ceil_of_sessions_plus_buffer_clamped(active: int, expected: int) -> None:
    assert desired_replicas(pool(), active) == expected


def test_min_holds_even_with_no_sessions_and_no_buffer() -> None:
    assert desired_replicas(pool(replicas={"min": 3, "max": 5}, warmBuffer=0), 0) == 3
    assert desired_replicas(pool(replicas={"min": 0, "max": 5}, warmBuffer=0), 0) == 0


def test_scale_up_is_immediate_whatever_the_last_change() -> None:
    decision = decide(pool(), current=2, active=45, last_change=NOW, now=NOW)
    assert (decision.from_replicas, decision.replicas, decision.direction) == (2, 5, Direction.UP)
    assert decision.reason == (
        "Scaled up from 2 to 5: 45 active sessions + warm buffer 2 need 5 worker(s) of 10 "
        "sessions (bounds 1-10)."
    )


def test_scale_down_waits_for_the_delay_then_takes_one_step() -> None:
    recent = NOW - timedelta(seconds=299)
    held = decide(pool(), current=6, active=0, last_change=recent, now=NOW)
    assert (held.replicas, held.direction) == (6, Direction.HOLD)
    assert "the next scale-down step is allowed at 2026-01-01T12:00:01+00:00" in held.reason
    assert not held.changed

    due = decide(pool(), current=6, active=0, last_change=NOW - timedelta(seconds=300), now=NOW)
    assert (due.replicas, due.direction) == (5, Direction.DOWN)
    assert due.reason.startswith("Scaled down from 6 to 5 (step 1): 0 active sessions")


def test_a_step_never_goes_below_the_target() -> None:
    spec = pool(scaleDown={"delaySeconds": 0, "step": 10})
    assert decide(spec, current=8, active=25, last_change=None, now=NOW).replicas == 3


def test_lowering_max_applies_at_once() -> None:
    decision = decide(pool(replicas={"min": 1, "max": 4}), 9, 100, last_change=NOW, now=NOW)
    assert (decision.replicas, decision.direction) == (4, Direction.DOWN)
    assert decision.reason == "Scaled down from 9 to 4: max is 4."


def test_steady_load_holds() -> None:
    decision = decide(pool(), current=2, active=10, last_change=None, now=NOW)
    assert (decision.replicas, decision.direction) == (2, Direction.HOLD)


def test_unreadable_workers_count_as_full_so_the_pool_never_shrinks_on_missing_data() -> None:
    loads = [PodLoad("a", 0), PodLoad("b", None), PodLoad("c", None)]
    assert counted_sessions(loads, 10) == 20
    spec = pool(warmBuffer=0, scaleDown={"delaySeconds": 0, "step": 5})
    assert (
        decide(
            spec, current=3, active=counted_sessions(loads, 10), last_change=None, now=NOW
        ).replicas
        == 2
    )
    assert deletion_costs(loads, 10) == {"a": 0, "b": 10, "c": 10}


def test_parse_active_sessions_sums_the_gauge() -> None:
    text = (
        "# HELP arkenos_worker_active_sessions Sessions.\n"
        "# TYPE arkenos_worker_active_sessions gauge\n"
        'arkenos_worker_active_sessions{agent="a"} 2.0\n'
        'arkenos_worker_active_sessions{agent="b"} 3.0\n'
        "lk_agents_active_job_count 9.0\n"
    )
    assert parse_active_sessions(text) == 5
    assert parse_active_sessions("lk_agents_active_job_count 9.0\n") is None
    with pytest.raises(ValueError, match="invalid metric name"):
        parse_active_sessions("<html>")
