"""Reconcile of a custom agent: its ServiceAccount, gateway key Secret and NetworkPolicies,
the build of its bundle, and the Deployment that serves the built artifact (or its image).

The Deployment is only changed once the wanted revision is built: while a new build runs or
after it failed, the previous revision keeps serving, and only its replica count follows the
scaler (:mod:`.scale`), so an agent at zero still wakes for a call.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp

from arkenos_crds.custom import CustomSpec
from arkenos_crds.runtime import AGENT_LABEL
from arkenos_crds.voiceagent import VoiceAgentSpec
from arkenos_operator.context import OperatorContext
from arkenos_operator.kernel.errors import ReconcileError
from arkenos_operator.kernel.reasons import Reason
from arkenos_operator.kube import (
    DEPLOYMENTS,
    JOBS,
    NETWORK_POLICIES,
    PODS,
    SECRETS,
    SERVICE_ACCOUNTS,
    Kind,
    is_conflict,
)
from arkenos_operator.voiceagent import names
from arkenos_operator.voiceagent.build import BuildOutcome, BuildState, build_job, build_outcome
from arkenos_operator.voiceagent.builders import (
    build_agent_deployment,
    build_gateway_secret,
    build_service_account,
)
from arkenos_operator.voiceagent.inputs import Inputs
from arkenos_operator.voiceagent.lifecycle import AgentLifecycle
from arkenos_operator.voiceagent.network import build_build_network_policy, build_network_policy
from arkenos_operator.voiceagent.scale import Scale, plan
from arkenos_operator.voiceagent.state import VoiceAgentState

Body = dict[str, Any]


@dataclass(frozen=True)
class Serving:
    """What the agent's Deployment runs: the revision (bundle digest or image) and artifact."""

    revision: str | None
    artifact_digest: str | None
    deployment: Body | None
    #: The scaler's sizing, when a Deployment exists or was just made.
    scale: Scale | None = None


async def reconcile_custom(
    ctx: OperatorContext,
    state: VoiceAgentState,
    agent: Body,
    spec: VoiceAgentSpec,
    life: AgentLifecycle,
    inputs: Inputs,
    http: aiohttp.ClientSession,
) -> Serving:
    custom = spec.custom
    assert custom is not None  # the schema requires it in Custom mode
    # Never reconciled (no status yet): its children are most likely still to be created.
    new = not agent.get("status")
    await apply_isolation(ctx, state, agent, custom, inputs, new)
    pods = inputs.pods_of_agent(agent["metadata"]["namespace"], agent["metadata"]["name"])
    scale = await plan(ctx.settings, http, agent, custom, pods, datetime.now(UTC))
    # Costs first: the ReplicaSet must know which pods are idle before it removes any.
    scale = await scale.settle_costs(ctx.kube)
    status = agent.get("status") or {}
    serving = Serving(status.get("revision"), status.get("artifactDigest"), None, scale)
    artifact: str | None = None
    if custom.source.bundle is not None:
        outcome = await ensure_build(ctx, state, agent, custom, status, inputs)
        if outcome.state is BuildState.RUNNING:
            job = names.build_job_name(
                agent["metadata"]["name"], custom.source.bundle.digest, custom.entrypoint
            )
            life.mark_building(job, custom.source.bundle.digest)
            return await keep_serving(ctx, state, agent, serving, life, custom)
        if outcome.state is BuildState.FAILED:
            life.mark_build_failed(outcome.reason, outcome.message)
            return await keep_serving(ctx, state, agent, serving, life, custom)
        artifact = outcome.artifact_digest
        assert artifact is not None
        life.mark_built(artifact)
    deployment = await ctx.kube.apply(
        DEPLOYMENTS,
        build_agent_deployment(agent, spec, ctx.settings, artifact, scale.decision.replicas),
        # No revision served yet: the Deployment is made now.
        likely_missing=not status.get("revision"),
    )
    remember_own_write(state, DEPLOYMENTS, deployment)
    revision = custom.source.image or (
        custom.source.bundle.digest if custom.source.bundle else None
    )
    mark_availability(life, deployment, custom.replicas.min)
    return Serving(revision, artifact, deployment, scale)


async def apply_isolation(
    ctx: OperatorContext,
    state: VoiceAgentState,
    agent: Body,
    custom: CustomSpec,
    inputs: Inputs,
    new: bool = False,
) -> None:
    settings = ctx.settings
    livekit = inputs.platform_secret(settings.livekit_secret_name)
    if livekit is None:
        raise ReconcileError(
            Reason.PLATFORM_SECRET_MISSING,
            f"The operator's Secret \"{settings.operator_namespace}/"
            f'{settings.livekit_secret_name}" is missing; the platform installation is '
            "incomplete.",
        )
    await asyncio.gather(
        retire_platform_copy(ctx, state, agent, inputs),
        apply_cached(ctx, state, SECRETS, build_gateway_secret(agent, livekit), inputs.force, new),
        apply_cached(ctx, state, SERVICE_ACCOUNTS, build_service_account(agent), inputs.force, new),
        apply_cached(
            ctx,
            state,
            NETWORK_POLICIES,
            build_network_policy(agent, custom, settings),
            inputs.force,
            new,
        ),
        apply_cached(
            ctx,
            state,
            NETWORK_POLICIES,
            build_build_network_policy(agent, settings),
            inputs.force,
            new,
        ),
    )


