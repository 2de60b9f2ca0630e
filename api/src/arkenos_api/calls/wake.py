"""Waking a custom agent that has no ready pod when a call to it starts.

A custom agent with ``min: 0`` scales to zero pods; then nobody is registered under its
dispatch name. The operator cannot see a call waiting for it, so the API marks the agent
(``WAKE_ANNOTATION``, the time of the call) and the operator counts the mark as a call waiting
for a pod while it is recent.

Calls the API starts (browser, outbound) are marked before their room is made. An inbound
phone call never passes through the API: Twilio hands it to livekit-sip, whose dispatch rule
makes the room and its dispatch. LiveKit's webhook for the SIP participant joining reaches the
API, which reads the room's dispatches (their metadata names workspace and agent, see
``DispatchMetadata``) and marks the agents of those no worker has taken (``wake_room``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from livekit import api as lk
from pydantic import ValidationError

from arkenos_api.calls.rooms import LIVEKIT_ERRORS
from arkenos_api.core.db import utcnow
from arkenos_api.core.kube import Kube
from arkenos_api.core.livekit import LiveKit, livekit_failed
from arkenos_crds.runtime import WAKE_ANNOTATION, DispatchMetadata
from arkenos_crds.voiceagent import AgentMode


def needs_wake(resource: dict[str, Any]) -> bool:
    """A custom agent none of whose pods is ready (scaled to zero, or still cold-starting)."""
    spec, status = resource.get("spec") or {}, resource.get("status") or {}
    return spec.get("mode") == AgentMode.CUSTOM and not status.get("readyReplicas")


def wake_mark(now: datetime) -> dict[str, Any]:
    """The merge patch that marks demand: an RFC 3339 UTC time, to the second."""
    stamp = now.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return {"metadata": {"annotations": {WAKE_ANNOTATION: stamp}}}


async def wake_if_asleep(kube: Kube, namespace: str, name: str, resource: dict[str, Any]) -> bool:
    """Mark the agent when it needs waking; whether it did."""
    if not needs_wake(resource):
        return False
    await kube.patch_voice_agent(namespace, name, wake_mark(utcnow()))
    return True


@dataclass(frozen=True)
class WaitingDispatch:
    """A dispatch in a room that no worker has taken yet, and the agent it is for."""

    dispatch: lk.AgentDispatch
    metadata: DispatchMetadata


async def waiting_dispatches(livekit: LiveKit, room: str) -> list[WaitingDispatch]:
    """The platform's dispatches in ``room`` without a job (dispatches whose metadata is not
    the platform's are someone else's and are left alone)."""
    try:
        dispatches = await livekit.client.agent_dispatch.list_dispatch(room)
    except lk.TwirpError as exc:
        if exc.code == lk.TwirpErrorCode.NOT_FOUND:
            return []  # the call ended before its webhook arrived
        raise livekit_failed("list the dispatches of the call's room", exc) from exc
    except LIVEKIT_ERRORS as exc:
        raise livekit_failed("list the dispatches of the call's room", exc) from exc
    waiting = []
    for dispatch in dispatches:
        if dispatch.state.jobs:
            continue
        try:
            metadata = DispatchMetadata.model_validate_json(dispatch.metadata or "{}")
        except ValidationError:
            continue
        waiting.append(WaitingDispatch(dispatch, metadata))
    return waiting


async def wake_room(kube: Kube, livekit: LiveKit, room: str) -> list[WaitingDispatch]:
    """Mark the asleep agents that ``room``'s waiting dispatches are for; return those
    dispatches (they wait for the agent's first pod)."""
    woken: list[WaitingDispatch] = []
    marked: set[tuple[str, str]] = set()
    for waiting in await waiting_dispatches(livekit, room):
        key = (waiting.metadata.workspace, waiting.metadata.agent)
        resource = await kube.get_voice_agent(*key)
        if resource is None or not needs_wake(resource):
            continue
        if key not in marked:
            await kube.patch_voice_agent(*key, wake_mark(utcnow()))
            marked.add(key)
        woken.append(waiting)
    return woken
