"""``AgentContext``: what the runner hands a custom agent's ``entrypoint`` for each call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from livekit.agents import Agent, AgentSession, JobContext, vad

from arkenos_agent_runtime.standard.clients import OpenAIClients
from arkenos_agent_runtime.standard.pipeline import build_llm, build_stt, build_tts, turn_handling
from arkenos_crds.runtime import RuntimeConfig

Starter = Callable[[AgentSession[Any], Agent], Awaitable[None]]


@dataclass
class AgentContext:
    """One call of a custom agent.

    - ``config``: the agent's runtime config (spec and provider keys), fetched with the
      agent's own scoped credentials.
    - ``job``: livekit-agents' JobContext (room, participants, LiveKit server API); None when
      the agent runs without a room (tests, local text mode).
    - ``vad``: the prewarmed Silero VAD for the agent's VAD settings.
    - ``build_session()``: an AgentSession with the pipeline the spec describes; pass
      keyword arguments to override any part.
    - ``start(session, agent)``: start the session in the call's room with the platform's
      reporting (transcripts, usage, turn latency) attached. Always start through it.
    """

    config: RuntimeConfig
    job: JobContext | None
    vad: vad.VAD
    _starter: Starter
    _clients: OpenAIClients = field(default_factory=OpenAIClients)

    def build_session(self, **overrides: Any) -> AgentSession[Any]:
        spec = self.config.spec
        options: dict[str, Any] = {
            "stt": build_stt(self.config, self._clients),
            "llm": build_llm(self.config, self._clients),
            "tts": build_tts(self.config, self._clients),
            "vad": self.vad,
            "turn_handling": turn_handling(spec.turn_detection),
        }
        return AgentSession(**{**options, **overrides})

    async def start(self, session: AgentSession[Any], agent: Agent) -> None:
        await self._starter(session, agent)
