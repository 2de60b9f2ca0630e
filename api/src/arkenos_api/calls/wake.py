"""Waking a custom agent that has no ready pod when a call to it starts.

A custom agent with ``min: 0`` scales to zero pods; then nobody is registered under its
dispatch name, and the call's explicit dispatch waits in LiveKit until a worker registers. The
operator cannot see that wait, so the API marks the agent (``WAKE_ANNOTATION``, the time of
the call) and the operator counts the mark as a call waiting for a pod while it is recent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from arkenos_api.core.db import utcnow
from arkenos_api.core.kube import Kube
from arkenos_crds.runtime import WAKE_ANNOTATION
from arkenos_crds.voiceagent import AgentMode


def needs_wake(resource: dict[str, Any]) -> bool:
    """A custom agent none of whose pods is ready (scaled to zero, or still cold-starting)."""
    spec, status = resource.get("spec") or {}, resource.get("status") or {}
    return spec.get("mode") == AgentMode.CUSTOM and not status.get("readyReplicas")


def wake_mark(now: datetime) -> dict[str, Any]:
    """The merge patch that marks demand: an RFC 3339 UTC time, to the second."""
    stamp = now.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return {"metadata": {"annotations": {WAKE_ANNOTATION: stamp}}}


async def wake_if_asleep(kube: Kube, namespace: str, name: str, resource: dict[str, Any]) -> None:
    if needs_wake(resource):
        await kube.patch_voice_agent(namespace, name, wake_mark(utcnow()))
