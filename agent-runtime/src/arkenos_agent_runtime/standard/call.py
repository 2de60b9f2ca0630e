"""One standard call, from job to session: read which agent the call is for, fetch its
runtime config, register the session for reporting, build and start the AgentSession."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from livekit import rtc
from livekit.agents import JobContext

from arkenos_agent_runtime.api_client import RuntimeAPI
from arkenos_agent_runtime.health.metrics import WorkerMetrics
from arkenos_agent_runtime.reporting.reporter import ReportingOptions, SessionReporter
from arkenos_agent_runtime.reporting.session_events import SessionObserver, usage_providers
from arkenos_agent_runtime.standard.pipeline import VADCache
from arkenos_agent_runtime.standard.session import build_agent, build_session
from arkenos_agent_runtime.standard.variables import call_variables
from arkenos_agent_runtime.tools.context import CallData
from arkenos_agent_runtime.tools.ssrf import SSRFGuard
from arkenos_agent_runtime.tools.telephony import LiveKitTelephony
from arkenos_crds.runtime import (
    CallDirection,
    DispatchMetadata,
    EndReason,
    RuntimeConfig,
    SessionStart,
)

logger = logging.getLogger("arkenos.worker")

SIP_CALLER_ATTRIBUTE = "sip.phoneNumber"
SIP_CALLED_ATTRIBUTE = "sip.trunkPhoneNumber"


class DispatchError(Exception):
    """The job does not say which agent it is for."""


def dispatch_metadata(job_metadata: str, room_metadata: str = "") -> DispatchMetadata:
    for source in (job_metadata, room_metadata):
        if source.strip():
            return DispatchMetadata.model_validate_json(source)
    raise DispatchError("the job and room carry no dispatch metadata naming the agent")


@dataclass(frozen=True)
class CallParties:
    direction: CallDirection
    caller: str | None
    callee: str | None
    sip_identity: str | None


def call_parties(
    metadata: DispatchMetadata, participant: rtc.RemoteParticipant | None
) -> CallParties:
    if participant is None or participant.kind != rtc.ParticipantKind.PARTICIPANT_KIND_SIP:
        return CallParties(metadata.direction, None, metadata.phone_number, None)
    attributes = participant.attributes
    return CallParties(
        direction=metadata.direction,
        caller=attributes.get(SIP_CALLER_ATTRIBUTE) or None,
        callee=attributes.get(SIP_CALLED_ATTRIBUTE) or metadata.phone_number,
        sip_identity=participant.identity,
    )


@dataclass
class CallServices:
    """What a call borrows from its worker process."""

    api: RuntimeAPI
    guard: SSRFGuard
    metrics: WorkerMetrics | None
    reporting: ReportingOptions
    http: httpx.AsyncClient


async def run_standard_call(ctx: JobContext, services: CallServices) -> None:
    dispatched = getattr(ctx._info, "received_at", 0.0) or time.time()
    metadata = dispatch_metadata(ctx.job.metadata)
    config_task = asyncio.create_task(
        services.api.runtime_config(metadata.workspace, metadata.agent)
    )
    await ctx.connect()
    participant = None
    if metadata.direction != CallDirection.WEB:
        participant = await ctx.wait_for_participant()
    config = await config_task
    parties = call_parties(metadata, participant)
    await start_session(ctx, services, config, metadata, parties, dispatched)


async def start_session(
    ctx: JobContext,
    services: CallServices,
    config: RuntimeConfig,
    metadata: DispatchMetadata,
    parties: CallParties,
    dispatched: float,
) -> None:
    call = CallData(
        config=config,
        room=ctx.room.name,
        sip_participant=parties.sip_identity,
        telephony=LiveKitTelephony(ctx.api),
        guard=services.guard,
        http=services.http,
        metrics=services.metrics,
    )
    variables = call_variables(config, metadata, parties.caller)
    cache: VADCache = ctx.proc.userdata["vad_cache"]
    # Settings other than the prewarmed defaults load a model: off the event loop.
    vad_model = await asyncio.to_thread(cache.get, config.spec.turn_detection.vad)
    session = build_session(config, vad=vad_model, call=call)
    reporter = SessionReporter(
        services.api,
        SessionStart(
            workspace=config.workspace,
            agent=config.agent,
            room=ctx.room.name,
            job_id=ctx.job.id,
            direction=parties.direction,
            caller=parties.caller,
            callee=parties.callee,
            dispatched_at=datetime.fromtimestamp(dispatched, UTC),
            started_at=datetime.now(UTC),
        ),
        services.reporting,
    )
    SessionObserver(reporter, services.metrics, usage_providers(config.spec)).attach(session)
    closed: dict[str, Any] = {}
    session.on("close", lambda event: closed.setdefault("error", event.error))
    reporter.start()
    if services.metrics is not None:
        services.metrics.active_sessions.inc()

    async def finish(reason: str) -> None:
        if services.metrics is not None:
            services.metrics.active_sessions.dec()
        end = call.end_reason or _end_reason(reason, closed.get("error"))
        error = str(closed["error"]) if closed.get("error") else None
        await reporter.close(end, error)

    ctx.add_shutdown_callback(finish)
    _limit_duration(ctx, call, config.spec.max_call_duration_seconds)
    await session.start(agent=build_agent(config, variables), room=ctx.room)


def _end_reason(shutdown_reason: str, error: object) -> EndReason:
    if error is not None:
        return EndReason.ERROR
    if "drain" in shutdown_reason.lower():
        return EndReason.DRAINED
    return EndReason.CALLER_HUNG_UP


def _limit_duration(ctx: JobContext, call: CallData, seconds: int) -> None:
    def end() -> None:
        call.end_reason = EndReason.TIMEOUT
        ctx.shutdown(reason="maximum call duration reached")

    handle = asyncio.get_running_loop().call_later(seconds, end)

    async def cancel(_: str) -> None:
        handle.cancel()

    ctx.add_shutdown_callback(cancel)
