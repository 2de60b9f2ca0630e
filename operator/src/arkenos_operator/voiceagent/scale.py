"""Sizing a custom agent on its live sessions, with the pool's scaling decision.

Sessions are read from the agent's pods as the pool reads its workers (the runner exports the
same ``arkenos_worker_active_sessions`` gauge on its metrics port). An agent with ``min: 0``
and no pod has nobody registered under its dispatch name: the API marks the agent
(``WAKE_ANNOTATION``) when a call to it starts (and dispatches the call again once a pod is
ready, since LiveKit drops a dispatch no worker could take). While that mark is recent it
counts as one call waiting for a pod, so the agent scales to at least one; once the call is on
the pod, the pod's own sessions hold it, and idle agents step back to ``min`` at the
scale-down pace.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from arkenos_crds.custom import CustomSpec
from arkenos_crds.runtime import WAKE_ANNOTATION
from arkenos_operator.kube import KubeClient
from arkenos_operator.scaling.decisions import (
    Decision,
    Direction,
    ScalePolicy,
    counted_sessions,
    decide,
    deletion_costs,
)
from arkenos_operator.scaling.pods import (
    DELETION_COST,
    Measured,
    after_costs_settle,
    decision_status,
    last_change,
    mark_deletion_costs,
    measure_pods,
)
from arkenos_operator.settings import OperatorSettings

Body = dict[str, Any]


@dataclass(frozen=True)
class Scale:
    """One reconcile's sizing of a custom agent: the decision and the pods it was made on."""

    policy: ScalePolicy
    decision: Decision
    measured: Measured
    now: datetime

    @property
    def active_sessions(self) -> int:
        return sum(load.active or 0 for _, load in self.measured)

    async def settle_costs(self, kube: KubeClient) -> Scale:
        """Mark the pods' deletion costs before any replica change, and hold a scale-down
        for one tick when they moved (see ``after_costs_settle``)."""
        patched = await mark_deletion_costs(kube, self.measured, self.policy.sessions_per_replica)
        return replace(self, decision=after_costs_settle(self.decision, patched))

    def status(self) -> Body:
        """The scaling fields of the agent's status (lastDecision only when it changed)."""
        fields: Body = {"activeSessions": self.active_sessions}
        if self.decision.changed:
            fields["lastDecision"] = decision_status(self.decision, self.now)
        return fields


def policy_of(custom: CustomSpec, settings: OperatorSettings) -> ScalePolicy:
    return ScalePolicy.of_custom_agent(
        custom.replicas,
        settings.custom_sessions_per_replica,
        settings.custom_scale_down_delay_seconds,
    )


def wake_requested_at(agent: Body) -> datetime | None:
    """The API's wake mark, or None when absent or not a time (a hand edit)."""
    raw = ((agent["metadata"].get("annotations") or {}).get(WAKE_ANNOTATION) or "").strip()
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def waiting_calls(agent: Body, now: datetime, wake_seconds: int) -> int:
    """1 while the wake mark is recent (a call may be waiting for a pod), else 0."""
    woken = wake_requested_at(agent)
    if woken is None:
        return 0
    return 1 if now - woken < timedelta(seconds=wake_seconds) else 0


def decide_replicas(
    policy: ScalePolicy, agent: Body, measured: Measured, waiting: int, now: datetime
) -> Decision:
    """The pool's decision for this agent: from the replicas its status last asked for."""
    active = counted_sessions([load for _, load in measured], policy.sessions_per_replica)
    current = (agent.get("status") or {}).get("replicas")
    if current is None:
        # No Deployment yet: start at the size the sessions (none) and a wake mark ask for.
        decision = decide(policy, 0, active, None, now, waiting)
        if decision.replicas == 0:
            return Decision(0, 0, Direction.HOLD, "Created at zero pods (min 0).")
        return decision
    # A visible session already holds a pod; the mark only matters while none is seen.
    pending = waiting if active == 0 else 0
    return decide(policy, int(current), active, last_change(agent), now, pending)


async def plan(
    settings: OperatorSettings,
    session: aiohttp.ClientSession,
    agent: Body,
    custom: CustomSpec,
    pods: list[Body],
    now: datetime,
) -> Scale:
    """Measure the agent's ``pods`` (from kopf's index of them) and decide its replicas."""
    measured = await measure_pods(settings, session, pods)
    policy = policy_of(custom, settings)
    waiting = waiting_calls(agent, now, settings.custom_wake_seconds)
    return Scale(policy, decide_replicas(policy, agent, measured, waiting, now), measured, now)


def needs_reconcile(agent: Body, scale: Scale) -> bool:
    """Whether a scaler tick has anything to do: the replicas change, the sessions in status
    moved, or a pod's deletion cost is stale. An idle agent's tick stops here (no apply, no
    readiness question), which is most ticks of most agents."""
    status = agent.get("status") or {}
    if status.get("replicas") is None:
        # No Deployment yet (first build, or not servable): creation and build events drive
        # that, and a tick would only repeat their reconcile.
        return False
    if scale.decision.changed or status.get("activeSessions") != scale.active_sessions:
        return True
    if status.get("replicas") != scale.decision.replicas:
        return True
    costs = deletion_costs([load for _, load in scale.measured], scale.policy.sessions_per_replica)
    return any(
        (pod["metadata"].get("annotations") or {}).get(DELETION_COST) != str(costs[load.name])
        for pod, load in scale.measured
    )
