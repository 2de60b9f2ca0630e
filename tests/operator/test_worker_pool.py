"""The worker pool end to end: the worker Deployment, and the scaler driven by sessions read
from fake worker metrics endpoints (ramp up, paced scale-down, missing metrics, deletion cost)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from kopf.testing import KopfRunner

from arkenos_crds.workerpool import WorkerPoolSpec
from arkenos_operator.kube import DEPLOYMENTS, PODS, SERVICE_ACCOUNTS, WORKER_POOLS
from arkenos_operator.scaling.pods import DELETION_COST
from arkenos_operator.settings import OperatorSettings
from arkenos_operator.workerpool.builders import build_worker_deployment
from tests.operator import fake_controllers
from tests.operator.conftest import OPERATOR_NAMESPACE
from tests.operator.fake_workers import WorkerFleet, worker_fleet
from tests.operator.kube_api import KubeApi, condition_of
from tests.substrate.waiting import wait_until

pytestmark = pytest.mark.k8s

POOL = "standard"
WORKERS = "arkenos-worker"


def pool_manifest(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": "WorkerPool",
        "metadata": {"name": POOL, "namespace": OPERATOR_NAMESPACE},
        "spec": spec,
    }


@pytest.fixture
def fleet(api: KubeApi) -> Iterator[WorkerFleet]:
    with worker_fleet(api) as running:
        yield running


def replicas(api: KubeApi) -> int:
    deployment = api.get(DEPLOYMENTS, OPERATOR_NAMESPACE, WORKERS) or {"spec": {}}
    return int(deployment["spec"].get("replicas") or 0)


def wait_replicas(api: KubeApi, wanted: int, within: float = 10) -> None:
    wait_until(lambda: replicas(api) == wanted, within=within, what=f"{wanted} worker replicas")


def pool_status(api: KubeApi) -> dict[str, Any]:
    return (api.get(WORKER_POOLS, OPERATOR_NAMESPACE, POOL) or {}).get("status") or {}


def wait_decision(api: KubeApi, to_replicas: int) -> dict[str, Any]:
    """The pool's last decision once it says ``to_replicas`` (status lands after the scale)."""
    decision: dict[str, Any] = wait_until(
        lambda: (
            (d := pool_status(api).get("lastDecision")) and d["toReplicas"] == to_replicas and d
        ),
        within=5,
        what=f"the decision to {to_replicas} in status",
    )
    return decision


def deletion_cost(api: KubeApi, pod: str) -> str | None:
    return (
        (api.get(PODS, OPERATOR_NAMESPACE, pod) or {})["metadata"].get("annotations") or {}
    ).get(DELETION_COST)


