"""Supervision of a running call, the same for both entry points: report the session (and
end it as Drained when a drain cuts it off) and end the call at the spec's maximum duration."""

from __future__ import annotations

import asyncio
from typing import Any

from livekit.agents import Agent, AgentSession, JobContext

from arkenos_agent_runtime.call.pipeline import room_options
from arkenos_agent_runtime.call.reporting import report_session
from arkenos_agent_runtime.call.setup import CallStart
from arkenos_agent_runtime.reporting.reporter import SessionReporter
from arkenos_agent_runtime.services import CallServices
from arkenos_agent_runtime.tools.context import CallData
from arkenos_crds.runtime import EndReason


def supervise_call(
    ctx: JobContext,
    services: CallServices,
    session: AgentSession[Any],
    call: CallData,
    start: CallStart,
) -> SessionReporter:
    """Report the session, and end the call after the spec's maximum duration (Timeout)."""
    reporter = report_session(
        ctx,
        services,
        call.config,
        session,
        start.parties,
        dispatched=start.dispatched,
        end_reason=lambda: call.end_reason,
        on_registered=call.session_id.set,
    )
    _limit_duration(ctx, call, call.config.spec.max_call_duration_seconds)
    return reporter


async def start_supervised(
    ctx: JobContext,
    services: CallServices,
    call: CallData,
    start: CallStart,
    session: AgentSession[Any],
    agent: Agent,
) -> None:
    """Supervise ``session`` and start it in the call's room with ``agent``.

    livekit's session host stays off: it answers any participant of the room on the
    ``lk.agent.session`` topic, so a caller could read the agent's instructions, tools and
    chat context, inject turns (``run_input``) and receive every tool call's arguments and
    output as the session streams its events to the room. The caller gets what the dashboard
    and LiveKit's clients use instead: the agent's state as a participant attribute and the
    transcript as ``lk.transcription`` text streams."""
    supervise_call(ctx, services, session, call, start)
    start.timeline.watch(session, services.metrics)
    await session.start(agent=agent, room=ctx.room, room_options=room_options(), session_host=False)
    start.timeline.mark("session")


def _limit_duration(ctx: JobContext, call: CallData, seconds: int) -> None:
    def end() -> None:
        call.end_reason = EndReason.TIMEOUT
        ctx.shutdown(reason="maximum call duration reached")

    handle = asyncio.get_running_loop().call_later(seconds, end)

    async def cancel(_: str) -> None:
        handle.cancel()

    ctx.add_shutdown_callback(cancel)
