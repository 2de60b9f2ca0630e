"""Serving a call whose agent was asleep: dispatching it again once a pod of the agent is up.

LiveKit dispatches a room's agents once, when the room is made; with no worker registered
under the dispatch name it logs "not dispatching agent job since no worker is available" and
drops the job (it does not retry when a worker registers later). A custom agent at zero pods
has no worker, so the call's dispatch, made by the API (browser, outbound) or by a PhoneNumber's
SIP dispatch rule (inbound), is never taken by itself. The API marks the agent for waking
(:mod:`.wake`) and hands the room to the :class:`Redispatcher`: it polls the agent until a pod
is ready (readiness is "registered with LiveKit"), then replaces the job-less dispatch with the
same one (same agent name, same metadata), and checks again after a grace period until a job
has taken it, the room is gone or ``wake_wait_seconds`` have passed.

The waits are tasks of this process (made in the lifespan, cancelled at shutdown): a restart of
the API during a cold start leaves that call unserved, and the caller hangs up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from livekit import api as lk

from arkenos_api.calls.rooms import LIVEKIT_ERRORS
from arkenos_api.core.kube import Kube
from arkenos_api.core.livekit import LiveKit

log = logging.getLogger(__name__)

#: After a dispatch is made, how long a worker gets to take it before it is made again.
TAKE_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class Waiting:
    """A call's room and the dispatch it waits on."""

    room: str
    namespace: str
    agent: str
    dispatch_name: str
    metadata: str


@dataclass
class Redispatcher:
    """The calls of this API process that wait for a woken agent (see the module)."""

    kube: Kube
    livekit: LiveKit
    wait_seconds: float
    poll_seconds: float
    take_grace_seconds: float = TAKE_GRACE_SECONDS
    tasks: dict[tuple[str, str], asyncio.Task[bool]] = field(default_factory=dict)

    def watch(self, waiting: Waiting) -> None:
        """Serve ``waiting`` in the background; once per room and dispatch name."""
        key = (waiting.room, waiting.dispatch_name)
        if key in self.tasks:
            return
        task = asyncio.create_task(self._serve(waiting), name=f"redispatch {waiting.room}")
        self.tasks[key] = task
        task.add_done_callback(lambda _: self.tasks.pop(key, None))

    async def close(self) -> None:
        tasks = list(self.tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _serve(self, waiting: Waiting) -> bool:
        """True once a job took the room's dispatch; False when the wait ended without one."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_seconds
        try:
            while loop.time() < deadline:
                state = await self._dispatches(waiting)
                if not state:
                    return False  # the call is over: its room (or its dispatch) is gone
                if any(d.state.jobs for d in state):
                    return True
                if await self._agent_ready(waiting):
                    await self._dispatch_again(waiting, state)
                    await asyncio.sleep(self.take_grace_seconds)
                else:
                    await asyncio.sleep(self.poll_seconds)
        except LIVEKIT_ERRORS as exc:
            log.warning("re-dispatching room %s failed: %s", waiting.room, exc)
            return False
        log.warning(
            "room %s: no pod of %s/%s took the call within %.0f s",
            waiting.room,
            waiting.namespace,
            waiting.agent,
            self.wait_seconds,
        )
        return False

    async def _dispatches(self, waiting: Waiting) -> list[lk.AgentDispatch] | None:
        """The room's dispatches to the agent's name; None when the room is gone (LiveKit
        answers not_found, or lists nothing for a room it no longer has)."""
        try:
            found = await self.livekit.client.agent_dispatch.list_dispatch(waiting.room)
        except lk.TwirpError as exc:
            if exc.code == lk.TwirpErrorCode.NOT_FOUND:
                return None
            raise
        return [d for d in found if d.agent_name == waiting.dispatch_name]

    async def _agent_ready(self, waiting: Waiting) -> bool:
        resource = await self.kube.get_voice_agent(waiting.namespace, waiting.agent)
        if resource is None:
            return False
        return bool((resource.get("status") or {}).get("readyReplicas"))

    async def _dispatch_again(self, waiting: Waiting, stale: list[lk.AgentDispatch]) -> None:
        for dispatch in stale:
            await self.livekit.client.agent_dispatch.delete_dispatch(dispatch.id, waiting.room)
        request = lk.CreateAgentDispatchRequest(
            agent_name=waiting.dispatch_name, room=waiting.room, metadata=waiting.metadata
        )
        await self.livekit.client.agent_dispatch.create_dispatch(request)
        log.info("room %s dispatched again to %s", waiting.room, waiting.dispatch_name)
