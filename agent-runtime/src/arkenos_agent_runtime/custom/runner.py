"""Runs one call of a custom agent: fetch the agent's config with its own token, hand the
user's entrypoint an AgentContext whose ``start`` attaches the platform's reporting."""

from __future__ import annotations

import asyncio
import inspect
import time
from typing import Any

from livekit.agents import Agent, AgentSession, JobContext

from arkenos_agent_runtime.custom.context import AgentContext
from arkenos_agent_runtime.reporting.job import report_session
from arkenos_agent_runtime.services import CallServices
from arkenos_agent_runtime.standard.call import call_parties, dispatch_metadata
from arkenos_agent_runtime.standard.pipeline import VADCache
from arkenos_crds.runtime import CallDirection


async def run_agent_class(ctx: AgentContext, agent_class: Any) -> None:
    """The entrypoint used when user code exposes an Agent subclass instead of a function:
    constructed with ``instructions=`` (the spec's) when it takes them, else with nothing."""
    takes_instructions = "instructions" in inspect.signature(agent_class).parameters
    kwargs = {"instructions": ctx.config.spec.instructions} if takes_instructions else {}
    await ctx.start(ctx.build_session(), agent_class(**kwargs))


def custom_call(user_code: Any, workspace: str, agent: str) -> Any:
    """The job function for the runner's WorkerHost."""

    async def run(job: JobContext, services: CallServices) -> None:
        dispatched = getattr(job._info, "received_at", 0.0) or time.time()
        config_task = asyncio.create_task(services.api.runtime_config(workspace, agent))
        await job.connect()
        metadata = dispatch_metadata(job.job.metadata or "", job.room.metadata or "")
        participant = None
        if metadata.direction != CallDirection.WEB:
            participant = await job.wait_for_participant()
        config = await config_task
        parties = call_parties(metadata, participant)
        cache: VADCache = job.proc.userdata["vad_cache"]
        vad_model = await asyncio.to_thread(cache.get, config.spec.turn_detection.vad)

        async def start(session: AgentSession[Any], user_agent: Agent) -> None:
            report_session(job, services, config, session, parties, dispatched=dispatched)
            await session.start(agent=user_agent, room=job.room)

        context = AgentContext(
            config=config, job=job, vad=vad_model, _starter=start, _clients=services.openai
        )
        if inspect.isclass(user_code):
            await run_agent_class(context, user_code)
        else:
            await user_code(context)

    return run
