"""Reconcile of a standard agent: check what the schema cannot, that the shared pool has a
worker ready, and that the API would resolve the agent's config for a call. Nothing is
created; the pool serves every standard agent."""

from __future__ import annotations

from typing import Any

from arkenos_crds.voiceagent import VoiceAgentSpec
from arkenos_operator.context import OperatorContext
from arkenos_operator.kernel.errors import ReconcileError
from arkenos_operator.kernel.reasons import Reason
from arkenos_operator.voiceagent.inputs import Inputs
from arkenos_operator.voiceagent.lifecycle import AgentLifecycle
from arkenos_operator.voiceagent.readiness import ReadinessClient
from arkenos_operator.voiceagent.validation import check_agent, referenced_secrets

Body = dict[str, Any]


async def reconcile_standard(
    ctx: OperatorContext,
    agent: Body,
    spec: VoiceAgentSpec,
    life: AgentLifecycle,
    inputs: Inputs,
    readiness: ReadinessClient,
) -> None:
    namespace = agent["metadata"]["namespace"]
    # The key names of the Secrets it names, from kopf's index (no request per agent).
    keys = {n: inputs.keys_of_secret(namespace, n) for n in referenced_secrets(spec)}
    problem = check_agent(spec, keys)
    if problem is not None:
        raise problem
    require_pool_ready(ctx, inputs)
    await readiness.check(namespace, agent["metadata"]["name"])
    life.mark_standard_ready()


def require_pool_ready(ctx: OperatorContext, inputs: Inputs) -> None:
    """Raise a waiting error unless the shared pool has at least one ready worker."""
    settings = ctx.settings
    where = f"{settings.operator_namespace}/{settings.pool_name}"
    ready = inputs.pool_ready_replicas(settings.operator_namespace, settings.pool_name)
    if ready is None:
        raise ReconcileError(
            Reason.POOL_NOT_FOUND, f"WorkerPool {where} that serves standard agents is missing."
        )
    if ready < 1:
        raise ReconcileError(
            Reason.POOL_UNAVAILABLE, f"No worker of WorkerPool {where} is ready to take calls."
        )
