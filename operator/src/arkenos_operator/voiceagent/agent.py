"""One reconcile of one VoiceAgent, whatever triggered it: parse the spec, reconcile it as a
standard or custom agent, and write status (conditions, observedGeneration, dispatch name,
serving revision and replicas)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from arkenos_crds.voiceagent import AgentMode, VoiceAgentSpec, dispatch_name_for
from arkenos_operator.context import OperatorContext
from arkenos_operator.kube import VOICE_AGENTS
from arkenos_operator.reconcile import Outcome, ReconcileError, parse_spec
from arkenos_operator.voiceagent.custom import Serving, reconcile_custom
from arkenos_operator.voiceagent.inputs import Inputs
from arkenos_operator.voiceagent.lifecycle import AgentLifecycle
from arkenos_operator.voiceagent.standard import reconcile_standard

Body = dict[str, Any]
RESOURCE = "voiceagent"
SPEC_CACHE = "voiceagent-specs"
SPEC_CACHE_SIZE = 8192


def cached_spec(ctx: OperatorContext, agent: Body) -> VoiceAgentSpec:
    """The agent's parsed spec, once per (uid, generation): a generation's spec never changes,
    and validating it (CEL rules included) costs more than the rest of a reconcile."""
    specs: OrderedDict[tuple[str, int], VoiceAgentSpec] = ctx.features.setdefault(
        SPEC_CACHE, OrderedDict()
    )
    meta = agent["metadata"]
    key = (str(meta.get("uid")), int(meta.get("generation") or 0))
    spec = specs.get(key)
    if spec is None:
        spec = specs[key] = parse_spec(VoiceAgentSpec, agent)
        if len(specs) > SPEC_CACHE_SIZE:
            specs.popitem(last=False)
    else:
        specs.move_to_end(key)
    return spec


def _lifecycle(agent: Body) -> AgentLifecycle:
    spec = agent.get("spec") or {}
    custom = spec.get("mode") == AgentMode.CUSTOM
    builds = custom and "bundle" in ((spec.get("custom") or {}).get("source") or {})
    return AgentLifecycle(agent, custom=custom, builds=builds)


async def reconcile_agent(
    ctx: OperatorContext, namespace: str, name: str, inputs: Inputs, retry: int | None = None
) -> Outcome:
    """Reconcile the agent, read afresh under its lock (several triggers may queue up, and a
    copy taken before the lock may predate the status the previous reconcile wrote).

    With ``retry`` (from a kopf handler) failures become kopf retries.
    """
    seen: dict[str, Any] = {}

    async def reconcile() -> None:
        agent = await ctx.kube.get_or_none(VOICE_AGENTS, namespace, name)
        if agent is None or agent["metadata"].get("deletionTimestamp"):
            return
        life = seen["life"] = _lifecycle(agent)
        seen["agent"] = agent
        spec = cached_spec(ctx, agent)
        if spec.mode == AgentMode.CUSTOM:
            serving = await reconcile_custom(ctx, agent, spec, life, inputs)
            life.summarize(serving.revision)
            await write_status(ctx, agent, life, serving)
        else:
            await reconcile_standard(ctx, agent, spec, life, inputs)
            await write_status(ctx, agent, life, None)

    async def on_error(error: ReconcileError) -> None:
        life: AgentLifecycle = seen["life"]
        life.mark_not_ready(error.reason, error.message)
        await write_status(ctx, seen["agent"], life, None)

    if retry is None:
        return await ctx.runner.run(RESOURCE, namespace, name, reconcile, on_error)
    await ctx.runner.run_in_handler(RESOURCE, namespace, name, retry, reconcile, on_error)
    return Outcome()


async def write_status(
    ctx: OperatorContext, agent: Body, life: AgentLifecycle, serving: Serving | None
) -> None:
    meta = agent["metadata"]
    spec = agent.get("spec") or {}
    mode = spec.get("mode") or AgentMode.STANDARD
    status: Body = {
        "observedGeneration": meta.get("generation"),
        "conditions": life.to_wire(),
        "dispatchName": dispatch_name_for(meta["namespace"], meta["name"], mode),
    }
    if serving is not None:
        replicas = serving.deployment or {}
        status |= {
            "revision": serving.revision,
            "artifactDigest": serving.artifact_digest,
            "replicas": (replicas.get("spec") or {}).get("replicas"),
            "readyReplicas": (replicas.get("status") or {}).get("readyReplicas") or 0,
        }
    elif mode == AgentMode.STANDARD:
        # An agent switched from custom to standard no longer has a revision of its own.
        status |= dict.fromkeys(("revision", "artifactDigest", "replicas", "readyReplicas"))
    await ctx.kube.patch_status(VOICE_AGENTS, meta["namespace"], meta["name"], status)
