"""kopf handlers of the VoiceAgent feature: when to reconcile an agent.

The agent itself: on create, update (the API's wake mark is an annotation, which kopf counts
as a change) and resume; and custom agents, whose children can drift and whose pods' sessions
are read, are also visited by the feature's sweep (:mod:`arkenos_operator.kernel.sweep`): the
scaler every ``custom_scale_interval_seconds`` and the drift resync every ``resync_seconds``.
Its dependencies: a Secret it names changes (an index maps Secrets to the agents naming
them), one of its build Jobs changes (a build ends when its Job says so: the Job controller
marks it after its pod terminated, and the reconcile reads the result from the pod then), its
Deployment changes, or the shared pool becomes ready or unready. Every path runs the same
level-based reconcile.

No agent has a kopf timer, on purpose: kopf gives every object with a timer a finalizer (a
patch and one more watch event when the agent is made, which its creation handler waits for,
and again when it is deleted), and each tick costs kopf's machinery even when it finds
nothing. One sweep task for all custom agents costs neither. Standard agents are not in the
sweep: a standard agent has nothing that drifts and nothing to scale.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import aiohttp
import kopf

from arkenos_crds.runtime import AGENT_LABEL
from arkenos_crds.voiceagent import AgentMode
from arkenos_operator.children import MANAGED_BY
from arkenos_operator.context import OperatorContext, context_of
from arkenos_operator.kernel.peering import PeeringGate
from arkenos_operator.kernel.persistence import is_deleted
from arkenos_operator.kernel.sweep import Sweep
from arkenos_operator.kube import DEPLOYMENTS, JOBS, VOICE_AGENTS, WORKER_POOLS, Kind
from arkenos_operator.settings import OperatorSettings
from arkenos_operator.voiceagent import names
from arkenos_operator.voiceagent.agent import RESOURCE, AgentReconciler
from arkenos_operator.voiceagent.custom import is_own_write
from arkenos_operator.voiceagent.inputs import Inputs, register_indexes
from arkenos_operator.voiceagent.readiness import ReadinessClient
from arkenos_operator.voiceagent.state import (
    MEMO_KEY,
    AgentKey,
    VoiceAgentFeature,
    VoiceAgentState,
    feature_of,
)
from arkenos_operator.voiceagent.validation import referenced_secrets_of_body

AGENTS = (VOICE_AGENTS.group, VOICE_AGENTS.version, VOICE_AGENTS.plural)
POOLS = (WORKER_POOLS.group, WORKER_POOLS.version, WORKER_POOLS.plural)
OURS = {"app.kubernetes.io/managed-by": MANAGED_BY, "app.kubernetes.io/name": names.APP_NAME}
TRIGGER_CONCURRENCY = 32
POOL_READY_MEMO = "arkenos-pool-was-ready"
#: kopf passes an index to handlers under its id.
SECRET_INDEX = "agents_by_secret"  # noqa: S105 - an index name
#: Custom agents as the watch last saw them, for the sweep (it has no event body of its own).
CUSTOM_INDEX = "custom_agents"


def reconciler(memo: Any, kwargs: Mapping[str, Any], force: bool) -> AgentReconciler:
    """The reconciler for one trigger, with the indexes kopf passed it."""
    feature = feature_of(memo)
    inputs = Inputs.from_handler(kwargs, force=force)
    return AgentReconciler(context_of(memo), feature.state, feature.readiness, inputs)


def sweep_visit(
    memo: Any, indexes: Mapping[str, Any]
) -> Callable[[AgentKey, bool], Awaitable[None]]:
    """The sweep's visit of one custom agent, reading kopf's ``indexes`` (live: kopf updates
    them in place) as a handler would: a full visit is the drift resync (every child applied
    again, the API asked again); a light one is the scaler's, which reconciles only when the
    sizing has news (sessions on the agent's pods move without any watch event)."""

    async def visit(key: AgentKey, full: bool) -> None:
        store = indexes[CUSTOM_INDEX].get(key)
        body = next(iter(store), None) if store is not None else None
        if body is None:
            return  # gone or no longer custom: its handlers take it out of the sweep
        agents = reconciler(memo, indexes, force=full)
        # Failures are written to the agent's conditions; the next visit tries again.
        if full or await agents.scale_has_news(body):
            await context_of(memo).runner.run(agents, *key)

    return visit


def peering_gate(ctx: OperatorContext, settings: OperatorSettings) -> PeeringGate:
    """kopf's pause rule for the sweep, on the peering objects kopf itself uses."""
    return PeeringGate(
        ctx.kube, settings.peering_name, settings.priority, tuple(settings.watch_namespaces)
    )


async def reconcile_many(
    ctx: OperatorContext, agents: AgentReconciler, keys: list[tuple[str, str]]
) -> None:
    limit = asyncio.Semaphore(TRIGGER_CONCURRENCY)

    async def one(namespace: str, name: str) -> None:
        async with limit:
            await ctx.runner.run(agents, namespace, name)

    await asyncio.gather(*(one(ns, n) for ns, n in keys))


def register(registry: kopf.OperatorRegistry, settings: OperatorSettings) -> None:
    platform = {settings.livekit_secret_name}
    register_indexes(registry, settings.operator_namespace, platform, settings.pool_name)
    register_lifecycle(registry, settings)
    register_agent_handlers(registry, settings)
    register_dependency_handlers(registry, settings)


def register_lifecycle(registry: kopf.OperatorRegistry, settings: OperatorSettings) -> None:
    """The feature's state: made at startup, an agent's share dropped when the agent goes."""

    @kopf.on.startup(id="voiceagent-start", registry=registry)
    async def start(memo: kopf.Memo, **kwargs: Any) -> None:
        readiness = ReadinessClient(
            api_url=settings.api_url,
            token_file=Path(settings.api_token_file),
            session=aiohttp.ClientSession(),
            timeout_seconds=settings.api_timeout_seconds,
            recheck_seconds=settings.readiness_recheck_seconds,
        )
        state = VoiceAgentState()
        # Startup handlers get kopf's indexes too (empty yet; the sweep only visits agents
        # a handler registered, and handlers run once the indexes are filled).
        sweep = Sweep[AgentKey](
            interval=settings.custom_scale_interval_seconds,
            resync_interval=settings.resync_seconds,
            visit=sweep_visit(memo, kwargs),
            name="custom agents' sweep",
            gate=None if settings.standalone else peering_gate(context_of(memo), settings).check,
        )
        memo[MEMO_KEY] = VoiceAgentFeature(state, readiness, sweep)
        metrics = context_of(memo).metrics
        metrics.state_entries.labels("voiceagent").set_function(state.size)
        metrics.state_entries.labels("sweep").set_function(lambda: len(sweep))
        sweep.start()

    @kopf.on.cleanup(id="voiceagent-stop", registry=registry)
    async def stop(memo: kopf.Memo, **_: Any) -> None:
        feature = feature_of(memo)
        await feature.sweep.stop()
        await feature.readiness.session.close()

    @kopf.on.event(*AGENTS, id="agent-gone", when=is_deleted, registry=registry)
    async def agent_gone(
        namespace: str | None,
        name: str,
        uid: str,
        memo: Any,
        **_: Any,
    ) -> None:
        feature, ctx = feature_of(memo), context_of(memo)
        feature.sweep.forget((str(namespace), name))
        # After any reconcile still running (a sweep's visit has no finalizer holding the
        # agent back): what it remembers is dropped with the rest, and one that starts later
        # finds the agent gone and remembers nothing.
        async with ctx.runner.locks.hold((RESOURCE, str(namespace), name)):
            feature.state.forget(str(namespace), name)
        ctx.handled.forget(uid)


def register_agent_handlers(registry: kopf.OperatorRegistry, settings: OperatorSettings) -> None:
    @kopf.on.resume(*AGENTS, id="reconcile", registry=registry)
    @kopf.on.create(*AGENTS, id="reconcile", registry=registry)
    @kopf.on.update(*AGENTS, id="reconcile", registry=registry)
    async def agent_changed(
        body: kopf.Body, namespace: str | None, name: str, retry: int, memo: Any, **kwargs: Any
    ) -> None:
        key = (str(namespace), name)
        if (body.get("spec") or {}).get("mode") == AgentMode.CUSTOM:
            feature_of(memo).sweep.register(key)
        else:
            feature_of(memo).sweep.forget(key)
        agents = reconciler(memo, kwargs, force=True)
        # A new agent's event body saves the runner a read (see Runner._read).
        await context_of(memo).runner.handle(agents, str(namespace), name, retry, dict(body))

    @kopf.index(
        *AGENTS,
        field="spec.mode",
        value=AgentMode.CUSTOM.value,
        id=CUSTOM_INDEX,
        registry=registry,
    )
    async def custom_agents(
        namespace: str | None, name: str, body: kopf.Body, **_: Any
    ) -> dict[AgentKey, dict[str, Any]]:
        # What the scaler's check reads (the parsed spec's key, the wake mark, the status):
        # not managedFields and the rest of the metadata.
        meta = body.metadata
        slim_meta = {
            "namespace": namespace,
            "name": name,
            "uid": meta.uid,
            "generation": meta.get("generation"),
            "annotations": dict(meta.annotations),
        }
        agent = {"metadata": slim_meta, "spec": dict(body.spec), "status": dict(body.status)}
        return {(str(namespace), name): agent}

    @kopf.index(*AGENTS, id=SECRET_INDEX, registry=registry)
    async def agents_by_secret(
        namespace: str | None, name: str, spec: kopf.Spec, **_: Any
    ) -> dict[tuple[str | None, str], str]:
        return {(namespace, secret): name for secret in referenced_secrets_of_body(dict(spec))}


def register_dependency_handlers(
    registry: kopf.OperatorRegistry, settings: OperatorSettings
) -> None:
    @kopf.on.event("", "v1", "secrets", id="secret-changed", registry=registry)
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
        ctx = context_of(memo)
        keys = [(namespace, a) for a in agents]
        await reconcile_many(ctx, reconciler(memo, kwargs, force=False), keys)

    async def child_changed(
        kind: Kind, type: str, body: kopf.Body, labels: kopf.Labels, memo: Any, kwargs: Any
    ) -> None:
        namespace = body.metadata.namespace
        if not namespace or type not in ("ADDED", "MODIFIED") or AGENT_LABEL not in labels:
            return
        if is_own_write(feature_of(memo).state, kind, dict(body)):
            return  # the echo of our own write
        # The Deployment is always re-applied, so a hand edit is undone right away.
        agents = reconciler(memo, kwargs, force=False)
        await context_of(memo).runner.run(agents, namespace, labels[AGENT_LABEL])

    @kopf.on.event("batch", "v1", "jobs", labels=OURS, id="build-job-changed", registry=registry)
    async def job_changed(
        type: str, body: kopf.Body, labels: kopf.Labels, memo: Any, **kwargs: Any
    ) -> None:
        await child_changed(JOBS, type, body, labels, memo, kwargs)

    @kopf.on.event(
        "apps", "v1", "deployments", labels=OURS, id="deployment-changed", registry=registry
    )
    async def deployment_changed(
        type: str, body: kopf.Body, labels: kopf.Labels, memo: Any, **kwargs: Any
    ) -> None:
        await child_changed(DEPLOYMENTS, type, body, labels, memo, kwargs)

    @kopf.on.event(*POOLS, id="pool-readiness-changed", registry=registry)
    async def pool_changed(
        type: str,
        namespace: str | None,
        name: str,
        status: kopf.Status,
        memo: Any,
        **kwargs: Any,
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
        await reconcile_many(ctx, reconciler(memo, kwargs, force=False), standard)
