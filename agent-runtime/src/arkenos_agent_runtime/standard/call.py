"""One standard call, from job to session: read which agent the call is for, fetch its
runtime config, register the session for reporting, build and start the AgentSession."""

from __future__ import annotations

import asyncio
import logging
import time

from livekit import rtc
from livekit.agents import AgentSession, JobContext

from arkenos_agent_runtime.reporting.job import report_session
from arkenos_agent_runtime.reporting.reporter import SessionReporter
from arkenos_agent_runtime.services import CallParties, CallServices
from arkenos_agent_runtime.standard.pipeline import VADCache
from arkenos_agent_runtime.standard.session import build_agent, build_session
from arkenos_agent_runtime.standard.variables import call_variables
from arkenos_agent_runtime.tools.context import CallData
from arkenos_agent_runtime.tools.telephony import LiveKitTelephony
from arkenos_crds.runtime import (
    CallDirection,
    DispatchMetadata,
    EndReason,
    RuntimeConfig,
)

logger = logging.getLogger("arkenos.worker")

SIP_REMOTE_ATTRIBUTE = "sip.phoneNumber"
SIP_TRUNK_ATTRIBUTE = "sip.trunkPhoneNumber"


class DispatchError(Exception):
    """The job does not say which agent it is for."""


def dispatch_metadata(job_metadata: str, room_metadata: str = "") -> DispatchMetadata:
    for source in (job_metadata, room_metadata):
        if source.strip():
            return DispatchMetadata.model_validate_json(source)
    raise DispatchError("the job and room carry no dispatch metadata naming the agent")


def call_parties(
    metadata: DispatchMetadata, participant: rtc.RemoteParticipant | None
) -> CallParties:
    """Caller and callee of the call. On SIP, ``sip.phoneNumber`` is the far end and
    ``sip.trunkPhoneNumber`` our number: the caller and callee inbound, the other way out."""
    if participant is None or participant.kind != rtc.ParticipantKind.PARTICIPANT_KIND_SIP:
        return CallParties(metadata.direction, None, metadata.phone_number, None)
    attributes = participant.attributes
    remote = attributes.get(SIP_REMOTE_ATTRIBUTE) or None
    ours = attributes.get(SIP_TRUNK_ATTRIBUTE) or metadata.phone_number
    if metadata.direction == CallDirection.OUTBOUND:
        remote, ours = ours, remote
    return CallParties(
        direction=metadata.direction,
        caller=remote,
        callee=ours,
        sip_identity=participant.identity,
    )


async def run_standard_call(ctx: JobContext, services: CallServices) -> None:
    # livekit's dispatch timeline; private, so fall back to now if it moves.
    dispatched = getattr(ctx._info, "received_at", 0.0) or time.time()
    if not ctx.job.metadata.strip():
        # A dispatch rule may put the metadata on the room instead, readable once connected.
        await ctx.connect()
    metadata = dispatch_metadata(ctx.job.metadata, ctx.room.metadata or "")
    # The config fetch and the room connection overlap: both are on the job start's path.
    config_task = asyncio.create_task(
        services.api.runtime_config(metadata.workspace, metadata.agent)
    )
    try:
        await ctx.connect()
        participant = None
        if metadata.direction != CallDirection.WEB:
            participant = await ctx.wait_for_participant()
    except BaseException:
        config_task.cancel()
        raise
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
    session = build_session(config, vad=vad_model, call=call, clients=services.openai)
    supervise_call(ctx, services, session, call, parties, dispatched)
    await session.start(agent=build_agent(config, variables), room=ctx.room)


def supervise_call(
    ctx: JobContext,
    services: CallServices,
    session: AgentSession[CallData],
    call: CallData,
    parties: CallParties,
    dispatched: float,
) -> SessionReporter:
    """Report the session, and end the call after the spec's maximum duration (Timeout)."""
    reporter = report_session(
        ctx,
        services,
        call.config,
        session,
        parties,
        dispatched=dispatched,
        end_reason=lambda: call.end_reason,
    )
    _limit_duration(ctx, call, call.config.spec.max_call_duration_seconds)
    return reporter


def _limit_duration(ctx: JobContext, call: CallData, seconds: int) -> None:
    def end() -> None:
        call.end_reason = EndReason.TIMEOUT
        ctx.shutdown(reason="maximum call duration reached")

    handle = asyncio.get_running_loop().call_later(seconds, end)

    async def cancel(_: str) -> None:
        handle.cancel()

    ctx.add_shutdown_callback(cancel)
