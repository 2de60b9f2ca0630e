"""Reconcile of a standard agent: check what the schema cannot, and that the shared pool has
a worker ready. Nothing is created; the pool serves every standard agent."""

from __future__ import annotations

import asyncio
from typing import Any

from arkenos_crds.voiceagent import VoiceAgentSpec
from arkenos_operator.context import OperatorContext
from arkenos_operator.kube import SECRETS
from arkenos_operator.reconcile import Waiting
from arkenos_operator.voiceagent.inputs import Inputs
from arkenos_operator.voiceagent.lifecycle import AgentLifecycle
from arkenos_operator.voiceagent.validation import check_agent, referenced_secrets, secret_keys

Body = dict[str, Any]


async def reconcile_standard(
    ctx: OperatorContext, agent: Body, spec: VoiceAgentSpec, life: AgentLifecycle, inputs: Inputs
) -> None:
    namespace = agent["metadata"]["namespace"]
    names = referenced_secrets(spec)
    found = await asyncio.gather(*(ctx.kube.get_or_none(SECRETS, namespace, n) for n in names))
    problem = check_agent(spec, {n: secret_keys(s) for n, s in zip(names, found, strict=True)})
    if problem is not None:
        raise problem
    require_pool_ready(ctx, inputs)
    life.mark_standard_ready()


def require_pool_ready(ctx: OperatorContext, inputs: Inputs) -> None:
    """Raise :class:`Waiting` unless the shared pool has at least one ready worker."""
    settings = ctx.settings
    where = f"{settings.operator_namespace}/{settings.pool_name}"
    ready = inputs.pool_ready_replicas(settings.operator_namespace, settings.pool_name)
    if ready is None:
        raise Waiting("PoolNotFound", f"WorkerPool {where} that serves standard agents is missing.")
    if ready < 1:
        raise Waiting("PoolUnavailable", f"No worker of WorkerPool {where} is ready to take calls.")
