"""kopf handlers of the VoiceAgent feature: when to reconcile an agent.

The agent itself: on create, update (the API's wake mark is an annotation, which kopf counts
as a change) and resume, and (custom agents, whose children can drift and whose pods' sessions
are read) on two timers: the drift resync and the scaler. Its dependencies: a Secret it names
changes (an index maps Secrets to the agents naming them), one of its build Jobs or build pods
finishes, its Deployment changes, or the shared pool becomes ready or unready. Every path runs
the same level-based reconcile.

Standard agents have no timer on purpose: kopf gives every object with a timer a finalizer,
and a standard agent has nothing to clean up and nothing that drifts.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import kopf

from arkenos_crds.runtime import AGENT_LABEL
from arkenos_crds.voiceagent import AgentMode
from arkenos_operator.children import MANAGED_BY
from arkenos_operator.context import OperatorContext, context_of
from arkenos_operator.kernel.persistence import is_deleted
from arkenos_operator.kube import DEPLOYMENTS, JOBS, VOICE_AGENTS, WORKER_POOLS, Kind
from arkenos_operator.settings import OperatorSettings
from arkenos_operator.voiceagent import names
from arkenos_operator.voiceagent.agent import AgentReconciler
from arkenos_operator.voiceagent.custom import is_own_write
from arkenos_operator.voiceagent.inputs import Inputs, register_indexes
from arkenos_operator.voiceagent.readiness import ReadinessClient
from arkenos_operator.voiceagent.state import (
    MEMO_KEY,
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


def reconciler(memo: Any, kwargs: dict[str, Any], force: bool) -> AgentReconciler:
    """The reconciler for one trigger, with the indexes kopf passed it."""
    feature = feature_of(memo)
    inputs = Inputs.from_handler(kwargs, force=force)
    return AgentReconciler(context_of(memo), feature.state, feature.readiness, inputs)


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
    async def start(memo: kopf.Memo, **_: Any) -> None:
        readiness = ReadinessClient(
            api_url=settings.api_url,
            token_file=Path(settings.api_token_file),
            session=aiohttp.ClientSession(),
            timeout_seconds=settings.api_timeout_seconds,
            recheck_seconds=settings.readiness_recheck_seconds,
        )
        state = VoiceAgentState()
        memo[MEMO_KEY] = VoiceAgentFeature(state, readiness)
        context_of(memo).metrics.state_entries.labels("voiceagent").set_function(state.size)

    @kopf.on.cleanup(id="voiceagent-stop", registry=registry)
    async def stop(memo: kopf.Memo, **_: Any) -> None:
        await feature_of(memo).readiness.session.close()

    @kopf.on.event(*AGENTS, id="agent-gone", when=is_deleted, registry=registry)
    async def agent_gone(
        namespace: str | None,
        name: str,
        uid: str,
        memo: Any,
        **_: Any,
    ) -> None:
        feature_of(memo).state.forget(str(namespace), name)
        context_of(memo).handled.forget(uid)


def register_agent_handlers(registry: kopf.OperatorRegistry, settings: OperatorSettings) -> None:
    @kopf.on.resume(*AGENTS, id="reconcile", registry=registry)
    @kopf.on.create(*AGENTS, id="reconcile", registry=registry)
    @kopf.on.update(*AGENTS, id="reconcile", registry=registry)
    async def agent_changed(
        body: kopf.Body, namespace: str | None, name: str, retry: int, memo: Any, **kwargs: Any
    ) -> None:
        agents = reconciler(memo, kwargs, force=True)
        # A new agent's event body saves the runner a read (see Runner._read).
        await context_of(memo).runner.handle(agents, str(namespace), name, retry, dict(body))

    @kopf.timer(
        *AGENTS,
        field="spec.mode",
        value=AgentMode.CUSTOM.value,
        interval=settings.resync_seconds,
        initial_delay=settings.resync_seconds,
        id="resync",
        registry=registry,
    )
    async def resync(namespace: str | None, name: str, memo: Any, **kwargs: Any) -> None:
        # Failures are written to the agent's conditions; the next tick tries again.
        await context_of(memo).runner.run(
            reconciler(memo, kwargs, force=True), str(namespace), name
        )

    @kopf.timer(
        *AGENTS,
        field="spec.mode",
        value=AgentMode.CUSTOM.value,
        interval=settings.custom_scale_interval_seconds,
        # Creation and resume reconcile anyway: a first tick then would only repeat it.
        initial_delay=settings.custom_scale_interval_seconds,
        id="scale",
        registry=registry,
    )
    async def scale(
        body: kopf.Body, namespace: str | None, name: str, memo: Any, **kwargs: Any
    ) -> None:
        # Sessions on the agent's pods move without any watch event: read them on a timer,
        # as the pool's scaler does, and reconcile only when the sizing has news.
        agents = reconciler(memo, kwargs, force=False)
        if await agents.scale_has_news(dict(body)):
            await context_of(memo).runner.run(agents, str(namespace), name)

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

    build_pods: dict[str, Any] = {**OURS, names.BUILD_LABEL: kopf.PRESENT}

    @kopf.on.event("", "v1", "pods", labels=build_pods, id="build-pod-changed", registry=registry)
    async def build_pod_changed(
        type: str,
        status: kopf.Status,
        namespace: str | None,
        labels: kopf.Labels,
        memo: Any,
        **kwargs: Any,
    ) -> None:
        terminated = any(
            (c.get("state") or {}).get("terminated") for c in status.get("containerStatuses") or []
        )
        if namespace and type in ("ADDED", "MODIFIED") and terminated and AGENT_LABEL in labels:
            agents = reconciler(memo, kwargs, force=False)
            await context_of(memo).runner.run(agents, namespace, labels[AGENT_LABEL])

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
