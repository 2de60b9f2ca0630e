"""The VoiceAgent a line points at: whether it exists, whether it is Ready, and the LiveKit
dispatch name its calls go to (its status.dispatchName once the agent reconciler wrote it,
else computed the same way)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from arkenos_crds.meta import ConditionStatus
from arkenos_crds.voiceagent import AgentMode, VoiceAgentConditionType, dispatch_name_for
from arkenos_operator.kube import VOICE_AGENTS, KubeClient


@dataclass(frozen=True)
class AgentView:
    name: str
    found: bool
    ready: bool
    dispatch_name: str | None
    #: Why the agent is not Ready, in the agent's own words.
    message: str


def agent_view(name: str, namespace: str, body: dict[str, Any] | None) -> AgentView:
    if body is None:
        return AgentView(name, False, False, None, "")
    status = body.get("status") or {}
    mode = (body.get("spec") or {}).get("mode") or AgentMode.STANDARD
    dispatch_name = status.get("dispatchName") or dispatch_name_for(namespace, name, mode)
    ready = next(
        (
            c
            for c in status.get("conditions") or []
            if c.get("type") == VoiceAgentConditionType.READY
        ),
        None,
    )
    is_ready = ready is not None and ready.get("status") == ConditionStatus.TRUE
    message = "" if ready is None else str(ready.get("message") or ready.get("reason") or "")
    return AgentView(name, True, is_ready, dispatch_name, message)


async def fetch_agent(kube: KubeClient, namespace: str, name: str) -> AgentView:
    return agent_view(name, namespace, await kube.get_or_none(VOICE_AGENTS, namespace, name))
