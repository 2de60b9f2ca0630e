"""kopf handlers of the VoiceAgent feature: when to reconcile an agent.

The agent itself: on create, update and resume, and on a timer (drift correction). Its
dependencies: a Secret it names changes (an index maps Secrets to the agents naming them), one
of its build Jobs or build pods finishes, its Deployment's status changes, or the shared pool
becomes ready or unready. Every path runs the same level-based reconcile.
"""

from __future__ import annotations

import asyncio
from typing import Any

import kopf

from arkenos_crds.runtime import AGENT_LABEL
from arkenos_crds.voiceagent import AgentMode
from arkenos_operator.children import MANAGED_BY
from arkenos_operator.context import OperatorContext, context_of
from arkenos_operator.kube import VOICE_AGENTS
from arkenos_operator.settings import OperatorSettings
from arkenos_operator.voiceagent import names
from arkenos_operator.voiceagent.agent import reconcile_agent
from arkenos_operator.voiceagent.validation import referenced_secrets_of_body

GROUP, VERSION = VOICE_AGENTS.group, VOICE_AGENTS.version
OURS = {"app.kubernetes.io/managed-by": MANAGED_BY, "app.kubernetes.io/name": names.APP_NAME}
TRIGGER_CONCURRENCY = 32
POOL_READY_MEMO = "arkenos-pool-was-ready"
#: kopf passes an index to handlers under its id.
SECRET_INDEX = "agents_by_secret"  # noqa: S105 - an index name


async def reconcile_many(ctx: OperatorContext, keys: list[tuple[str, str]]) -> None:
    limit = asyncio.Semaphore(TRIGGER_CONCURRENCY)

    async def one(namespace: str, name: str) -> None:
        async with limit:
            await reconcile_agent(ctx, namespace, name)

    await asyncio.gather(*(one(ns, n) for ns, n in keys))


def register(registry: kopf.OperatorRegistry, settings: OperatorSettings) -> None:
    resource = (GROUP, VERSION, VOICE_AGENTS.plural)

    @kopf.on.resume(*resource, registry=registry)
    @kopf.on.create(*resource, registry=registry)
    @kopf.on.update(*resource, registry=registry)
    async def agent_changed(
        namespace: str | None, name: str, retry: int, memo: Any, **_: Any
    ) -> None:
        await reconcile_agent(context_of(memo), str(namespace), name, retry=retry)

    @kopf.timer(
        *resource,
        interval=settings.resync_seconds,
        initial_delay=settings.resync_seconds,
        registry=registry,
    )
    async def resync(namespace: str | None, name: str, memo: Any, **_: Any) -> None:
        # Failures are written to the agent's conditions; the next tick tries again.
        await reconcile_agent(context_of(memo), str(namespace), name)

    @kopf.index(*resource, id=SECRET_INDEX, registry=registry)
    def agents_by_secret(
        namespace: str | None, name: str, spec: kopf.Spec, **_: Any
    ) -> dict[tuple[str | None, str], str]:
        return {(namespace, secret): name for secret in referenced_secrets_of_body(dict(spec))}

    @kopf.on.event("", "v1", "secrets", registry=registry)
    async def secret_changed(
        type: str,
        namespace: str | None,
        name: str,
        memo: Any,
        **kwargs: Any,
    ) -> None:
        if type is None or namespace is None:
            return  # the initial listing: every agent is resumed anyway
        index: kopf.Index[tuple[str | None, str], str] = kwargs[SECRET_INDEX]
        agents = sorted(set(index.get((namespace, name), [])))
        await reconcile_many(context_of(memo), [(namespace, agent) for agent in agents])

    @kopf.on.event("batch", "v1", "jobs", labels=OURS, registry=registry)
    @kopf.on.event("apps", "v1", "deployments", labels=OURS, registry=registry)
    async def child_changed(
        type: str,
        body: kopf.Body,
        namespace: str | None,
        labels: kopf.Labels,
        memo: Any,
        **_: Any,
    ) -> None:
        # Only a status says something new: our own patches of the spec come back as events too.
        if (
            namespace
            and type in ("ADDED", "MODIFIED")
            and body.get("status")
            and AGENT_LABEL in labels
        ):
            await reconcile_agent(context_of(memo), namespace, labels[AGENT_LABEL])

    @kopf.on.event(
        "", "v1", "pods", labels={**OURS, names.BUILD_LABEL: kopf.PRESENT}, registry=registry
    )
    async def build_pod_changed(
        type: str,
        status: kopf.Status,
        namespace: str | None,
        labels: kopf.Labels,
        memo: Any,
        **_: Any,
    ) -> None:
        terminated = any(
            (c.get("state") or {}).get("terminated") for c in status.get("containerStatuses") or []
        )
        if namespace and type in ("ADDED", "MODIFIED") and terminated and AGENT_LABEL in labels:
            await reconcile_agent(context_of(memo), namespace, labels[AGENT_LABEL])

    @kopf.on.event(GROUP, VERSION, "workerpools", registry=registry)
    async def pool_changed(
        type: str,
        namespace: str | None,
        name: str,
        status: kopf.Status,
        memo: Any,
        **_: Any,
    ) -> None:
        if namespace != settings.operator_namespace or name != settings.pool_name:
            return
        # memo is this pool object's own (kopf copies it per object): remember what we saw.
        ready = (status.get("readyReplicas") or 0) >= 1
        was_ready = memo.get(POOL_READY_MEMO)
        memo[POOL_READY_MEMO] = ready
        if type is None or was_ready == ready:
            return
        ctx = context_of(memo)
        agents = await ctx.kube.list(VOICE_AGENTS, None)
        standard = [
            (a["metadata"]["namespace"], a["metadata"]["name"])
            for a in agents
            if (a.get("spec") or {}).get("mode", AgentMode.STANDARD) == AgentMode.STANDARD
        ]
        await reconcile_many(ctx, standard)
