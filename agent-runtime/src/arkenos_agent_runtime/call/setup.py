"""A call's start, the same for both entry points: read which agent the job is for, fetch its
runtime config while the room connects (cancelled when the connection fails), wait for the
SIP participant on phone calls, and gather the call's data and VAD."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from livekit.agents import JobContext, vad

from arkenos_agent_runtime.call.dispatch import call_parties, dispatch_metadata
from arkenos_agent_runtime.call.pipeline import VADCache
from arkenos_agent_runtime.call.timeline import CallTimeline
from arkenos_agent_runtime.services import CallParties, CallServices
from arkenos_agent_runtime.tools.context import CallData
from arkenos_agent_runtime.tools.telephony import ApiTelephony, CallSessionId
from arkenos_crds.runtime import CallDirection, DispatchMetadata, RuntimeConfig


@dataclass(frozen=True)
class CallStart:
    """What a call knows once its room is joined and its config fetched."""

    config: RuntimeConfig
    metadata: DispatchMetadata
    parties: CallParties
    #: When LiveKit dispatched the job (epoch seconds).
    dispatched: float
    #: The call's setup instants so far; the session's start and greeting are added later.
    timeline: CallTimeline = field(default_factory=CallTimeline)


async def open_call(
    ctx: JobContext, services: CallServices, *, agent: tuple[str, str] | None = None
) -> CallStart:
    """Join the room and fetch the config of the job's agent. ``agent`` (workspace, name):
    the one agent a custom runner serves, which its dispatch name already implies."""
    timeline = CallTimeline.of_job(ctx)
    # livekit's dispatch timeline; private, so fall back to now if it moves.
    dispatched = timeline.at.get("received") or time.time()
    if not ctx.job.metadata.strip():
        # A dispatch rule may put the metadata on the room instead, readable once connected.
        await ctx.connect()
    metadata = dispatch_metadata(ctx.job.metadata, ctx.room.metadata or "")
    workspace, name = agent or (metadata.workspace, metadata.agent)
    # The config fetch and the room connection overlap: both are on the job start's path.
    config_task = asyncio.create_task(services.api.runtime_config(workspace, name))
    config_task.add_done_callback(lambda task: _mark_fetched(timeline, task))
    try:
        await ctx.connect()
        timeline.mark("connected")
        participant = None
        if metadata.direction != CallDirection.WEB:
            participant = await ctx.wait_for_participant()
    except BaseException:
        config_task.cancel()
        raise
    config = await config_task
    parties = call_parties(metadata, participant)
    return CallStart(config, metadata, parties, dispatched, timeline)


def _mark_fetched(timeline: CallTimeline, task: asyncio.Task[RuntimeConfig]) -> None:
    if not task.cancelled() and task.exception() is None:
        timeline.mark("config")


def call_data(ctx: JobContext, services: CallServices, start: CallStart) -> CallData:
    """The per-call data tools read through RunContext. Telephony goes through the API for
    the session the call's reporter registers, in every worker (the pool's and a custom
    agent's alike): no worker needs LiveKit server credentials for it."""
    session_id = CallSessionId()
    return CallData(
        config=start.config,
        room=ctx.room.name,
        sip_participant=start.parties.sip_identity,
        telephony=ApiTelephony(services.api, session_id),
        session_id=session_id,
        guard=services.guard,
        http=services.http,
        metrics=services.metrics,
    )


async def call_vad(ctx: JobContext, config: RuntimeConfig) -> vad.VAD:
    cache: VADCache = ctx.proc.userdata["vad_cache"]
    # Settings other than the prewarmed defaults load a model: off the event loop.
    return await asyncio.to_thread(cache.get, config.spec.turn_detection.vad)
