"""ConditionSet: Unknown on first visit, Ready summarising its dependents, stable times."""

from datetime import UTC, datetime

from arkenos_operator.conditions import ConditionSet

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
T1 = datetime(2026, 1, 1, 12, 5, tzinfo=UTC)


def test_first_visit_sets_every_type_unknown() -> None:
    conditions = ConditionSet(None, ["Built", "Available"], generation=3, now=T0)
    assert conditions.to_wire() == [
        {
            "type": type_,
            "status": "Unknown",
            "reason": "Reconciling",
            "message": "",
            "lastTransitionTime": "2026-01-01T12:00:00Z",
            "observedGeneration": 3,
        }
        for type_ in ("Built", "Available", "Ready")
    ]


def test_ready_takes_the_first_false_then_the_first_unknown() -> None:
    conditions = ConditionSet(None, ["Built", "Available"], generation=1, now=T0)
    conditions.mark_unknown("Built", "Building", "The build Job is running.")
    conditions.mark_false("Available", "NoReplicas", "No pod is ready.")
    ready = conditions.summarize()
    assert (ready.status, ready.reason, ready.message) == (
        "False",
        "NoReplicas",
        "No pod is ready.",
    )

    conditions.mark_true("Available", "MinimumReplicasAvailable")
    ready = conditions.summarize()
    assert (ready.status, ready.reason) == ("Unknown", "Building")

    conditions.mark_true("Built", "Succeeded")
    ready = conditions.summarize("Serving.")
    assert (ready.status, ready.reason, ready.message) == ("True", "Ready", "Serving.")


def test_transition_time_moves_only_when_status_changes() -> None:
    first = ConditionSet(None, ["Built"], generation=1, now=T0)
    first.mark_false("Built", "BuildFailed", "boom")
    later = ConditionSet(first.to_wire(), ["Built"], generation=2, now=T1)
    later.mark_false("Built", "BuildFailed", "boom again")
    built = later.get("Built")
    assert built is not None
    assert built.last_transition_time == T0
    assert (built.message, built.observed_generation) == ("boom again", 2)
    later.mark_true("Built", "Succeeded")
    built = later.get("Built")
    assert built is not None
    assert built.last_transition_time == T1


def test_dropping_a_condition_removes_it_from_ready() -> None:
    conditions = ConditionSet(None, ["Built", "Available"], generation=1, now=T0)
    conditions.mark_true("Available", "MinimumReplicasAvailable")
    conditions.drop("Built")
    assert conditions.get("Built") is None
    assert conditions.summarize().status == "True"
