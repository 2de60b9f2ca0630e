"""The VoiceAgent reconciler: parse the spec, reconcile it as a standard or custom agent, and
say in status what serves it (conditions, observedGeneration, dispatch name, serving revision
and replicas). The kernel's runner locks, writes the status and maps failures to kopf."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from arkenos_crds.voiceagent import AgentMode, VoiceAgentSpec, dispatch_name_for
from arkenos_operator.context import OperatorContext
from arkenos_operator.kernel.errors import ReconcileError, parse_spec
from arkenos_operator.kube import VOICE_AGENTS
from arkenos_operator.voiceagent.custom import Serving, reconcile_custom
from arkenos_operator.voiceagent.inputs import Inputs
from arkenos_operator.voiceagent.lifecycle import AgentLifecycle
from arkenos_operator.voiceagent.readiness import ReadinessClient
from arkenos_operator.voiceagent.scale import needs_reconcile, plan
from arkenos_operator.voiceagent.standard import reconcile_standard
from arkenos_operator.voiceagent.state import ParsedSpec, VoiceAgentState

Body = dict[str, Any]
RESOURCE = "voiceagent"
SERVING_FIELDS = (
    "revision",
    "artifactDigest",
    "replicas",
    "readyReplicas",
    "activeSessions",
    "lastDecision",
)


def cached_spec(state: VoiceAgentState, agent: Body) -> VoiceAgentSpec:
    """The agent's parsed spec, parsed once per (uid, generation)."""
    meta = agent["metadata"]
    key = (meta["namespace"], meta["name"])
    uid, generation = str(meta.get("uid")), int(meta.get("generation") or 0)
    cached = state.specs.get(key)
    if cached is None or (cached.uid, cached.generation) != (uid, generation):
        cached = state.specs[key] = ParsedSpec(uid, generation, parse_spec(VoiceAgentSpec, agent))
    return cached.spec


def lifecycle_of(agent: Body) -> AgentLifecycle:
    spec = agent.get("spec") or {}
    custom = spec.get("mode") == AgentMode.CUSTOM
    builds = custom and "bundle" in ((spec.get("custom") or {}).get("source") or {})
    return AgentLifecycle(agent, custom=custom, builds=builds)


@dataclass(frozen=True)
class AgentReconciler:
    """One trigger's reconciler: ``inputs`` are the indexes kopf handed that trigger."""

    ctx: OperatorContext
    state: VoiceAgentState
    readiness: ReadinessClient
    inputs: Inputs
    resource = RESOURCE
    kind = VOICE_AGENTS

    async def fetch(self, obj: Body) -> VoiceAgentSpec:
        return cached_spec(self.state, obj)

    async def reconcile(self, obj: Body, spec: VoiceAgentSpec) -> Body:
        life = lifecycle_of(obj)
        if spec.mode == AgentMode.CUSTOM:
            # Asked first: in a namespace that is not a workspace nothing should run.
            await self.check_servable(obj)
            serving = await reconcile_custom(
                self.ctx, self.state, obj, spec, life, self.inputs, self.readiness.session
            )
            life.summarize(serving.revision)
            return agent_status(obj, life, serving)
        await reconcile_standard(self.ctx, obj, spec, life, self.inputs, self.readiness)
        return agent_status(obj, life, None)

    async def check_servable(self, obj: Body) -> None:
        """Ask the API whether calls to a custom agent would be served. A reconcile its
        children triggered (``force`` off: a build ending, pods becoming ready, a scaler
        tick) takes a "yes" younger than the re-check delay instead: those come seconds
        apart while an agent starts, and a change of the agent itself, its resync and every
        "no" ask again."""
        meta = obj["metadata"]
        key = (meta["namespace"], meta["name"])
        asked = self.state.servable_at.get(key)
        now = time.monotonic()
        if not self.inputs.force and asked is not None and now - asked < self.recheck:
            return
        self.state.servable_at.pop(key, None)
        await self.readiness.check(*key)
        self.state.servable_at[key] = now

    @property
    def recheck(self) -> float:
        return self.readiness.recheck_seconds

    async def scale_has_news(self, obj: Body) -> bool:
        """Whether a scaler tick should reconcile: measured without the lock (a read only);
        the reconcile it triggers measures again under the lock."""
        try:
            spec = cached_spec(self.state, obj)
        except ReconcileError:
            return False  # an invalid spec: its status already says so
        if spec.custom is None:
            return False
        ctx = self.ctx
        now = datetime.now(UTC)
        meta = obj["metadata"]
        pods = self.inputs.pods_of_agent(meta["namespace"], meta["name"])
        found = await plan(ctx.settings, self.readiness.session, obj, spec.custom, pods, now)
        return needs_reconcile(obj, found)

    def failed(self, obj: Body, spec: VoiceAgentSpec | None, error: ReconcileError) -> Body:
        life = lifecycle_of(obj)
        life.mark_not_ready(error.reason, error.message)
        return agent_status(obj, life, None)


def agent_status(agent: Body, life: AgentLifecycle, serving: Serving | None) -> Body:
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
        if serving.scale is not None:
            status |= serving.scale.status()
    elif mode == AgentMode.STANDARD:
        # An agent switched from custom to standard no longer has a revision of its own.
        status |= dict.fromkeys(SERVING_FIELDS)
    return status
