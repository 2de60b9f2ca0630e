"""Measuring a scaled Deployment's pods and steering its scale-down: the live sessions on
each pod (read from its metrics), the pod-deletion-cost that makes the ReplicaSet remove idle
pods first, and the last decision as status carries it."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import aiohttp

from arkenos_operator.kube import PODS, KubeClient
from arkenos_operator.scaling.decisions import Decision, Direction, PodLoad, deletion_costs
from arkenos_operator.scaling.scrape import scrape_active_sessions
from arkenos_operator.settings import OperatorSettings

Body = dict[str, Any]
Measured = list[tuple[Body, PodLoad]]

DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
#: The worker's contract: its Prometheus metrics on this port, named ``metrics``.
METRICS_PORT = 9102


async def measure(
    kube: KubeClient,
    settings: OperatorSettings,
    session: aiohttp.ClientSession,
    namespace: str,
    selector: dict[str, str],
) -> Measured:
    """Sessions on each live pod the selector matches (see :func:`measure_pods`)."""
    return await measure_pods(settings, session, await kube.list(PODS, namespace, selector))


async def measure_pods(
    settings: OperatorSettings, session: aiohttp.ClientSession, found: list[Body]
) -> Measured:
    """Sessions on each live pod of ``found``. Pods still without an IP have none yet;
    terminating pods are draining and neither need nor give capacity."""
    live = [
        p
        for p in found
        if not p["metadata"].get("deletionTimestamp")
        and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
    ]

    async def load(pod: Body) -> tuple[Body, PodLoad]:
        name = pod["metadata"]["name"]
        ip = (pod.get("status") or {}).get("podIP")
        if not ip:
            return pod, PodLoad(name, 0)
        url = settings.worker_metrics_url.format(
            pod_ip=ip, pod_name=name, metrics_port=metrics_port(pod)
        )
        timeout = settings.worker_metrics_timeout_seconds
        return pod, PodLoad(name, await scrape_active_sessions(session, url, timeout))

    return list(await asyncio.gather(*(load(p) for p in live)))


def metrics_port(pod: Body) -> int:
    """The pod's container port named ``metrics`` (the worker's contract says 9102)."""
    for container in (pod.get("spec") or {}).get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name") == "metrics":
                return int(port["containerPort"])
    return METRICS_PORT


async def mark_deletion_costs(
    kube: KubeClient, measured: Measured, sessions_per_replica: int
) -> int:
    """Annotate each pod with its sessions as deletion cost (patching only those that moved);
    returns how many pods were patched."""
    costs = deletion_costs([load for _, load in measured], sessions_per_replica)
    patches = []
    for pod, load in measured:
        cost = str(costs[load.name])
        annotations = pod["metadata"].get("annotations") or {}
        if annotations.get(DELETION_COST) != cost:
            patch = {"metadata": {"annotations": {DELETION_COST: cost}}}
            patches.append(kube.patch(PODS, pod["metadata"]["namespace"], load.name, patch))
    await asyncio.gather(*patches)
    return len(patches)


def after_costs_settle(decision: Decision, costs_patched: int) -> Decision:
    """A scale-down waits one tick when deletion costs just changed: the ReplicaSet controller
    picks the pods to remove from its own cache, which must already hold the new costs, or it
    may remove the busy pods instead of the idle ones (seen on a real control plane)."""
    if decision.direction is not Direction.DOWN or costs_patched == 0:
        return decision
    held = decision.from_replicas
    return Decision(
        held,
        held,
        Direction.HOLD,
        f"Holding {held} for one tick before scaling down to {decision.replicas}: "
        "the pods' deletion costs just changed.",
    )


def last_change(obj: Body) -> datetime | None:
    """When the object's status says its replicas last changed (``status.lastDecision``)."""
    decision = (obj.get("status") or {}).get("lastDecision") or {}
    raw = decision.get("time")
    return datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else None


def decision_status(decision: Decision, now: datetime) -> Body:
    """``status.lastDecision`` of a decision that changed the replicas."""
    return {
        "time": now.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "fromReplicas": decision.from_replicas,
        "toReplicas": decision.replicas,
        "reason": decision.reason,
    }
