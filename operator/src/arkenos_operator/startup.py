"""Startup and shutdown: kopf's settings, the API client, the metrics and readiness server.

kopf's own liveness endpoint (``/healthz`` on the probe port) answers the liveness probe; the
metrics port also serves ``/readyz``, which turns 200 once startup has finished.
"""

from __future__ import annotations

import logging
from typing import Any

import kopf
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from arkenos_operator.children import MANAGED_BY
from arkenos_operator.context import MEMO_KEY, OperatorContext, context_of
from arkenos_operator.kernel.persistence import MemoryDiffBaseStorage, ProgressStorage
from arkenos_operator.kube import KubeClient
from arkenos_operator.metrics import OperatorMetrics
from arkenos_operator.settings import OperatorSettings

FINALIZER = "arkenos.io/operator"
MANAGED_SELECTOR = f"app.kubernetes.io/managed-by={MANAGED_BY}"
OWNED_WATCHES = (("", "v1", "pods"), ("batch", "v1", "jobs"), ("apps", "v1", "deployments"))
PROGRESS_PREFIX = "operator.arkenos.io"


def configure_kopf(
    kopf_settings: kopf.OperatorSettings, settings: OperatorSettings
) -> MemoryDiffBaseStorage:
    """Bounded retries, quiet event posting, our finalizer and annotation names; returns where
    kopf keeps the objects' last handled state."""
    kopf_settings.execution.default_backoff = settings.backoff_max_seconds
    kopf_settings.networking.error_backoffs = [0.5, 1, 2, 4, 8, 16]
    kopf_settings.queueing.error_delays = [1, 2, 4, 8, 16, 30]
    # Every INFO line of an object logger would become a Kubernetes Event: thousands of POSTs
    # for thousands of agents. Conditions carry the state; Events only for warnings.
    kopf_settings.posting.level = logging.WARNING
    kopf_settings.persistence.finalizer = FINALIZER
    kopf_settings.persistence.progress_storage = ProgressStorage(prefix=PROGRESS_PREFIX)
    # Each object's last handled state in memory, not in an annotation, and no marker patch of
    # a new object: each cost a patch and one more watch event (see kernel.persistence).
    handled = MemoryDiffBaseStorage(prefix=PROGRESS_PREFIX)
    kopf_settings.persistence.diffbase_storage = handled
    kopf_settings.peering.mandatory = not settings.standalone
    # A deleted object keeps its finalizer until its timers stop; a timer caught mid-reconcile
    # (the pool's scaler, a PhoneNumber's resync) is re-checked after this many seconds, not
    # kopf's default 60: a reconcile takes milliseconds.
    kopf_settings.background.cancellation_polling = 1.0
    # Watch only the Pods, Jobs and Deployments the operator made (filtered by the API server),
    # not every one in the cluster: less memory, fewer events to wade through.
    for group, version, plural in OWNED_WATCHES:
        kopf_settings.watching.label_selectors[group, version, plural] = MANAGED_SELECTOR
    return handled


def metrics_app(metrics: OperatorMetrics) -> web.Application:
    async def serve_metrics(_: web.Request) -> web.Response:
        body = generate_latest(metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def ready(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/metrics", serve_metrics)
    app.router.add_get("/readyz", ready)
    return app


def register_core(registry: kopf.OperatorRegistry, operator_settings: OperatorSettings) -> None:
    """Register the startup and cleanup handlers every operator process runs."""

    @kopf.on.startup(id="start", registry=registry)
    async def start(settings: kopf.OperatorSettings, memo: kopf.Memo, **_: Any) -> None:
        handled = configure_kopf(settings, operator_settings)
        kube = await KubeClient.connect()
        context = OperatorContext.create(operator_settings, kube, handled)
        runner = web.AppRunner(metrics_app(context.metrics), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "0.0.0.0", operator_settings.metrics_port)  # noqa: S104
        await site.start()
        context.http_server = runner
        memo[MEMO_KEY] = context

    @kopf.on.cleanup(id="stop", registry=registry)
    async def stop(memo: kopf.Memo, **_: Any) -> None:
        context = context_of(memo)
        if context.http_server is not None:
            await context.http_server.cleanup()
        await context.kube.close()
