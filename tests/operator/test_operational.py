"""Operational surface: metrics and readiness endpoints, kopf's liveness probe, JSON logs
with the object reference, and the entry point failing fast on bad settings."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
from collections.abc import Iterator
from typing import Any

import httpx
import kopf
import pytest
import uvloop

from arkenos_crds._base import _program
from arkenos_devstack.process import free_port
from arkenos_operator import __main__ as entry
from arkenos_operator.kube import VOICE_AGENTS
from arkenos_operator.logs import REFKEY, configure_logging, object_logger
from tests.operator.conftest import KOPF_ARGS, OPERATOR_ENV, RunOperator, make_settings
from tests.operator.kube_api import KubeApi
from tests.operator.test_standard_agents import ready_pool, standard_agent
from tests.substrate.waiting import wait_until

pytestmark = pytest.mark.k8s


def test_metrics_readiness_and_liveness_are_served(
    api: KubeApi, run_operator: RunOperator, monkeypatch: pytest.MonkeyPatch
) -> None:
    metrics_port, probe_port = free_port(), free_port()
    liveness = f"http://127.0.0.1:{probe_port}/healthz"
    monkeypatch.setattr("tests.operator.conftest.KOPF_ARGS", [*KOPF_ARGS, f"--liveness={liveness}"])
    with run_operator(settings=make_settings(metrics_port=str(metrics_port))):
        ready_pool(api)
        api.create(VOICE_AGENTS, standard_agent("support"))
        api.wait_for_condition(VOICE_AGENTS, "team-a", "support", "Ready", "True")
        base = f"http://127.0.0.1:{metrics_port}"
        assert httpx.get(f"{base}/readyz").status_code == 200
        text = wait_until(
            lambda: (
                (t := httpx.get(f"{base}/metrics").text)
                and 'arkenos_operator_pool_decisions_total{direction="up",pool="standard"}' in t
                and t
            ),
            within=5,
            what="the pool decision to be counted",
        )
        assert 'arkenos_operator_reconciles_total{resource="voiceagent",result="ok"}' in text
        assert 'arkenos_operator_reconcile_duration_seconds_count{resource="workerpool"}' in text
        assert httpx.get(liveness).status_code == 200


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_json_log_lines_carry_the_object() -> None:
    configure_logging("json")
    formatter = next(
        h.formatter
        for h in logging.getLogger().handlers
        if type(h).__name__ == "_KopfStreamHandler"
    )
    assert formatter is not None
    collect = Collect()
    logger = logging.getLogger("arkenos_operator")
    logger.addHandler(collect)
    try:
        object_logger("voiceagent", "team-a", "support").warning("Not converged (%s): %s", "R", "m")
    finally:
        logger.removeHandler(collect)
    line = json.loads(formatter.format(collect.records[-1]))
    assert line["message"] == "Not converged (R): m"
    assert line[REFKEY] == {"kind": "voiceagent", "namespace": "team-a", "name": "support"}
    assert line["severity"] == "warn"


def test_entry_point_refuses_bad_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in list(os.environ):
        if name.startswith("ARKENOS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ARKENOS_OPERATOR_NAMESPACE", "arkenos-system")
    assert entry.main() == 2
    message = capsys.readouterr().err
    assert "ARKENOS_API_URL: Field required" in message
    assert "ARKENOS_WORKER_IMAGE: Field required" in message


@pytest.fixture
def collector_restored() -> Iterator[None]:
    """The collector as the test found it (the entry point tunes it for the process)."""
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_entry_point_runs_kopf_on_uvloop(
    monkeypatch: pytest.MonkeyPatch, collector_restored: None
) -> None:
    """The entry point hands kopf a uvloop loop, as kopf's own CLI does when uvloop is
    installed; ``kopf.run`` alone would run on asyncio's default loop. What start-up made is
    frozen out of the collector's reach before kopf runs, and the collector runs less often;
    the resource models' CEL rules are compiled by then."""
    for name, value in OPERATOR_ENV.items():
        monkeypatch.setenv(name, value)
    gc.unfreeze()
    _program.cache_clear()
    seen: dict[str, Any] = {}

    def run(*, loop: asyncio.AbstractEventLoop | None = None, **options: Any) -> None:
        seen["loop"], seen["open"] = loop, loop is not None and not loop.is_closed()
        seen["registry"] = options.get("registry")
        seen["frozen"], seen["thresholds"] = gc.get_freeze_count(), gc.get_threshold()
        seen["rules"] = _program.cache_info().currsize

    monkeypatch.setattr(kopf, "run", run)
    assert entry.main() == 0
    assert isinstance(seen["loop"], uvloop.Loop)
    assert seen["open"]  # while kopf runs on it
    assert seen["loop"].is_closed()  # and closed once kopf returns
    assert isinstance(seen["registry"], kopf.OperatorRegistry)
    assert seen["frozen"] > 10_000  # the modules' and the registry's objects
    assert seen["thresholds"] == entry.GC_THRESHOLDS
    assert seen["rules"] >= 10  # every CRD rule (tests/crds/test_cel_rules.py)
