"""A call's setup timeline: stages between livekit's dispatch instants and the call's own,
the overlapping room connection and config fetch, and the report (log line and histogram)."""

from __future__ import annotations

import logging

import pytest

from arkenos_agent_runtime.call.timeline import CallTimeline
from arkenos_agent_runtime.health.metrics import WorkerMetrics


def timeline() -> CallTimeline:
    marks = {
        "received": 100.0,
        "accepted": 100.002,
        "assigned": 100.010,
        "launched": 100.011,
        "entrypoint": 100.015,
        "config": 100.055,
        "connected": 100.315,
        "session": 100.335,
        "greeting": 100.435,
    }
    return CallTimeline(room="call-1", job_id="AJ_1", at=dict(marks))


def test_stages_run_between_instants_and_the_session_waits_for_room_and_config() -> None:
    stages = timeline().stages_ms()
    assert stages == {
        "accept": 2.0,
        "assign": 8.0,
        "launch": 1.0,
        "entrypoint": 4.0,
        "connect": 300.0,
        "config": 40.0,
        "session": 20.0,
        "greeting": 100.0,
    }
    assert timeline().total_ms() == 435.0


def test_unknown_instants_leave_their_stages_out() -> None:
    partial = CallTimeline(at={"entrypoint": 1.0, "session": 1.5})
    assert partial.stages_ms() == {}
    assert partial.total_ms() is None
    partial.mark("session", 9.0)  # the first mark of an instant stays
    assert partial.at["session"] == 1.5


def test_the_report_logs_the_stages_and_observes_the_histogram(
    caplog: pytest.LogCaptureFixture,
) -> None:
    metrics = WorkerMetrics()
    with caplog.at_level(logging.INFO, logger="arkenos.call"):
        timeline().report(metrics)
    [record] = [r for r in caplog.records if r.getMessage() == "call setup"]
    assert record.room == "call-1"  # type: ignore[attr-defined]
    assert record.setup_ms == 435.0  # type: ignore[attr-defined]
    assert record.stages_ms["connect"] == 300.0  # type: ignore[attr-defined]
    registry = metrics.registry
    total = registry.get_sample_value("arkenos_call_setup_seconds_count", {"stage": "total"})
    connect = registry.get_sample_value("arkenos_call_setup_seconds_sum", {"stage": "connect"})
    assert total == 1
    assert connect == pytest.approx(0.3)
