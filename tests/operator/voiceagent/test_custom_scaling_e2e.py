"""Custom agents scaled on live sessions end to end (KopfRunner on the emulator, the agent's
pods backed by fake workers exposing the runner's metrics): sessions rising take replicas to
max, idle steps back to min; with min 0 the agent sits at zero pods and is Ready, the API's
wake mark starts one pod, and idle takes it back to zero; while a new revision builds, the
serving one still scales. The scaling comes from the feature's sweep, not from kopf timers:
the agent carries no finalizer, and a deleted one leaves the sweep."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from arkenos_crds.runtime import WAKE_ANNOTATION
from arkenos_devstack.process import free_port
from arkenos_operator.kube import DEPLOYMENTS, JOBS, PODS, VOICE_AGENTS
from arkenos_operator.scaling.pods import DELETION_COST
from arkenos_operator.voiceagent import names
from tests.operator import fake_controllers
from tests.operator.conftest import WORKSPACE, RunOperator, make_settings
from tests.operator.custom_agents import (
    BUNDLE_1,
    BUNDLE_2,
    IMAGE,
    custom_agent,
    job_name,
    serve_first_build,
)
from tests.operator.fake_workers import WorkerFleet, worker_fleet
from tests.operator.kube_api import KubeApi, condition_of
from tests.operator.operator_metrics import state_entries
from tests.substrate.waiting import wait_until

pytestmark = [pytest.mark.k8s, pytest.mark.usefixtures("platform_secrets")]

AGENT = "survey"
DEPLOYMENT = names.deployment_name(AGENT)
#: Two calls per pod, a one-second scale-down pace and a five-second wake window (it must
#: outlast the operator's reaction on a loaded machine, as the real 120 s outlasts a cold
#: start), so a test sees whole cycles in seconds.
WAKE_SECONDS = 5
SETTINGS = {
    "custom_sessions_per_replica": "2",
    "custom_scale_down_delay_seconds": "1",
    "custom_wake_seconds": str(WAKE_SECONDS),
}
#: The first reconcile waits for the operator's start, slow on a busy machine.
FIRST = 30


@pytest.fixture
def fleet(api: KubeApi) -> Iterator[WorkerFleet]:
    with worker_fleet(api) as running:
        yield running


def replicas(api: KubeApi) -> int | None:
    deployment = api.get(DEPLOYMENTS, WORKSPACE, DEPLOYMENT)
    return None if deployment is None else int(deployment["spec"].get("replicas") or 0)


def wait_replicas(api: KubeApi, wanted: int, within: float = 10) -> None:
    wait_until(lambda: replicas(api) == wanted, within=within, what=f"{wanted} agent replicas")


def status(api: KubeApi) -> dict[str, Any]:
    return (api.get(VOICE_AGENTS, WORKSPACE, AGENT) or {}).get("status") or {}


def wait_decision(api: KubeApi, to_replicas: int) -> dict[str, Any]:
    """The agent's last decision once it says ``to_replicas`` (status lands after the scale)."""
    decision: dict[str, Any] = wait_until(
        lambda: (d := status(api).get("lastDecision")) and d["toReplicas"] == to_replicas and d,
        within=10,
        what=f"the decision to {to_replicas} in status",
    )
    return decision


def cost(api: KubeApi, pod: str) -> str | None:
    found = api.get(PODS, WORKSPACE, pod) or {"metadata": {}}
    return (found["metadata"].get("annotations") or {}).get(DELETION_COST)


def controllers_settle(api: KubeApi, fleet: WorkerFleet, keep: int) -> None:
    """What the ReplicaSet controller and kubelet would do after a scale-down to ``keep``."""
    for name in sorted(fleet.workers)[keep:]:
        fleet.stop(name)
        fleet.workers.pop(name)
        api.delete(PODS, WORKSPACE, name)
    fake_controllers.make_available(api, WORKSPACE, DEPLOYMENT)