async def retire_platform_copy(
    ctx: OperatorContext, state: VoiceAgentState, agent: Body, inputs: Inputs
) -> None:
    """Delete the copy of the platform's credentials (bucket keys, and before the worker
    gateway the LiveKit key) that older operators kept in the agent's namespace: its pods now
    reach their code through the API. Only a Secret this operator made for this agent (its
    label and owner) is deleted; each process looks once per agent."""
    meta = agent["metadata"]
    namespace, name = meta["namespace"], meta["name"]
    applied = state.applied.setdefault((namespace, name), {})
    marker = ("retired-secrets", names.platform_secret_name(name))
    if marker in applied:
        return
    secret = names.platform_secret_name(name)
    # kopf's index of Secrets says whether there is one to look at (most agents: none).
    exists = inputs.keys_of_secret(namespace, secret) is not None
    copy = await ctx.kube.get_or_none(SECRETS, namespace, secret) if exists else None
    if copy is not None and _made_for(copy, agent, names.COMPONENT_PLATFORM):
        await ctx.kube.delete(SECRETS, namespace, secret)
    applied[marker] = b""


def _made_for(child: Body, agent: Body, component: str) -> bool:
    meta = child["metadata"]
    owners = {ref.get("uid") for ref in meta.get("ownerReferences") or []}
    labels = meta.get("labels") or {}
    return (
        agent["metadata"]["uid"] in owners
        and labels.get("app.kubernetes.io/component") == component
    )


async def apply_cached(
    ctx: OperatorContext,
    state: VoiceAgentState,
    kind: Kind,
    body: Body,
    force: bool,
    likely_missing: bool = False,
) -> None:
    """Apply ``body`` unless this process applied exactly it before and ``force`` is off.

    Reconciles triggered by a child's status (a build finishing, pods becoming ready) skip
    children that rarely change; the resync and every change of the agent itself force the
    patch, so a hand edit is still corrected.
    """
    meta = body["metadata"]
    applied = state.applied.setdefault(owner_key(body), {})
    key = (kind.plural, meta["name"])
    fingerprint = hashlib.blake2b(json.dumps(body, sort_keys=True).encode(), digest_size=16)
    if not force and applied.get(key) == fingerprint.digest():
        return
    await ctx.kube.apply(kind, body, likely_missing and key not in applied)
    applied[key] = fingerprint.digest()


async def ensure_build(
    ctx: OperatorContext,
    state: VoiceAgentState,
    agent: Body,
    custom: CustomSpec,
    status: Body,
    inputs: Inputs,
) -> BuildOutcome:
    """The outcome of the build of the wanted bundle, starting its Job if there is none.

    The Job's name is the cache key, so a restart or a spec change that keeps the digest and
    entrypoint finds the same Job. A Job deleted after success (ttlSecondsAfterFinished) is not
    rebuilt when the status already serves that digest.
    """
    bundle = custom.source.bundle
    assert bundle is not None
    namespace, agent_name = agent["metadata"]["namespace"], agent["metadata"]["name"]
    job_name = names.build_job_name(agent_name, bundle.digest, custom.entrypoint)
    # An agent never reconciled (no status) has no build yet: create it without asking; else
    # kopf's index of build Jobs has it (one the watch has not shown yet is created again,
    # which answers 409 and reads it).
    job = inputs.build_job(namespace, job_name) if status else None
    if job is None:
        if await _serves_built(ctx, agent, bundle.digest, status):
            return BuildOutcome(BuildState.SUCCEEDED, artifact_digest=status["artifactDigest"])
        job = await create_job(ctx, build_job(agent, custom, ctx.settings))
        remember_own_write(state, JOBS, job)
    recorded = (job["metadata"].get("annotations") or {}).get(names.ANNOTATION_ARTIFACT)
    # Only a finished Job's pods say anything: their termination message is the result.
    finished = _finished(job) and not recorded
    pods = await ctx.kube.list(PODS, namespace, {names.BUILD_LABEL: job_name}) if finished else []
    outcome = build_outcome(job, pods)
    if outcome.state is BuildState.SUCCEEDED and not recorded:
        # Record the result on the Job: its pods may be deleted, the Job is the cache.
        annotations = {names.ANNOTATION_ARTIFACT: outcome.artifact_digest}
        patch = {"metadata": {"annotations": annotations}}
        remember_own_write(state, JOBS, await ctx.kube.patch(JOBS, namespace, job_name, patch))
    return outcome


