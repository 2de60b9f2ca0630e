"""Fake standard workers: real HTTP servers exposing the worker's Prometheus metrics.

Each fake worker serves ``/metrics`` with the ``arkenos_worker_active_sessions`` gauge, like
the agent-runtime worker does on port 9102, on its own loopback port; a test sets its session
count, makes it answer 500 or garbage, or stops it (unreachable).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry, Gauge, generate_latest

from tests.doubles.server import ServedApp, serve_aiohttp
from tests.operator import fake_controllers
from tests.operator.kube_api import KubeApi

Body = dict[str, Any]


@dataclass
class FakeWorker:
    name: str
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    mode: str = "ok"  # ok | error | garbage
    served: ServedApp | None = None

    def __post_init__(self) -> None:
        self.gauge = Gauge(
            "arkenos_worker_active_sessions", "Sessions in progress.", registry=self.registry
        )

    def set_active(self, sessions: int) -> None:
        self.gauge.set(sessions)

    def app(self) -> web.Application:
        async def metrics(_: web.Request) -> web.Response:
            if self.mode == "error":
                return web.Response(status=500, text="internal error")
            if self.mode == "garbage":
                return web.Response(text="<html>not metrics</html>")
            return web.Response(body=generate_latest(self.registry), content_type="text/plain")

        app = web.Application()
        app.router.add_get("/metrics", metrics)
        return app


class WorkerFleet:
    """Fake worker pods of the pool's Deployment, each backed by a running fake worker."""

    def __init__(self, api: KubeApi, stack: contextlib.ExitStack) -> None:
        self.api = api
        self.stack = stack
        self.workers: dict[str, FakeWorker] = {}
        self._stacks: dict[str, contextlib.ExitStack] = {}

    def start(self, deployment: Body, name: str, active: int = 0) -> FakeWorker:
        """Run a fake worker and create its pod, whose metrics port is the worker's port."""
        worker = FakeWorker(name)
        worker.set_active(active)
        own = contextlib.ExitStack()
        worker.served = own.enter_context(serve_aiohttp(worker.app()))
        self.stack.callback(own.close)
        self._stacks[name] = own
        pod_deployment = _with_metrics_port(deployment, worker.served.port)
        fake_controllers.run_pod(self.api, pod_deployment, name, worker.served.host)
        self.workers[name] = worker
        return worker

    def stop(self, name: str) -> None:
        """The worker stops answering (its pod stays: a hung or partitioned worker)."""
        self._stacks.pop(name).close()


def _with_metrics_port(deployment: Body, port: int) -> Body:
    template = deployment["spec"]["template"]
    containers = [
        {
            **c,
            "ports": [
                {**p, "containerPort": port} if p.get("name") == "metrics" else p
                for p in c.get("ports") or []
            ],
        }
        for c in template["spec"]["containers"]
    ]
    spec = {**template["spec"], "containers": containers}
    return {**deployment, "spec": {**deployment["spec"], "template": {**template, "spec": spec}}}


@contextlib.contextmanager
def worker_fleet(api: KubeApi) -> Iterator[WorkerFleet]:
    with contextlib.ExitStack() as stack:
        yield WorkerFleet(api, stack)
