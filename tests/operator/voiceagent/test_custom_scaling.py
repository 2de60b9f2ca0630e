"""A custom agent's replicas, decided by the pool's scaling function: sessions on its pods
between min and max, no warm buffer (so min 0 reaches zero), the API's wake mark counted as a
call waiting for a pod while it is recent, and the pool's paced scale-down back to min; an
idle scaler tick has nothing to reconcile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from arkenos_crds.custom import CustomSpec
from arkenos_crds.runtime import WAKE_ANNOTATION
from arkenos_operator.scaling.decisions import Direction, PodLoad, ScalePolicy
from arkenos_operator.scaling.pods import DELETION_COST
from arkenos_operator.voiceagent.scale import (
    Scale,
    decide_replicas,
    needs_reconcile,
    policy_of,
    waiting_calls,
    wake_requested_at,
)
from tests.operator.conftest import make_settings

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
SETTINGS = make_settings(custom_sessions_per_replica="4", custom_scale_down_delay_seconds="60")
IMAGE = "ghcr.example/acme/survey@sha256:" + "c" * 64
Body = dict[str, Any]


def policy(low: int = 0, high: int = 3) -> ScalePolicy:
    custom = CustomSpec.model_validate(
        {"source": {"image": IMAGE}, "replicas": {"min": low, "max": high}}
    )
    return policy_of(custom, SETTINGS)


def agent(
    replicas: int | None = None, wake: str | None = None, changed: datetime | None = None
) -> Body:
    status: Body = {}
    if replicas is not None:
        status["replicas"] = replicas
    if changed is not None:
        status["lastDecision"] = {"time": changed.isoformat().replace("+00:00", "Z")}
    annotations = {WAKE_ANNOTATION: wake} if wake is not None else {}
    return {
        "metadata": {"name": "survey", "namespace": "team-a", "annotations": annotations},
        "status": status,
    }


def pods(*sessions: int | None) -> list[tuple[Body, PodLoad]]:
    return [({"metadata": {"name": f"p{i}"}}, PodLoad(f"p{i}", s)) for i, s in enumerate(sessions)]


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def test_the_policy_is_the_agents_bounds_with_no_warm_buffer() -> None:
    assert policy(0, 5) == ScalePolicy(
        min_replicas=0,
        max_replicas=5,
        sessions_per_replica=4,
        warm_buffer=0,
        scale_down_delay_seconds=60,
        scale_down_step=1,
    )


def test_min_zero_without_demand_starts_at_zero_pods() -> None:
    decision = decide_replicas(policy(), agent(), [], waiting=0, now=NOW)
    assert (decision.replicas, decision.direction) == (0, Direction.HOLD)
    assert decision.reason == "Created at zero pods (min 0)."


def test_a_new_agent_with_min_one_starts_one_pod() -> None:
    decision = decide_replicas(policy(1, 3), agent(), [], waiting=0, now=NOW)
    assert (decision.from_replicas, decision.replicas, decision.direction) == (0, 1, Direction.UP)


def test_a_recent_wake_mark_is_a_waiting_call() -> None:
    assert waiting_calls(agent(wake=iso(NOW - timedelta(seconds=119))), NOW, 120) == 1
    assert waiting_calls(agent(wake=iso(NOW - timedelta(seconds=120))), NOW, 120) == 0
    assert waiting_calls(agent(), NOW, 120) == 0


def test_a_wake_mark_that_is_not_a_time_is_ignored() -> None:
    assert wake_requested_at(agent(wake="soon")) is None
    assert wake_requested_at(agent(wake="2026-01-01T12:00:00")) is None  # no zone: not ours
    assert wake_requested_at(agent(wake=iso(NOW))) == NOW


def test_a_waiting_call_wakes_an_agent_at_zero_at_once() -> None:
    decision = decide_replicas(policy(), agent(replicas=0, changed=NOW), [], waiting=1, now=NOW)
    assert (decision.from_replicas, decision.replicas, decision.direction) == (0, 1, Direction.UP)
    assert decision.reason == (
        "Scaled up from 0 to 1: 0 active sessions + 1 call(s) waiting for a pod + warm buffer 0 "
        "need 1 worker(s) of 4 sessions (bounds 0-3)."
    )


def test_a_pod_still_starting_holds_the_wake() -> None:
    decision = decide_replicas(policy(), agent(replicas=1), pods(0), waiting=1, now=NOW)
    assert (decision.replicas, decision.direction) == (1, Direction.HOLD)


def test_sessions_on_the_pods_scale_up_to_max_and_no_further() -> None:
    # 9 sessions of 4 per pod need 3 pods; the mark adds nothing once calls are visible.
    up = decide_replicas(policy(), agent(replicas=1), pods(9), waiting=1, now=NOW)
    assert (up.replicas, up.direction) == (3, Direction.UP)
    capped = decide_replicas(policy(), agent(replicas=3), pods(4, 4, 4, 4), waiting=0, now=NOW)
    assert (capped.replicas, capped.direction) == (3, Direction.HOLD)


def test_an_unreadable_pod_counts_as_full() -> None:
    decision = decide_replicas(policy(), agent(replicas=1), pods(None, 1), waiting=0, now=NOW)
    assert decision.replicas == 2


def test_idle_steps_down_to_zero_after_the_delay() -> None:
    recent = NOW - timedelta(seconds=59)
    held = decide_replicas(policy(), agent(replicas=1, changed=recent), pods(0), 0, NOW)
    assert (held.replicas, held.direction) == (1, Direction.HOLD)
    old = NOW - timedelta(seconds=60)
    down = decide_replicas(policy(), agent(replicas=1, changed=old), pods(0), 0, NOW)
    assert (down.replicas, down.direction) == (0, Direction.DOWN)
    assert down.reason.startswith("Scaled down from 1 to 0 (step 1): 0 active sessions")


def test_idle_with_min_one_stays_at_one() -> None:
    old = NOW - timedelta(hours=1)
    decision = decide_replicas(policy(1, 3), agent(replicas=2, changed=old), pods(0, 0), 0, NOW)
    assert decision.replicas == 1


def test_an_idle_tick_has_no_news_and_moved_sessions_or_costs_do() -> None:
    def tick(status: Body, measured: list[tuple[Body, PodLoad]]) -> bool:
        body = agent(replicas=status.get("replicas"), changed=NOW - timedelta(hours=1))
        body["status"] |= status
        return needs_reconcile(body, plan_of(body, measured))

    def plan_of(body: Body, measured: list[tuple[Body, PodLoad]]) -> Scale:
        decision = decide_replicas(policy(), body, measured, waiting=0, now=NOW)
        return Scale(policy(), decision, measured, NOW)

    asleep = {"replicas": 0, "activeSessions": 0}
    assert not tick(asleep, [])
    costed = [({"metadata": {"name": "p0", "annotations": {DELETION_COST: "1"}}}, PodLoad("p0", 1))]
    assert not tick({"replicas": 1, "activeSessions": 1}, costed)
    assert tick({"replicas": 1, "activeSessions": 0}, costed)  # a call started
    assert tick({"replicas": 1, "activeSessions": 1}, pods(1))  # its pod's cost is not set yet
    idle = [({"metadata": {"name": "p0", "annotations": {DELETION_COST: "0"}}}, PodLoad("p0", 0))]
    assert tick({"replicas": 1, "activeSessions": 0}, idle)  # idle long enough: step down


def test_a_tick_before_the_first_deployment_leaves_it_to_the_build() -> None:
    body = agent()  # no status.replicas: the first build is still running
    decision = decide_replicas(policy(1, 3), body, [], waiting=0, now=NOW)
    assert decision.changed  # a reconcile would create one pod...
    assert not needs_reconcile(body, Scale(policy(1, 3), decision, [], NOW))  # ...not the tick
