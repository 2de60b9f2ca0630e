"""A custom Arkenos voice agent. The platform calls ``entrypoint`` for every call.

``ctx.config.spec`` is this agent's VoiceAgent spec (instructions, greeting, STT/LLM/TTS
settings); ``ctx.build_session()`` builds the voice pipeline it describes, and
``ctx.start(session, agent)`` joins the call with transcripts, usage and latency reported to
the dashboard. Add packages you need to requirements.txt.
"""

from datetime import UTC, datetime

from livekit.agents import Agent, RunContext, function_tool

from arkenos_agent_runtime.custom import AgentContext


class Assistant(Agent):
    def __init__(self, instructions: str) -> None:
        super().__init__(instructions=instructions)

    @function_tool
    async def current_time(self, context: RunContext[None]) -> str:
        """Tell the current time in UTC, when the caller asks for it."""
        return datetime.now(UTC).strftime("%H:%M UTC")

    async def on_enter(self) -> None:
        self.session.generate_reply(instructions="Greet the caller and offer your help.")


async def entrypoint(ctx: AgentContext) -> None:
    session = ctx.build_session()
    await ctx.start(session, Assistant(instructions=ctx.config.spec.instructions))
