"""The worker's own HTTP endpoints: liveness and drain-aware readiness on the health port,
Prometheus metrics on the metrics port. livekit-agents' health server is not drain-aware, so
the worker serves these itself and moves livekit's to an ephemeral port."""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from arkenos_agent_runtime.health.metrics import WorkerMetrics


class WorkerState:
    """What readiness depends on, updated by the worker loop."""

    def __init__(self) -> None:
        self.registered = False
        self.draining = False

    def ready(self) -> tuple[bool, str]:
        if self.draining:
            return False, "draining"
        if not self.registered:
            return False, "not registered with LiveKit yet"
        return True, "ready"


def health_app(state: WorkerState) -> web.Application:
    async def liveness(_: web.Request) -> web.Response:
        # Alive while draining too: restarting a draining worker would cut its calls.
        return web.Response(text="ok")

    async def readiness(_: web.Request) -> web.Response:
        ready, why = state.ready()
        return web.Response(status=200 if ready else 503, text=why)

    app = web.Application()
    app.router.add_get("/", liveness)
    app.router.add_get("/ready", readiness)
    return app


def metrics_app(metrics: WorkerMetrics) -> web.Application:
    async def scrape(_: web.Request) -> web.Response:
        body = generate_latest(metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/metrics", scrape)
    return app


async def start_site(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