async def _serves_built(ctx: OperatorContext, agent: Body, digest: str, status: Body) -> bool:
    """Whether the status serves ``digest`` from an artifact in today's store: its Deployment's
    pods load it from there. An agent built by an older operator (its artifact in the shared
    bucket prefix its pods can no longer reach) is built again."""
    artifact = status.get("artifactDigest")
    if status.get("revision") != digest or not artifact:
        return False
    namespace, name = agent["metadata"]["namespace"], agent["metadata"]["name"]
    deployment = await ctx.kube.get_or_none(DEPLOYMENTS, namespace, names.deployment_name(name))
    template = ((deployment or {}).get("spec") or {}).get("template") or {}
    annotations = (template.get("metadata") or {}).get("annotations") or {}
    return bool(
        annotations.get(names.ANNOTATION_ARTIFACT) == artifact
        and annotations.get(names.ANNOTATION_ARTIFACT_STORE) == names.ARTIFACT_STORE
    )


def _finished(job: Body) -> bool:
    status = job.get("status") or {}
    conditions = {
        c.get("type") for c in status.get("conditions") or [] if c.get("status") == "True"
    }
    return bool(status.get("succeeded")) or bool(conditions & {"Complete", "Failed"})


def owner_key(child: Body) -> tuple[str, str]:
    """(namespace, agent) of a child, from the agent label every child carries."""
    meta = child["metadata"]
    return meta["namespace"], (meta.get("labels") or {})[AGENT_LABEL]


def remember_own_write(state: VoiceAgentState, kind: Kind, written: Body) -> None:
    """Remember the resourceVersion our write produced, so its watch event (an echo of what we
    just did) does not trigger another reconcile; any later change by someone else does."""
    meta = written["metadata"]
    own = state.own_writes.setdefault(owner_key(written), {})
    own[(kind.plural, meta["name"])] = meta.get("resourceVersion", "")


def is_own_write(state: VoiceAgentState, kind: Kind, body: Body) -> bool:
    meta = body["metadata"]
    own = state.own_writes.get(owner_key(body), {})
    return bool(own.get((kind.plural, meta["name"])) == meta.get("resourceVersion"))


async def create_job(ctx: OperatorContext, job: Body) -> Body:
    metadata = job["metadata"]
    try:
        return await ctx.kube.create(JOBS, metadata["namespace"], job)
    except Exception as error:
        if not is_conflict(error):
            raise
    # Created by a concurrent reconcile or an earlier operator process: it is the same build.
    return await ctx.kube.get(JOBS, metadata["namespace"], metadata["name"])


async def keep_serving(
    ctx: OperatorContext,
    state: VoiceAgentState,
    agent: Body,
    serving: Serving,
    life: AgentLifecycle,
    custom: CustomSpec,
) -> Serving:
    """Leave the Deployment's pods as they are (no new revision) and report on what it serves;
    only its replica count follows the scaler."""
    namespace, name = agent["metadata"]["namespace"], agent["metadata"]["name"]
    deployment = await ctx.kube.get_or_none(DEPLOYMENTS, namespace, names.deployment_name(name))
    if deployment is None:
        life.mark_deploying("Waiting for the first build before deploying.")
        return Serving(None, None, None)
    scale = serving.scale
    assert scale is not None  # planned before the build was looked at
    if (deployment.get("spec") or {}).get("replicas") != scale.decision.replicas:
        patch = {"spec": {"replicas": scale.decision.replicas}}
        deployment = await ctx.kube.patch(
            DEPLOYMENTS, namespace, deployment["metadata"]["name"], patch
        )
        remember_own_write(state, DEPLOYMENTS, deployment)
    mark_availability(life, deployment, custom.replicas.min)
    return Serving(serving.revision, serving.artifact_digest, deployment, scale)


def mark_availability(life: AgentLifecycle, deployment: Body, min_replicas: int) -> None:
    spec = deployment.get("spec") or {}
    status = deployment.get("status") or {}
    desired = int(spec.get("replicas") or 0)
    available = int(status.get("availableReplicas") or 0)
    if available >= 1:
        life.mark_available(available, desired)
        return
    progressing = next(
        (c for c in status.get("conditions") or [] if c.get("type") == "Progressing"), None
    )
    if progressing is not None and progressing.get("status") == "False":
        life.mark_unavailable(
            progressing.get("reason") or "ProgressDeadlineExceeded",
            progressing.get("message") or "The Deployment stopped making progress.",
        )
        return
    if min_replicas == 0:
        # Zero pods is this agent's minimum: a call is served, after a cold start.
        if desired == 0:
            life.mark_scaled_to_zero()
        else:
            life.mark_cold_start(desired)
        return
    life.mark_deploying(f"0 of {desired} pods available.")
