"""Builds one call's AgentSession and Agent from the agent's runtime config."""

from __future__ import annotations

from livekit.agents import AgentSession, vad

from arkenos_agent_runtime.standard.agent import StandardAgent
from arkenos_agent_runtime.standard.pipeline import build_llm, build_stt, build_tts, turn_handling
from arkenos_agent_runtime.standard.variables import substitute
from arkenos_agent_runtime.tools.context import CallData
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


def build_session(config: RuntimeConfig, *, vad: vad.VAD, call: CallData) -> AgentSession[CallData]:
    return AgentSession[CallData](
        stt=build_stt(config),
        llm=build_llm(config),
        tts=build_tts(config),
        vad=vad,
        turn_handling=turn_handling(config.spec.turn_detection),
        userdata=call,
    )