def wake(api: KubeApi) -> None:
    """What the API does when it starts a call to an agent with no ready pod."""
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    api.patch(VOICE_AGENTS, WORKSPACE, AGENT, {"metadata": {"annotations": {WAKE_ANNOTATION: now}}})


def test_sessions_take_replicas_to_max_and_idle_back_to_min(
    api: KubeApi, run_operator: RunOperator, fleet: WorkerFleet
) -> None:
    with run_operator(settings=make_settings(**SETTINGS)):
        api.create(
            VOICE_AGENTS, custom_agent(AGENT, {"image": IMAGE}, replicas={"min": 1, "max": 3})
        )
        deployment = api.wait_for(DEPLOYMENTS, WORKSPACE, DEPLOYMENT, within=FIRST)
        assert deployment["spec"]["replicas"] == 1
        first = fleet.start(deployment, "survey-0", active=0)
        fake_controllers.make_available(api, WORKSPACE, DEPLOYMENT)
        api.wait_for_condition(VOICE_AGENTS, WORKSPACE, AGENT, "Ready", "True", "Ready")

        first.set_active(3)  # 3 calls of 2 per pod: 2 pods
        wait_replicas(api, 2)
        wait_until(lambda: cost(api, "survey-0") == "3", within=10, what="survey-0's cost")
        fleet.start(deployment, "survey-1", active=2)
        fleet.start(deployment, "survey-2", active=0)
        first.set_active(7)  # 9 calls need 5 pods: capped at max 3
        wait_replicas(api, 3)
        decision = wait_decision(api, 3)
        assert decision["reason"] == (
            "Scaled up from 2 to 3: 9 active sessions + warm buffer 0 need 3 worker(s) of 2 "
            "sessions (bounds 1-3)."
        )
        wait_until(lambda: status(api).get("activeSessions") == 9, within=10, what="9 sessions")
        # The idle pod is the one the ReplicaSet removes first.
        wait_until(lambda: cost(api, "survey-2") == "0", within=10, what="the idle pod's cost")

        for worker in fleet.workers.values():
            worker.set_active(0)
        wait_replicas(api, 2)  # one step per delay, not at once
        controllers_settle(api, fleet, keep=2)
        wait_replicas(api, 1)
        controllers_settle(api, fleet, keep=1)
        api.stays(lambda: replicas(api) == 1, seconds=2.5)  # min holds
        ready = api.wait_for_condition(VOICE_AGENTS, WORKSPACE, AGENT, "Ready", "True", "Ready")
        assert ready["status"]["replicas"] == 1


def test_min_zero_sleeps_wakes_on_a_call_and_sleeps_again(
    api: KubeApi, run_operator: RunOperator, fleet: WorkerFleet
) -> None:
    with run_operator(settings=make_settings(**SETTINGS)):
        api.create(
            VOICE_AGENTS, custom_agent(AGENT, {"image": IMAGE}, replicas={"min": 0, "max": 2})
        )
        deployment = api.wait_for(DEPLOYMENTS, WORKSPACE, DEPLOYMENT, within=FIRST)
        assert deployment["spec"]["replicas"] == 0
        asleep = api.wait_for_condition(
            VOICE_AGENTS, WORKSPACE, AGENT, "Ready", "True", "ScaledToZero"
        )
        assert condition_of(asleep, "Ready")["message"] == (
            "Scaled to zero; the next call starts a pod and waits for it (a cold start)."
        )
        assert condition_of(asleep, "Available")["reason"] == "ScaledToZero"
        assert asleep["status"]["replicas"] == 0
        api.stays(lambda: replicas(api) == 0, seconds=1.5)

        wake(api)
        wait_replicas(api, 1, within=WAKE_SECONDS)
        starting = api.wait_for_condition(
            VOICE_AGENTS, WORKSPACE, AGENT, "Ready", "True", "ColdStart"
        )
        assert (
            "waiting calls are served when the first pod registers"
            in (condition_of(starting, "Ready")["message"])
        )
        worker = fleet.start(deployment, "survey-0", active=1)  # the waiting call lands
        fake_controllers.make_available(api, WORKSPACE, DEPLOYMENT)
        api.wait_for_condition(VOICE_AGENTS, WORKSPACE, AGENT, "Ready", "True", "Ready")
        # The call outlives the wake window: its session holds the pod.
        api.stays(lambda: replicas(api) == 1, seconds=WAKE_SECONDS + 1)

        worker.set_active(0)  # the call ended
        wait_replicas(api, 0, within=15)
        decision = wait_decision(api, 0)
        assert decision["fromReplicas"] == 1
        assert decision["reason"].startswith("Scaled down from 1 to 0 (step 1): 0 active")
        controllers_settle(api, fleet, keep=0)
        api.wait_for_condition(VOICE_AGENTS, WORKSPACE, AGENT, "Ready", "True", "ScaledToZero")


