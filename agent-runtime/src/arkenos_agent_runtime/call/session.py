"""Builds one call's AgentSession from the agent's runtime config."""

from __future__ import annotations

from typing import Any

from livekit.agents import AgentSession, vad

from arkenos_agent_runtime.call.pipeline import build_llm, build_stt, build_tts, turn_handling
from arkenos_agent_runtime.openai_clients import OpenAIClients
from arkenos_agent_runtime.tools.context import CallData
from arkenos_crds.runtime import RuntimeConfig


def build_session(
    config: RuntimeConfig,
    *,
    vad: vad.VAD,
    call: CallData | None = None,
    clients: OpenAIClients | None = None,
    **overrides: Any,
) -> AgentSession[CallData]:
    """The session the spec describes; ``overrides`` replace any of its parts (custom code).

    ``clients``: the job's OpenAI clients on the worker's TLS context (closed by the job);
    without them the session gets clients of its own."""
    clients = clients or OpenAIClients()
    options: dict[str, Any] = {
        "stt": build_stt(config, clients),
        "llm": build_llm(config, clients),
        "tts": build_tts(config, clients),
        "vad": vad,
        "turn_handling": turn_handling(config.spec.turn_detection),
        "userdata": call,
    }
    if call is None:
        del options["userdata"]
    return AgentSession[CallData](**{**options, **overrides})
