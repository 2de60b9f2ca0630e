"""Wires reporting into a LiveKit job: registers the session, observes the AgentSession,
keeps the active-sessions gauge, and flushes and ends the session at job shutdown (through
``CallServices.shutdown``, which the host runs before it closes the API client)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from livekit.agents import AgentSession, JobContext
from livekit.agents.voice.events import CloseReason

from arkenos_agent_runtime.reporting.reporter import SessionReporter
from arkenos_agent_runtime.reporting.session_events import SessionObserver, usage_providers
from arkenos_agent_runtime.services import CallParties, CallServices
from arkenos_crds.runtime import EndReason, RuntimeConfig, SessionStart


def report_session(
    ctx: JobContext,
    services: CallServices,
    config: RuntimeConfig,
    session: AgentSession[Any],
    parties: CallParties,
    *,
    dispatched: float,
    end_reason: Callable[[], EndReason | None] = lambda: None,
    on_registered: Callable[[UUID], None] | None = None,
) -> SessionReporter:
    start = SessionStart(
        workspace=config.workspace,
        agent=config.agent,
        room=ctx.room.name,
        job_id=ctx.job.id,
        direction=parties.direction,
        caller=parties.caller,
        callee=parties.callee,
        dispatched_at=datetime.fromtimestamp(dispatched, UTC),
        started_at=datetime.now(UTC),
    )
    reporter = SessionReporter(services.api, start, services.reporting, on_registered=on_registered)
    SessionObserver(reporter, services.metrics, usage_providers(config.spec)).attach(session)
    closed: dict[str, Any] = {}
    session.on("close", lambda event: closed.update(error=event.error, reason=event.reason))
    reporter.start()
    if services.metrics is not None:
        services.metrics.active_sessions.inc()

    async def finish(reason: str) -> None:
        if services.metrics is not None:
            services.metrics.active_sessions.dec()
        error = closed.get("error")
        caller_left = closed.get("reason") == CloseReason.PARTICIPANT_DISCONNECTED
        end = end_reason() or _end_reason(
            reason, error, draining=services.draining(), caller_left=caller_left
        )
        await reporter.close(end, str(error) if error else None)

    services.shutdown.append(finish)
    return reporter


def _end_reason(
    shutdown_reason: str, error: object, *, draining: bool, caller_left: bool
) -> EndReason:
    if error is not None:
        return EndReason.ERROR
    # While the worker drains, a caller who hangs up still ends the call normally.
    if caller_left:
        return EndReason.CALLER_HUNG_UP
    # A call the drain timeout cuts off is shut down as "parent process shutdown".
    if draining or "drain" in shutdown_reason.lower():
        return EndReason.DRAINED
    return EndReason.CALLER_HUNG_UP
