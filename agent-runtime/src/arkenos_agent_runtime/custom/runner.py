"""Runs one call of a custom agent: the shared call core (``arkenos_agent_runtime.call``),
fetching the agent's config with its own token, then the user's entrypoint with an
AgentContext whose ``start`` supervises the session as a standard call's is."""

from __future__ import annotations

import inspect
from typing import Any

from livekit.agents import Agent, AgentSession, JobContext

from arkenos_agent_runtime.call.setup import CallStart, call_data, call_vad, open_call
from arkenos_agent_runtime.call.supervision import start_supervised
from arkenos_agent_runtime.custom.context import AgentContext
from arkenos_agent_runtime.services import CallServices


async def run_agent_class(ctx: AgentContext, agent_class: Any) -> None:
    """The entrypoint used when user code exposes an Agent subclass instead of a function:
    constructed with ``instructions=`` (the spec's) when it takes them, else with nothing."""
    takes_instructions = "instructions" in inspect.signature(agent_class).parameters
    kwargs = {"instructions": ctx.config.spec.instructions} if takes_instructions else {}
    await ctx.start(ctx.build_session(), agent_class(**kwargs))


def custom_call(user_code: Any, workspace: str, agent: str) -> Any:
    """The job function for the runner's WorkerHost."""

    async def run(job: JobContext, services: CallServices) -> None:
        start = await open_call(job, services, agent=(workspace, agent))
        await start_custom_session(job, services, start, user_code)

    return run


async def start_custom_session(
    job: JobContext, services: CallServices, start: CallStart, user_code: Any
) -> None:
    call = call_data(job, services, start)
    vad_model = await call_vad(job, start.config)

    async def supervised(session: AgentSession[Any], user_agent: Agent) -> None:
        await start_supervised(job, services, call, start, session, user_agent)

    context = AgentContext(
        config=start.config,
        job=job,
        vad=vad_model,
        _starter=supervised,
        _clients=services.openai,
        _call=call,
    )
    if inspect.isclass(user_code):
        await run_agent_class(context, user_code)
    else:
        await user_code(context)
