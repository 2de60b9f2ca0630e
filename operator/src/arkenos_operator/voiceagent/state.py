"""What the VoiceAgent feature remembers between reconciles, per agent, in kopf's memo.

Created by the feature's startup handler; an agent's entries go when the agent goes
(:meth:`VoiceAgentState.forget`, from the deletion handler), so the state of an operator that
has seen a million agents come and go is the state of the agents that exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import kopf

from arkenos_crds.voiceagent import VoiceAgentSpec
from arkenos_operator.kernel.sweep import Sweep
from arkenos_operator.voiceagent.readiness import ReadinessClient

MEMO_KEY = "voiceagent"

#: (namespace, agent name)
AgentKey = tuple[str, str]
#: (plural, name) of a child in the agent's namespace
ChildKey = tuple[str, str]


@dataclass
class ParsedSpec:
    uid: str
    generation: int
    spec: VoiceAgentSpec


@dataclass
class VoiceAgentState:
    #: The agent's parsed spec for its current (uid, generation): a generation's spec never
    #: changes, and validating it (CEL rules included) costs more than the rest of a reconcile.
    specs: dict[AgentKey, ParsedSpec] = field(default_factory=dict)
    #: Fingerprint of each child this process applied, to skip re-applying it unchanged.
    applied: dict[AgentKey, dict[ChildKey, bytes]] = field(default_factory=dict)
    #: resourceVersion our last write of each child produced, to ignore its watch echo.
    own_writes: dict[AgentKey, dict[ChildKey, str]] = field(default_factory=dict)
    #: When (monotonic seconds) the API last said the agent is servable: a custom agent's
    #: reconciles that its children trigger (a build ending, pods becoming ready) take that
    #: answer while it is recent instead of asking again.
    servable_at: dict[AgentKey, float] = field(default_factory=dict)

    def forget(self, namespace: str, name: str) -> None:
        key = (namespace, name)
        self.specs.pop(key, None)
        self.applied.pop(key, None)
        self.own_writes.pop(key, None)
        self.servable_at.pop(key, None)

    def size(self) -> int:
        """Entries held, for tests and metrics."""
        return (
            len(self.specs)
            + sum(len(v) for v in self.applied.values())
            + sum(len(v) for v in self.own_writes.values())
            + len(self.servable_at)
        )


@dataclass
class VoiceAgentFeature:
    """The feature's entry in kopf's memo: per-agent state, the API readiness client, and the
    sweep that scales and resyncs custom agents (started at startup, stopped at cleanup)."""

    state: VoiceAgentState
    readiness: ReadinessClient
    sweep: Sweep[AgentKey]


def feature_of(memo: Any) -> VoiceAgentFeature:
    feature = memo.get(MEMO_KEY) if isinstance(memo, kopf.Memo) else None
    if not isinstance(feature, VoiceAgentFeature):
        raise RuntimeError("The VoiceAgent state is missing from kopf's memo: startup did not run.")
    return feature
