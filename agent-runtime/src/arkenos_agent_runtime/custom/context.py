"""``AgentContext``: what the runner hands a custom agent's ``entrypoint`` for each call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from livekit.agents import Agent, AgentSession, JobContext, vad

from arkenos_agent_runtime.call.session import build_session
from arkenos_agent_runtime.openai_clients import OpenAIClients
from arkenos_agent_runtime.tools.context import CallData
from arkenos_crds.runtime import RuntimeConfig

Starter = Callable[[AgentSession[Any], Agent], Awaitable[None]]


@dataclass
class AgentContext:
    """One call of a custom agent.

    - ``config``: the agent's runtime config (spec and provider keys), fetched with the
      agent's own scoped credentials.
    - ``job``: livekit-agents' JobContext (room, participants); None when the agent runs
      without a room (tests, local text mode). Its LiveKit server API (``job.api``) holds no
      credential in a custom agent's pod: hang up and transfer with the platform's EndCall
      and TransferCall tools, which go through the Arkenos API.
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

    #: The call's data (room, telephony, SSRF guard) the platform's tools read; None without
    #: a room.
    _call: CallData | None = None

    def build_session(self, **overrides: Any) -> AgentSession[Any]:
        return build_session(
            self.config, vad=self.vad, call=self._call, clients=self._clients, **overrides
        )

    async def start(self, session: AgentSession[Any], agent: Agent) -> None:
        await self._starter(session, agent)
