"""kopf handlers of the WorkerPool feature: reconcile the pool on create, update and resume,
on the scaler's timer, and when the worker Deployment's status changes."""

from __future__ import annotations

from typing import Any

import aiohttp
import kopf

from arkenos_operator.context import context_of
from arkenos_operator.kernel.persistence import register_forgetting
from arkenos_operator.kube import WORKER_POOLS
from arkenos_operator.settings import OperatorSettings
from arkenos_operator.workerpool import builders
from arkenos_operator.workerpool.pool import PoolReconciler, PoolState

WORKERS = {"app.kubernetes.io/name": builders.WORKER_NAME}
#: The feature's state in kopf's memo (:class:`PoolState`), made at startup.
MEMO_KEY = "workerpool"


def reconciler(memo: Any) -> PoolReconciler:
    state = memo.get(MEMO_KEY)
    if not isinstance(state, PoolState):
        raise RuntimeError("The WorkerPool state is missing: startup did not run.")
    return PoolReconciler(context_of(memo), state)


def register(registry: kopf.OperatorRegistry, settings: OperatorSettings) -> None:
    resource = (WORKER_POOLS.group, WORKER_POOLS.version, WORKER_POOLS.plural)

    @kopf.on.startup(id="workerpool-start", registry=registry)
    async def start(memo: kopf.Memo, **_: Any) -> None:
        memo[MEMO_KEY] = PoolState(aiohttp.ClientSession())

    register_forgetting(registry, resource, lambda memo: context_of(memo).handled)

    @kopf.on.resume(*resource, id="reconcile", registry=registry)
    @kopf.on.create(*resource, id="reconcile", registry=registry)
    @kopf.on.update(*resource, id="reconcile", registry=registry)
    async def pool_changed(
        namespace: str | None, name: str, retry: int, memo: Any, **_: Any
    ) -> None:
        await context_of(memo).runner.handle(reconciler(memo), str(namespace), name, retry)

    @kopf.timer(
        *resource, interval=settings.pool_scale_interval_seconds, id="scale", registry=registry
    )
    async def scale(namespace: str | None, name: str, memo: Any, **_: Any) -> None:
        await context_of(memo).runner.run(reconciler(memo), str(namespace), name)

    @kopf.on.event(
        "apps", "v1", "deployments", labels=WORKERS, id="workers-changed", registry=registry
    )
    async def workers_changed(
        type: str,
        body: kopf.Body,
        namespace: str | None,
        labels: kopf.Labels,
        memo: Any,
        **_: Any,
    ) -> None:
        pool_name = labels.get("app.kubernetes.io/instance")
        if type not in ("ADDED", "MODIFIED") or not body.get("status") or not pool_name:
            return
        await context_of(memo).runner.run(reconciler(memo), str(namespace), pool_name)

    @kopf.on.cleanup(id="close-scraper", registry=registry)
    async def close_http(memo: Any, **_: Any) -> None:
        await reconciler(memo).session.close()
