"""The pool shrinks through the real Deployment and ReplicaSet controllers: the operator marks
each worker pod's controller.kubernetes.io/pod-deletion-cost with its live sessions, and the
ReplicaSet controller, honouring it, removes the idle workers and keeps the busy ones."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

from arkenos_devstack.controlplane import ControlPlane
from tests.doubles.server import ServedApp, serve_aiohttp
from tests.realk8s.support import (
    OPERATOR_NAMESPACE,
    apply,
    condition,
    delete_pool,
    get,
    items,
    operator_process,
)
from tests.substrate.waiting import wait_until

pytestmark = [
    pytest.mark.realk8s,
    pytest.mark.slow,
]
POOL = "standard"
WORKERS = "--selector=app.kubernetes.io/name=arkenos-worker"
DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"


class WorkerMetrics:
    """What each worker pod reports as ``arkenos_worker_active_sessions``, served on loopback
    by pod name (kwok's pods have no processes behind their IPs)."""

    def __init__(self) -> None:
        self.sessions: dict[str, int] = {}
        self.default = 0

    def app(self) -> web.Application:
        async def metrics(request: web.Request) -> web.Response:
            active = self.sessions.get(request.match_info["pod"], self.default)
            body = (
                "# TYPE arkenos_worker_active_sessions gauge\n"
                f"arkenos_worker_active_sessions {active}\n"
            )
            return web.Response(text=body, content_type="text/plain")

        app = web.Application()
        app.router.add_get("/pods/{pod}/metrics", metrics)
        return app


@pytest.fixture(scope="module")
def served_metrics() -> Iterator[tuple[WorkerMetrics, ServedApp]]:
    state = WorkerMetrics()
    with serve_aiohttp(state.app()) as served:
        yield state, served


def _live_workers(plane: ControlPlane) -> list[dict[str, Any]]:
    return [
        pod
        for pod in items(plane, "pods", OPERATOR_NAMESPACE, WORKERS)
        if not pod["metadata"].get("deletionTimestamp")
    ]


def test_scale_down_removes_the_idle_workers_first(
    operator_rbac: ControlPlane,
    served_metrics: tuple[WorkerMetrics, ServedApp],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    plane = operator_rbac
    metrics, served = served_metrics
    # Every worker over its capacity (3 calls for 2 slots): the pool grows to its maximum.
    metrics.default = 3
    pool = {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": "WorkerPool",
        "metadata": {"name": POOL, "namespace": OPERATOR_NAMESPACE},
        "spec": {
            "replicas": {"min": 1, "max": 4},
            "sessionsPerReplica": 2,
            "warmBuffer": 0,
            "scaleDown": {"delaySeconds": 0, "step": 2},
        },
    }
    env = {"ARKENOS_WORKER_METRICS_URL": f"{served.url}/pods/{{pod_name}}/metrics"}
    with operator_process(plane, tmp_path_factory.mktemp("pool-operator"), env):
        apply(plane, pool)
        four = wait_until(
            lambda: (
                pods
                if len(pods := _live_workers(plane)) == 4
                and all(condition(p, "Ready").get("status") == "True" for p in pods)
                else None
            ),
            within=90,
            interval=0.5,
            what="four ready workers",
        )
        names = sorted(str(pod["metadata"]["name"]) for pod in four)
        busy, idle = names[:2], names[2:]
        # Two calls end on two workers: 4 sessions need 2 workers, the idle two can go.
        metrics.sessions = {name: 2 for name in busy} | {name: 0 for name in idle}
        metrics.default = 0

        try:
            remaining = wait_until(
                lambda: (
                    kept
                    if len(kept := sorted(str(p["metadata"]["name"]) for p in _live_workers(plane)))
                    == 2
                    else None
                ),
                within=90,
                interval=0.5,
                what="the pool to shrink to two workers",
            )
        except TimeoutError as error:
            status = (get(plane, "workerpool", OPERATOR_NAMESPACE, POOL) or {}).get("status")
            raise TimeoutError(f"{error} The pool's status: {status}") from None

        assert remaining == busy
        costs = {
            str(p["metadata"]["name"]): p["metadata"].get("annotations", {}).get(DELETION_COST)
            for p in _live_workers(plane)
        }
        assert set(costs) == set(busy)
        assert all(int(cost) > 0 for cost in costs.values())
        delete_pool(plane, POOL)
