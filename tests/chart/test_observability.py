"""Monitoring objects read metrics the components really export, and the Argo CD health check
(Lua, run here with the Lua 5.1 that Argo CD's gopher-lua implements) reads Ready correctly."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from lupa import lua51

from tests.chart._support import CHART, ROOT, Manifest, ValuesSet, by_kind, render

METRIC = re.compile(r"\barkenos_[a-z0-9_]+")
SUFFIXES = ("_total", "_bucket", "_count", "_sum")
MONITORING = ValuesSet("production", ("ci/production-values.yaml",))


def _base_name(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def exported_metrics() -> set[str]:
    """Metric names declared in the components' source (prometheus_client constructors)."""
    names: set[str] = set()
    declaration = re.compile(r"(?:Counter|Gauge|Histogram|Summary)\(\s*\"(arkenos_[a-z0-9_]+)\"")
    for component in ("operator", "api", "agent-runtime"):
        for source in (ROOT / component / "src").rglob("*.py"):
            names |= {_base_name(n) for n in declaration.findall(source.read_text())}
    return names


@pytest.fixture(scope="module")
def monitoring(helm: Path) -> list[Manifest]:
    return render(helm, MONITORING)


def test_every_metric_the_rules_and_the_dashboard_read_is_exported(
    monitoring: list[Manifest],
) -> None:
    exported = exported_metrics()
    assert {"arkenos_sessions", "arkenos_operator_reconciles"} <= exported
    (rule,) = by_kind(monitoring, "PrometheusRule")
    read = {_base_name(n) for n in METRIC.findall(yaml.safe_dump(rule["spec"]))}
    read |= {
        _base_name(n) for n in METRIC.findall((CHART / "files/grafana-dashboard.json").read_text())
    }
    assert read - exported == set()
    assert len(read) >= 6


def test_the_rules_cover_failing_calls_latency_capacity_and_operator_errors(
    monitoring: list[Manifest],
) -> None:
    (rule,) = by_kind(monitoring, "PrometheusRule")
    alerts = {r["alert"]: r for group in rule["spec"]["groups"] for r in group["rules"]}
    assert {
        "ArkenosCallsFailing",
        "ArkenosTurnLatencyHigh",
        "ArkenosPoolAtCapacity",
        "ArkenosOperatorReconcileErrors",
    } <= set(alerts)
    # Thresholds come from the values: 40 replicas x 12 sessions in the production set.
    assert ">= 480" in alerts["ArkenosPoolAtCapacity"]["expr"]
    assert 'stage="e2e"' in alerts["ArkenosTurnLatencyHigh"]["expr"]


def test_service_monitors_select_services_that_exist_with_the_named_port(
    monitoring: list[Manifest],
) -> None:
    services = by_kind(monitoring, "Service")
    for monitor in by_kind(monitoring, "ServiceMonitor"):
        wanted = monitor["spec"]["selector"]["matchLabels"]
        matching = [s for s in services if wanted.items() <= s["metadata"]["labels"].items()]
        assert len(matching) == 1, monitor["metadata"]["name"]
        ports = {p["name"] for p in matching[0]["spec"]["ports"]}
        assert monitor["spec"]["endpoints"][0]["port"] in ports


# ---- Argo CD health check ----

HEALTH_LUA = (CHART / "argocd/health.lua").read_text()


def _to_lua(runtime: Any, value: Any) -> Any:
    if isinstance(value, dict):
        return runtime.table_from({k: _to_lua(runtime, v) for k, v in value.items()})
    if isinstance(value, list):
        return runtime.table_from([_to_lua(runtime, v) for v in value])
    return value


def argocd_health(obj: dict[str, Any]) -> tuple[str, str]:
    runtime = lua51.LuaRuntime()
    check = runtime.eval("function(obj)\n" + HEALTH_LUA + "\nend")
    result = check(_to_lua(runtime, obj))
    return result["status"], result["message"]


def _resource(kind: str, generation: int, status: dict[str, Any] | None) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": kind,
        "metadata": {"name": "sample", "namespace": "team-a", "generation": generation},
        "spec": {},
    }
    if status is not None:
        obj["status"] = status
    return obj


def _ready(status: str, reason: str, message: str, observed: int = 3) -> dict[str, Any]:
    return {
        "observedGeneration": observed,
        "conditions": [
            {"type": "Built", "status": "True", "reason": "Built", "message": ""},
            {"type": "Ready", "status": status, "reason": reason, "message": message},
        ],
    }


@pytest.mark.parametrize("kind", ["VoiceAgent", "PhoneNumber", "WorkerPool"])
@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (None, ("Progressing", "Waiting for the Ready condition")),
        ({"observedGeneration": 3}, ("Progressing", "Waiting for the Ready condition")),
        (
            _ready("True", "Ready", "Serving as arkenos-standard"),
            ("Healthy", "Serving as arkenos-standard"),
        ),
        (
            _ready("False", "MissingCredentials", "Secret team-a/keys has no OPENAI_API_KEY"),
            ("Degraded", "Secret team-a/keys has no OPENAI_API_KEY"),
        ),
        (_ready("Unknown", "Reconciling", ""), ("Progressing", "")),
        (
            _ready("True", "Ready", "old news", observed=2),
            ("Progressing", "Waiting for the operator to observe generation 3"),
        ),
    ],
)
def test_argocd_health_reads_ready(
    kind: str, status: dict[str, Any] | None, expected: tuple[str, str]
) -> None:
    assert argocd_health(_resource(kind, 3, status)) == expected


def test_argocd_configmap_snippet_carries_the_tested_lua_for_each_kind() -> None:
    snippet = yaml.safe_load((CHART / "argocd/argocd-cm.yaml").read_text())
    assert set(snippet) == {
        f"resource.customizations.health.arkenos.io_{kind}"
        for kind in ("VoiceAgent", "PhoneNumber", "WorkerPool")
    }
    for lua in snippet.values():
        assert lua == HEALTH_LUA


def test_the_readme_documents_the_tested_lua() -> None:
    assert HEALTH_LUA in (CHART / "README.md").read_text()
