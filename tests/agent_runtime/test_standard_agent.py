"""Behaviour of a standard agent built from a runtime config, in text mode against the
OpenAI double: greeting, instructions with variables, HTTP tools, transfer refusal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from livekit.agents import AgentSession

from arkenos_crds.runtime import DispatchMetadata, RuntimeConfig
from arkenos_agent_runtime.standard.pipeline import VADCache
from arkenos_agent_runtime.standard.session import build_agent, build_session
from arkenos_agent_runtime.standard.variables import call_variables
from arkenos_agent_runtime.tools.context import CallData
from tests.agent_runtime.serving import served
from tests.doubles.openai import ChatRule, OpenAIDouble, ToolCallReply

METADATA = DispatchMetadata(workspace="acme", agent="support", variables={"plan": "Gold"})


@pytest.fixture(scope="module")
def vad_cache() -> VADCache:
    return VADCache()


@pytest.fixture
def start_session(
    vad_cache: VADCache, make_call: Callable[..., CallData]
) -> Callable[..., Any]:
    sessions: list[AgentSession[CallData]] = []

    async def start(config: RuntimeConfig, caller: str | None = "+15550001111") -> Any:
        call = make_call(config)
        session = build_session(config, vad=vad_cache.get(config.spec.turn_detection.vad), call=call)
        variables = call_variables(config, METADATA, caller)
        await session.start(build_agent(config, variables))
        sessions.append(session)
        return session, call

    return start


@pytest.fixture(autouse=True)
async def close_sessions() -> AsyncIterator[None]:
    yield


async def test_greeting_and_instructions_carry_the_call_variables(
    make_config: Callable[..., RuntimeConfig],
    openai_double: OpenAIDouble,
    start_session: Callable[..., Any],
) -> None:
    config = make_config(
        displayName="Ada",
        instructions="You are {{agent_name}}. The caller {{caller_number}} has plan {{plan}}.",
        greeting={"mode": "AgentFirst", "text": "Hello, this is {{agent_name}}."},
    )
    openai_double.rules.append(ChatRule(match="opening hours", text="We open at nine."))
    session, _ = await start_session(config)
    async with session:
        result = await session.run(user_input="What are your opening hours?")
        result.expect.next_event().is_message(role="assistant")
        history = [m.text_content for m in session.history.messages() if m.role == "assistant"]
        assert history[0] == "Hello, this is Ada."
        assert history[-1].strip() == "We open at nine."

    system = openai_double.chat_requests()[-1]["messages"][0]
    assert system["role"] in {"system", "developer"}
    assert system["content"] == "You are Ada. The caller +15550001111 has plan Gold."
