"""One standard call: the shared call core (``arkenos_agent_runtime.call``) with the
standard Agent built from the spec: instructions and greeting with the call's variables, the
spec's tools."""

from __future__ import annotations

from livekit.agents import JobContext

from arkenos_agent_runtime.call.session import build_session
from arkenos_agent_runtime.call.setup import CallStart, call_data, call_vad, open_call
from arkenos_agent_runtime.call.supervision import start_supervised
from arkenos_agent_runtime.services import CallServices
from arkenos_agent_runtime.standard.session import build_agent
from arkenos_agent_runtime.standard.variables import call_variables


async def run_standard_call(ctx: JobContext, services: CallServices) -> None:
    await start_standard_session(ctx, services, await open_call(ctx, services))


async def start_standard_session(ctx: JobContext, services: CallServices, start: CallStart) -> None:
    config = start.config
    call = call_data(ctx, services, start)
    vad_model = await call_vad(ctx, config)
    session = build_session(config, vad=vad_model, call=call, clients=services.openai)
    agent = build_agent(config, call_variables(config, start.metadata, start.parties.caller))
    await start_supervised(ctx, services, call, start, session, agent)
