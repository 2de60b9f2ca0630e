"""The Agent of a standard call: its instructions, its tools, and the greeting."""

from __future__ import annotations

from livekit.agents import Agent

from arkenos_agent_runtime.tools.builtins import build_end_call, build_transfer_call
from arkenos_agent_runtime.tools.context import AnyTool
from arkenos_agent_runtime.tools.http_tool import build_http_tool
from arkenos_crds.pipeline import Greeting, GreetingMode
from arkenos_crds.tools import Tool, ToolType

GREET_INSTRUCTIONS = "Greet the caller briefly and offer your help."


def build_tools(tools: list[Tool]) -> list[AnyTool]:
    builders = {
        ToolType.HTTP: build_http_tool,
        ToolType.END_CALL: build_end_call,
        ToolType.TRANSFER_CALL: build_transfer_call,
    }
    return [builders[ToolType(tool.type)](tool) for tool in tools]


class StandardAgent(Agent):
    def __init__(
        self, *, instructions: str, greeting: Greeting, greeting_text: str | None, tools: list[Tool]
    ) -> None:
        super().__init__(instructions=instructions, tools=list(build_tools(tools)))
        self._greeting = greeting
        self._greeting_text = greeting_text

    async def on_enter(self) -> None:
        if self._greeting.mode != GreetingMode.AGENT_FIRST:
            return
        if self._greeting_text:
            self.session.say(self._greeting_text)
        else:
            self.session.generate_reply(instructions=GREET_INSTRUCTIONS)
