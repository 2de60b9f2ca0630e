"""Builds one call's AgentSession and Agent from the agent's runtime config."""

from __future__ import annotations

from livekit.agents import AgentSession, vad

from arkenos_agent_runtime.standard.agent import StandardAgent
from arkenos_agent_runtime.standard.clients import OpenAIClients
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


def build_session(
    config: RuntimeConfig, *, vad: vad.VAD, call: CallData, clients: OpenAIClients | None = None
) -> AgentSession[CallData]:
    """``clients``: the job's OpenAI clients on the worker's TLS context (closed by the job);
    without them the session gets clients of its own."""
    clients = clients or OpenAIClients()
    return AgentSession[CallData](
        stt=build_stt(config, clients),
        llm=build_llm(config, clients),
        tts=build_tts(config, clients),
        vad=vad,
        turn_handling=turn_handling(config.spec.turn_detection),
        userdata=call,
    )
