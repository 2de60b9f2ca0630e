"""Builds the Agent of a standard call from the agent's runtime config."""

from __future__ import annotations

from arkenos_agent_runtime.standard.agent import StandardAgent
from arkenos_agent_runtime.standard.variables import substitute
from arkenos_crds.runtime import RuntimeConfig


def build_agent(config: RuntimeConfig, variables: dict[str, str]) -> StandardAgent:
    spec = config.spec
    greeting_text = substitute(spec.greeting.text, variables) if spec.greeting.text else None
    return StandardAgent(
        instructions=substitute(spec.instructions, variables),
        greeting=spec.greeting,
        greeting_text=greeting_text,
        tools=spec.tools,
    )
