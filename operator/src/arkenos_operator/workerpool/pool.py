"""One reconcile of the WorkerPool: count live sessions, decide the replicas, apply the worker
Deployment, mark pods' deletion cost, and report it all in status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp

from arkenos_crds.workerpool import WorkerPoolConditionType as T
from arkenos_crds.workerpool import WorkerPoolSpec
from arkenos_operator.conditions import ConditionSet
from arkenos_operator.context import OperatorContext
from arkenos_operator.kernel.errors import ReconcileError, parse_spec
from arkenos_operator.kernel.reasons import Reason
from arkenos_operator.kube import DEPLOYMENTS, SERVICE_ACCOUNTS, WORKER_POOLS
from arkenos_operator.scaling.decisions import (
    Decision,
    Direction,
    PodLoad,
    ScalePolicy,
    counted_sessions,
    decide,
    desired_replicas,
)
from arkenos_operator.scaling.pods import (
    after_costs_settle,
    decision_status,
    last_change,
    mark_deletion_costs,
    measure,
)
from arkenos_operator.workerpool import builders

Body = dict[str, Any]
RESOURCE = "workerpool"


def first_decision(policy: ScalePolicy) -> Decision:
    replicas = desired_replicas(policy, 0)
    return Decision(
        0, replicas, Direction.UP, f"Created with {replicas} worker(s) for the warm buffer."
    )


@dataclass
class PoolState:
    """The feature's state, made at startup: the scraper's HTTP session, and the pool's spec
    parsed for its (uid, generation): the scaler ticks every few seconds, and validating the
    spec (CEL rules included) cost more than the rest of a tick."""

    session: aiohttp.ClientSession
    parsed: tuple[str, int, WorkerPoolSpec] | None = None

    def spec_of(self, pool: Body) -> WorkerPoolSpec:
        meta = pool["metadata"]
        version = (str(meta.get("uid")), int(meta.get("generation") or 0))
        if self.parsed is None or self.parsed[:2] != version:
            self.parsed = (*version, parse_spec(WorkerPoolSpec, pool))
        return self.parsed[2]


@dataclass(frozen=True)
class PoolReconciler:
    """Sizes the pool: decisions pace themselves on the last decision in status, which the
    runner's fresh read under the lock makes current."""

    ctx: OperatorContext
    state: PoolState
    resource = RESOURCE
    kind = WORKER_POOLS

    @property
    def session(self) -> aiohttp.ClientSession:
        """The scraper's HTTP session."""
        return self.state.session

    async def fetch(self, pool: Body) -> WorkerPoolSpec:
        settings = self.ctx.settings
        meta = pool["metadata"]
        if (meta["namespace"], meta["name"]) != (settings.operator_namespace, settings.pool_name):
            raise ReconcileError(
                Reason.NOT_SERVED,
                f"This operator serves only WorkerPool {settings.operator_namespace}/"
                f"{settings.pool_name}; this one runs no workers.",
            )
        return self.state.spec_of(pool)

    async def reconcile(self, pool: Body, spec: WorkerPoolSpec) -> Body:
        ctx, settings = self.ctx, self.ctx.settings
        namespace, name = pool["metadata"]["namespace"], pool["metadata"]["name"]
        existing = await ctx.kube.get_or_none(DEPLOYMENTS, namespace, builders.WORKER_NAME)
        measured = await measure(
            ctx.kube, settings, self.session, namespace, builders.pool_selector(pool)
        )
        loads = [load for _, load in measured]
        policy = ScalePolicy.of_pool(spec)
        active = counted_sessions(loads, spec.sessions_per_replica)
        now = datetime.now(UTC)
        if existing is None:
            decision = first_decision(policy)
        else:
            # Our last decision, not the Deployment's count: a hand edit of replicas is drift.
            current = (pool.get("status") or {}).get("replicas")
            if current is None:
                current = (existing.get("spec") or {}).get("replicas") or 0
            decision = decide(policy, int(current), active, last_change(pool), now)
        # Costs first: the ReplicaSet must know which pods are idle before it removes any.
        patched = await mark_deletion_costs(ctx.kube, measured, spec.sessions_per_replica)
        decision = after_costs_settle(decision, patched)
        await ctx.kube.apply(SERVICE_ACCOUNTS, builders.build_worker_service_account(pool))
        deployment = await ctx.kube.apply(
            DEPLOYMENTS, builders.build_worker_deployment(pool, spec, settings, decision.replicas)
        )
        ctx.metrics.pool_decisions.labels(name, decision.direction).inc()
        ctx.metrics.pool_replicas.labels(name).set(decision.replicas)
        ctx.metrics.pool_active_sessions.labels(name).set(active)
        return pool_status(pool, spec, decision, deployment, loads, now)

    def failed(self, pool: Body, spec: WorkerPoolSpec | None, error: ReconcileError) -> Body:
        conditions = pool_conditions(pool)
        conditions.mark_false(T.READY, error.reason, error.message)
        return {
            "observedGeneration": pool["metadata"].get("generation"),
            "conditions": conditions.to_wire(),
        }


def pool_conditions(pool: Body) -> ConditionSet:
    status = pool.get("status") or {}
    return ConditionSet(status.get("conditions"), [T.SCALED], pool["metadata"].get("generation"))


def pool_status(
    pool: Body,
    spec: WorkerPoolSpec,
    decision: Decision,
    deployment: Body,
    loads: list[PodLoad],
    now: datetime,
) -> Body:
    meta = pool["metadata"]
    conditions = pool_conditions(pool)
    ready = int((deployment.get("status") or {}).get("readyReplicas") or 0)
    known = sum(load.active or 0 for load in loads)
    unknown = [load.name for load in loads if load.active is None]
    capacity = ready * spec.sessions_per_replica
    needed = counted_sessions(loads, spec.sessions_per_replica) + spec.warm_buffer
    if capacity >= needed:
        conditions.mark_true(T.SCALED, "CapacityCovered", f"Capacity {capacity} covers {needed}.")
    else:
        conditions.mark_false(
            T.SCALED,
            "ScalingUp",
            f"Capacity {capacity} of {ready} ready worker(s) is below {needed} "
            "(active sessions + warm buffer).",
        )
    if unknown:
        conditions.mark_false(
            T.SCALED,
            "MetricsUnavailable",
            f"Metrics of {', '.join(sorted(unknown))} could not be read; counted as full, so the "
            "pool does not shrink on missing data.",
        )
    if ready >= 1:
        conditions.mark_true(T.READY, "WorkersReady", f"{ready} worker(s) ready to take calls.")
    else:
        conditions.mark_false(T.READY, "NoReadyWorkers", "No worker is ready to take calls yet.")
    status: Body = {
        "observedGeneration": meta.get("generation"),
        "conditions": conditions.to_wire(),
        "replicas": decision.replicas,
        "readyReplicas": ready,
        "activeSessions": known,
        "capacity": capacity,
    }
    if decision.changed:
        status["lastDecision"] = decision_status(decision, now)
    return status