def test_pool_deployment_has_the_worker_contract(
    api: KubeApi, operator: KopfRunner, operator_settings: OperatorSettings
) -> None:
    manifest = pool_manifest(replicas={"min": 2, "max": 6}, drainTimeoutSeconds=1200)
    api.create(WORKER_POOLS, manifest)
    deployment = api.wait_for(DEPLOYMENTS, OPERATOR_NAMESPACE, WORKERS)
    pool = api.get(WORKER_POOLS, OPERATOR_NAMESPACE, POOL)
    assert pool is not None
    expected = build_worker_deployment(
        pool, WorkerPoolSpec.model_validate(manifest["spec"]), operator_settings, 2
    )
    assert {k: v for k, v in deployment.items() if k not in ("metadata", "status")} == {
        k: v for k, v in expected.items() if k != "metadata"
    }
    pod = deployment["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "arkenos-worker"
    assert pod["terminationGracePeriodSeconds"] == 1200
    assert [p["containerPort"] for p in pod["containers"][0]["ports"]] == [8081, 9102]
    assert deployment["metadata"]["ownerReferences"][0]["kind"] == "WorkerPool"
    account = api.wait_for(SERVICE_ACCOUNTS, OPERATOR_NAMESPACE, "arkenos-worker")
    assert account["automountServiceAccountToken"] is False

    status = wait_until(lambda: pool_status(api).get("lastDecision"), within=5, what="a decision")
    assert (status["fromReplicas"], status["toReplicas"]) == (0, 2)
    not_ready = api.wait_for_condition(WORKER_POOLS, OPERATOR_NAMESPACE, POOL, "Ready", "False")
    assert condition_of(not_ready, "Ready")["reason"] == "NoReadyWorkers"


def test_ramp_up_is_immediate_and_costs_follow_sessions(
    api: KubeApi, operator: KopfRunner, fleet: WorkerFleet
) -> None:
    api.create(
        WORKER_POOLS,
        pool_manifest(replicas={"min": 1, "max": 5}, sessionsPerReplica=4, warmBuffer=2),
    )
    deployment = api.wait_for(DEPLOYMENTS, OPERATOR_NAMESPACE, WORKERS)
    first = fleet.start(deployment, "worker-0", active=0)
    fake_controllers.make_available(api, OPERATOR_NAMESPACE, WORKERS)
    api.wait_for_condition(WORKER_POOLS, OPERATOR_NAMESPACE, POOL, "Ready", "True")

    first.set_active(9)  # (9 + 2) / 4 → 3 workers
    wait_replicas(api, 3)
    decision = wait_decision(api, 3)
    assert (decision["fromReplicas"], decision["toReplicas"]) == (1, 3)
    assert decision["reason"] == (
        "Scaled up from 1 to 3: 9 active sessions + warm buffer 2 need 3 worker(s) of 4 "
        "sessions (bounds 1-5)."
    )
    wait_until(lambda: deletion_cost(api, "worker-0") == "9", within=5, what="worker-0's cost")

    fleet.start(deployment, "worker-1", active=0)
    fleet.start(deployment, "worker-2", active=3)
    wait_until(lambda: deletion_cost(api, "worker-1") == "0", within=5, what="idle cost")
    wait_until(lambda: deletion_cost(api, "worker-2") == "3", within=5, what="busy cost")
    # 12 sessions + buffer 2 need 4 workers: the pool grows again at once.
    wait_replicas(api, 4)
    fake_controllers.make_available(api, OPERATOR_NAMESPACE, WORKERS)
    status = wait_until(
        lambda: (s := pool_status(api)).get("readyReplicas") == 4 and s, within=5, what="4 ready"
    )
    assert (status["activeSessions"], status["capacity"]) == (12, 16)
    assert condition_of({"status": status}, "Scaled")["status"] == "True"


def test_scale_down_is_paced_by_step_and_delay(
    api: KubeApi, operator: KopfRunner, fleet: WorkerFleet
) -> None:
    api.create(
        WORKER_POOLS,
        pool_manifest(
            replicas={"min": 1, "max": 5},
            sessionsPerReplica=2,
            warmBuffer=0,
            scaleDown={"delaySeconds": 2, "step": 1},
        ),
    )
    deployment = api.wait_for(DEPLOYMENTS, OPERATOR_NAMESPACE, WORKERS)
    busy = fleet.start(deployment, "worker-0", active=8)
    wait_replicas(api, 4)

    busy.set_active(0)  # desired 1, reached one step per delay: 4 → 3 → 2 → 1
    seen: list[int] = []

    def record() -> bool:
        current = replicas(api)
        if not seen or seen[-1] != current:
            seen.append(current)
        return current == 1

    wait_until(record, within=15, interval=0.05, what="the pool to shrink to 1")
    assert seen == [4, 3, 2, 1]
    last = wait_decision(api, 1)
    assert (last["fromReplicas"], last["toReplicas"]) == (2, 1)
    assert last["reason"].startswith("Scaled down from 2 to 1 (step 1): 0 active sessions")


def test_unreadable_workers_count_as_busy(
    api: KubeApi, operator: KopfRunner, fleet: WorkerFleet
) -> None:
    api.create(
        WORKER_POOLS,
        pool_manifest(
            replicas={"min": 1, "max": 6},
            sessionsPerReplica=2,
            warmBuffer=0,
            scaleDown={"delaySeconds": 0, "step": 3},
        ),
    )
    deployment = api.wait_for(DEPLOYMENTS, OPERATOR_NAMESPACE, WORKERS)
    fleet.start(deployment, "worker-0", active=6)
    wait_replicas(api, 3)
    fleet.start(deployment, "worker-1", active=0)
    broken = fleet.start(deployment, "worker-2", active=0)
    fleet.workers["worker-0"].set_active(0)
    fleet.stop("worker-0")  # unreachable: counted as full (2)
    broken.mode = "garbage"  # unparseable: counted as full (2)

    pool = api.wait_for_condition(
        WORKER_POOLS, OPERATOR_NAMESPACE, POOL, "Scaled", "False", reason="MetricsUnavailable"
    )
    assert condition_of(pool, "Scaled")["message"].startswith(
        "Metrics of worker-0, worker-2 could not be read; counted as full"
    )
    # 2 + 0 + 2 sessions assumed: 2 workers at least, never 1, whatever the delay allows.
    wait_replicas(api, 2)
    wait_until(lambda: deletion_cost(api, "worker-0") == "2", within=5, what="unknown is costly")
    assert deletion_cost(api, "worker-1") == "0"
    api.stays(lambda: replicas(api) == 2, seconds=1.5)

    broken.mode = "ok"
    fleet.workers["worker-2"].set_active(0)
    api.delete(PODS, OPERATOR_NAMESPACE, "worker-0")  # the hung worker is gone
    wait_replicas(api, 1)
    status = pool_status(api)
    assert datetime.fromisoformat(status["lastDecision"]["time"].replace("Z", "+00:00"))
