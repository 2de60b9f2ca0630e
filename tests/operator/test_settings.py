"""Operator settings: read from ARKENOS_* variables, JSON for structured values, fail fast."""

import pytest

from arkenos_operator.settings import OperatorSettings, ResourceDefaults, SettingsError

REQUIRED = {
    "ARKENOS_OPERATOR_NAMESPACE": "arkenos-system",
    "ARKENOS_API_URL": "http://arkenos-api.arkenos-system:8000",
    "ARKENOS_LIVEKIT_URL": "wss://livekit.example.com",
    "ARKENOS_WORKER_IMAGE": "ghcr.io/arkenos/worker@sha256:" + "a" * 64,
    "ARKENOS_AGENT_RUNTIME_IMAGE": "ghcr.io/arkenos/agent-runtime@sha256:" + "b" * 64,
}


def test_required_values_and_defaults() -> None:
    settings = OperatorSettings.from_env(REQUIRED)
    assert settings.operator_namespace == "arkenos-system"
    assert settings.watch_namespaces == []
    assert settings.pool_name == "standard"
    assert settings.worker_metrics_url == "http://{pod_ip}:{metrics_port}/metrics"
    assert settings.backoff_max_seconds == 30.0
    assert settings.default_resources == ResourceDefaults()
    assert settings.api_pods_namespace == "arkenos-system"


def test_structured_values_are_json() -> None:
    settings = OperatorSettings.from_env(
        {
            **REQUIRED,
            "ARKENOS_WATCH_NAMESPACES": '["team-a", "team-b"]',
            "ARKENOS_LIVEKIT_CIDRS": '["10.1.0.0/16"]',
            "ARKENOS_DEFAULT_RESOURCES": '{"cpu_request": "100m"}',
            "ARKENOS_STANDALONE": "true",
            "ARKENOS_RESYNC_SECONDS": "5",
        }
    )
    assert settings.watch_namespaces == ["team-a", "team-b"]
    assert settings.livekit_cidrs == ["10.1.0.0/16"]
    assert settings.default_resources.cpu_request == "100m"
    assert settings.standalone is True
    assert settings.resync_seconds == 5.0


def test_every_problem_is_named_at_once() -> None:
    environ = {k: v for k, v in REQUIRED.items() if k != "ARKENOS_WORKER_IMAGE"}
    environ |= {"ARKENOS_WATCH_NAMESPACES": "team-a", "ARKENOS_LOG_FORMAT": "xml"}
    with pytest.raises(SettingsError) as raised:
        OperatorSettings.from_env(environ)
    message = str(raised.value)
    assert "ARKENOS_WORKER_IMAGE: Field required" in message
    assert "ARKENOS_WATCH_NAMESPACES: not valid JSON" in message
    assert "ARKENOS_LOG_FORMAT" in message


def test_replicas_get_distinct_peering_priorities() -> None:
    # kopf pauses every replica when two share a priority, so ties must not be the default.
    priorities = {OperatorSettings.from_env(REQUIRED).priority for _ in range(20)}
    assert len(priorities) > 1
    pinned = OperatorSettings.from_env({**REQUIRED, "ARKENOS_PRIORITY": "7"})
    assert pinned.priority == 7
