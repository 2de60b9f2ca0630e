"""The workers are told what the operator plans with: how long they may drain (the pod's
grace period minus a margin, so a long call ends and is reported before SIGKILL) and how many
calls one worker takes (the pool's sessionsPerReplica; custom pods the operator's setting).
The names are the agent-runtime's own settings, read here by the runtime's settings loader."""

from __future__ import annotations

from typing import Any

import pytest

from arkenos_agent_runtime.settings import Settings, load_settings
from arkenos_crds.voiceagent import VoiceAgentSpec
from arkenos_crds.workerpool import WorkerPoolSpec
from arkenos_operator.pods import drain_seconds
from arkenos_operator.voiceagent.builders import build_agent_deployment
from arkenos_operator.workerpool.builders import build_worker_deployment
from tests.operator.conftest import OPERATOR_NAMESPACE, WORKSPACE, make_settings

SETTINGS = make_settings(custom_sessions_per_replica="4")


def plain_env(deployment: dict[str, Any]) -> dict[str, str]:
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    return {e["name"]: e["value"] for e in container["env"] if "value" in e}


def owner(namespace: str, name: str, kind: str) -> dict[str, Any]:
    return {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": kind,
        "metadata": {"namespace": namespace, "name": name, "uid": "u-1", "generation": 1},
    }


@pytest.mark.parametrize(("grace", "drain"), [(600, 585), (7200, 7185), (10, 8), (60, 48)])
def test_the_drain_leaves_a_margin_of_the_grace_period(grace: int, drain: int) -> None:
    assert drain_seconds(grace) == drain


def test_pool_workers_drain_within_their_grace_period_and_take_the_planned_calls() -> None:
    spec = WorkerPoolSpec.model_validate({"sessionsPerReplica": 7, "drainTimeoutSeconds": 900})
    deployment = build_worker_deployment(
        owner(OPERATOR_NAMESPACE, "standard", "WorkerPool"), spec, SETTINGS, 2
    )
    env = plain_env(deployment)

    assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] == 900
    assert env["ARKENOS_DRAIN_TIMEOUT_SECONDS"] == "885"
    assert env["ARKENOS_MAX_SESSIONS"] == "7"
    worker = load_settings(Settings, env)
    assert (worker.drain_timeout_s, worker.max_sessions) == (885, 7)


def test_custom_agent_pods_get_the_same_wiring() -> None:
    spec = VoiceAgentSpec.model_validate(
        {
            "mode": "Custom",
            "custom": {
                "source": {"image": "ghcr.io/acme/agent@sha256:" + "d" * 64},
                "drainTimeoutSeconds": 1200,
            },
        }
    )
    agent = owner(WORKSPACE, "orders", "VoiceAgent")
    env = plain_env(build_agent_deployment(agent, spec, SETTINGS, None, replicas=1))

    runner = load_settings(Settings, env)
    assert (runner.drain_timeout_s, runner.max_sessions) == (1185, 4)