def test_the_serving_revision_keeps_scaling_while_a_new_build_runs(
    api: KubeApi, run_operator: RunOperator, fleet: WorkerFleet
) -> None:
    with run_operator(settings=make_settings(**SETTINGS)):
        serve_first_build(api, AGENT)
        deployment = api.wait_for(DEPLOYMENTS, WORKSPACE, DEPLOYMENT)
        busy = fleet.start(deployment, "survey-0", active=0)
        patch = {"spec": {"custom": {"source": {"bundle": {"digest": BUNDLE_2}}}}}
        api.patch(VOICE_AGENTS, WORKSPACE, AGENT, patch)
        api.wait_for(JOBS, WORKSPACE, job_name(AGENT, BUNDLE_2))

        busy.set_active(5)  # 5 calls of 2 per pod: 3 pods
        wait_replicas(api, 3)
        scaled = api.get(DEPLOYMENTS, WORKSPACE, DEPLOYMENT)
        assert scaled is not None
        # Only the count moved: the pods still run the revision that was built.
        annotations = scaled["spec"]["template"]["metadata"]["annotations"]
        assert annotations[names.ANNOTATION_REVISION] == BUNDLE_1
        assert condition_of(api.get(VOICE_AGENTS, WORKSPACE, AGENT), "Built")["reason"] == (
            "Building"
        )


def test_the_sweep_scales_an_agent_without_a_timer_and_lets_a_deleted_one_go(
    api: KubeApi, run_operator: RunOperator, fleet: WorkerFleet
) -> None:
    port = free_port()
    metrics = f"http://127.0.0.1:{port}/metrics"
    with run_operator(settings=make_settings(**SETTINGS, metrics_port=str(port))):
        api.create(
            VOICE_AGENTS, custom_agent(AGENT, {"image": IMAGE}, replicas={"min": 1, "max": 3})
        )
        deployment = api.wait_for(DEPLOYMENTS, WORKSPACE, DEPLOYMENT, within=FIRST)
        worker = fleet.start(deployment, "survey-0", active=0)
        fake_controllers.make_available(api, WORKSPACE, DEPLOYMENT)
        ready = api.wait_for_condition(VOICE_AGENTS, WORKSPACE, AGENT, "Ready", "True", "Ready")
        # kopf gives every object with a timer or daemon a finalizer: this agent has neither.
        assert "finalizers" not in ready["metadata"]
        wait_until(lambda: state_entries(metrics).get("sweep") == 1, within=10, what="swept")

        worker.set_active(3)  # no watch event: only a periodic look at the pod sees this
        wait_replicas(api, 2)

        api.delete(VOICE_AGENTS, WORKSPACE, AGENT)
        assert api.get(VOICE_AGENTS, WORKSPACE, AGENT) is None  # nothing holds it back
        wait_until(
            lambda: state_entries(metrics).get("sweep") == 0, within=10, what="out of the sweep"
        )
        worker.set_active(7)  # would be 3 pods if anything still looked at it
        api.stays(lambda: replicas(api) == 2, seconds=2)
