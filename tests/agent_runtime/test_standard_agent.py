"""Behaviour of a standard agent built from a runtime config, in text mode against the
OpenAI double: greeting, instructions with variables, HTTP tools, transfer refusal."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aiohttp import web

from arkenos_agent_runtime.call.pipeline import VADCache
from arkenos_agent_runtime.call.session import build_session
from arkenos_agent_runtime.health.metrics import WorkerMetrics
from arkenos_agent_runtime.standard.session import build_agent
from arkenos_agent_runtime.standard.variables import call_variables
from arkenos_agent_runtime.tools.context import CallData
from arkenos_agent_runtime.tools.http_tool import FILLER_AFTER_SECONDS
from arkenos_crds.runtime import DispatchMetadata, RuntimeConfig
from tests.doubles.openai import ChatRule, OpenAIDouble, ToolCallReply
from tests.doubles.server import serve_aiohttp

TRANSFER_TOOL = {
    "name": "transfer_call",
    "type": "TransferCall",
    "transfer": {"allowedNumbers": ["+15557654321"]},
}
ORDER_PARAMETERS = {
    "type": "object",
    "properties": {"order_id": {"type": "string", "pattern": "^A-[0-9]+$"}},
    "required": ["order_id"],
}
METADATA = DispatchMetadata(workspace="acme", agent="support", variables={"plan": "Gold"})


@pytest.fixture(scope="module")
def vad_cache() -> VADCache:
    return VADCache()


@pytest.fixture
def start_session(vad_cache: VADCache, make_call: Callable[..., CallData]) -> Callable[..., Any]:
    async def start(config: RuntimeConfig, caller: str | None = "+15550001111") -> Any:
        call = make_call(config)
        session = build_session(
            config, vad=vad_cache.get(config.spec.turn_detection.vad), call=call
        )
        variables = call_variables(config, METADATA, caller)
        await session.start(build_agent(config, variables))
        return session, call

    return start


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


@pytest.fixture
def orders_service() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []

    async def order(request: web.Request) -> web.Response:
        seen.append({"method": request.method, "query": dict(request.query), **request.headers})
        if request.headers.get("X-Api-Key") != "crm-key-1":
            return web.json_response({"error": "unauthorized"}, status=401)
        # Longer than the tool's maxResponseBytes: the LLM must see a cut version.
        return web.json_response({"status": "shipped", "notes": "x" * 500})

    app = web.Application()
    app.router.add_get("/orders", order)
    with serve_aiohttp(app) as served:
        yield served.url, seen


async def test_http_tool_is_called_with_configured_headers_and_cut_response(
    make_config: Callable[..., RuntimeConfig],
    openai_double: OpenAIDouble,
    start_session: Callable[..., Any],
    orders_service: tuple[str, list[dict[str, Any]]],
) -> None:
    url, seen = orders_service
    tool = {
        "name": "lookup_order",
        "type": "HTTP",
        "description": "Look up an order.",
        "http": {
            "url": f"{url}/orders",
            "method": "GET",
            "headers": [{"name": "X-Api-Key", "valueFrom": {"name": "crm", "key": "token"}}],
            "parameters": ORDER_PARAMETERS,
            "maxResponseBytes": 64,
        },
    }
    config = make_config(tools=[tool]).model_copy(
        update={"tool_secrets": {"crm/token": "crm-key-1"}}
    )
    openai_double.rules.append(
        ChatRule(
            match="my order",
            tool_call=ToolCallReply("lookup_order", {"order_id": "A-17"}),
            after_tool="Here it is: {output}",
        )
    )
    session, _ = await start_session(config)
    async with session:
        result = await session.run(user_input="Where is my order A-17?")
        result.expect.next_event().is_function_call(name="lookup_order")
        output = result.expect.next_event().is_function_call_output().event().item
        result.expect.next_event().is_message(role="assistant")

    assert not output.is_error
    assert output.output.startswith('{"status": "shipped"')
    assert output.output.endswith("…[response cut]")
    assert len(output.output.removesuffix(" …[response cut]").encode()) == 64
    assert seen == [
        {**seen[0], "method": "GET", "query": {"order_id": "A-17"}, "X-Api-Key": "crm-key-1"}
    ]
    assert seen[0]["Host"] == url.removeprefix("http://")


async def test_http_tool_arguments_are_checked_against_the_schema(
    make_config: Callable[..., RuntimeConfig],
    openai_double: OpenAIDouble,
    start_session: Callable[..., Any],
    orders_service: tuple[str, list[dict[str, Any]]],
) -> None:
    url, seen = orders_service
    tool = {
        "name": "lookup_order",
        "type": "HTTP",
        "http": {
            "url": f"{url}/orders",
            "parameters": ORDER_PARAMETERS,
        },
    }
    openai_double.rules.append(
        ChatRule(match="order", tool_call=ToolCallReply("lookup_order", {"order_id": "17"}))
    )
    session, _ = await start_session(make_config(tools=[tool]))
    async with session:
        result = await session.run(user_input="Where is my order 17?")
        result.expect.next_event().is_function_call(name="lookup_order")
        output = result.expect.next_event().is_function_call_output().event().item

    assert output.is_error
    assert "invalid arguments (order_id)" in output.output
    assert seen == []


async def test_transfer_to_a_number_not_allowed_is_refused(
    make_config: Callable[..., RuntimeConfig],
    openai_double: OpenAIDouble,
    start_session: Callable[..., Any],
) -> None:
    tool = TRANSFER_TOOL
    openai_double.rules.append(
        ChatRule(
            match="manager",
            tool_call=ToolCallReply("transfer_call", {"number": "+15550009999"}),
            after_tool="Sorry: {output}",
        )
    )
    session, call = await start_session(make_config(tools=[tool]))
    async with session:
        result = await session.run(user_input="Put me through to your manager")
        result.expect.next_event().is_function_call(
            name="transfer_call", arguments={"number": "+15550009999"}
        )
        output = result.expect.next_event().is_function_call_output().event().item
        result.expect.next_event().is_message(role="assistant")

    assert output.is_error
    assert "not allowed" in output.output
    assert call.telephony.transfers == []
    assert call.end_reason is None
    schema = openai_double.chat_requests()[0]["tools"][0]["function"]["parameters"]
    assert schema["properties"]["number"]["enum"] == ["+15557654321"]


async def test_transfer_to_an_allowed_number_goes_to_telephony(
    make_config: Callable[..., RuntimeConfig],
    openai_double: OpenAIDouble,
    start_session: Callable[..., Any],
) -> None:
    tool = TRANSFER_TOOL
    openai_double.rules.append(
        ChatRule(
            match="sales", tool_call=ToolCallReply("transfer_call", {"number": "+15557654321"})
        )
    )
    session, call = await start_session(make_config(tools=[tool]))
    async with session:
        result = await session.run(user_input="Sales please")
        result.expect.next_event().is_function_call(name="transfer_call")
        output = result.expect.next_event().is_function_call_output().event().item

    assert not output.is_error
    assert call.telephony.transfers == [("sip_+15550001111", "+15557654321")]
    assert call.end_reason == "Transferred"


async def test_end_call_hangs_up_after_the_goodbye(
    make_config: Callable[..., RuntimeConfig],
    openai_double: OpenAIDouble,
    start_session: Callable[..., Any],
) -> None:
    tool = {"name": "end_call", "type": "EndCall"}
    openai_double.rules.append(ChatRule(match="bye", tool_call=ToolCallReply("end_call", {})))
    session, call = await start_session(make_config(tools=[tool]))
    async with session:
        result = await session.run(user_input="That's all, bye")
        result.expect.next_event().is_function_call(name="end_call")
        output = result.expect.next_event().is_function_call_output().event().item
    assert not output.is_error
    assert call.telephony.hang_ups == 1
    assert call.end_reason == "AgentEnded"


async def test_a_tool_aimed_at_an_internal_address_is_refused_and_counted(
    make_config: Callable[..., RuntimeConfig],
    make_call: Callable[..., CallData],
    openai_double: OpenAIDouble,
    vad_cache: VADCache,
) -> None:
    tool = {
        "name": "lookup_order",
        "type": "HTTP",
        "http": {"url": "http://169.254.169.254/latest/meta-data/", "method": "GET"},
    }
    openai_double.rules.append(ChatRule(match="order", tool_call=ToolCallReply("lookup_order", {})))
    config = make_config(tools=[tool])
    metrics = WorkerMetrics()
    call = make_call(config, metrics=metrics)
    session = build_session(config, vad=vad_cache.get(config.spec.turn_detection.vad), call=call)
    await session.start(build_agent(config, {}))
    async with session:
        result = await session.run(user_input="Where is my order?")
        result.expect.next_event().is_function_call(name="lookup_order")
        output = result.expect.next_event().is_function_call_output().event().item
    assert output.is_error
    assert "169.254.169.254: a cloud metadata address" in output.output
    blocked = {"tool": "lookup_order", "outcome": "blocked"}
    assert metrics.registry.get_sample_value("arkenos_tool_calls_total", blocked) == 1


async def test_a_slow_tool_gets_a_filler_phrase(
    make_config: Callable[..., RuntimeConfig],
    openai_double: OpenAIDouble,
    start_session: Callable[..., Any],
) -> None:
    async def slow(_: web.Request) -> web.Response:
        await asyncio.sleep(FILLER_AFTER_SECONDS + 0.3)
        return web.json_response({"status": "shipped"})

    app = web.Application()
    app.router.add_get("/slow", slow)
    with serve_aiohttp(app) as served:
        tool = {
            "name": "lookup_order",
            "type": "HTTP",
            "http": {
                "url": f"{served.url}/slow",
                "method": "GET",
                "fillerPhrases": ["One moment please."],
            },
        }
        openai_double.rules.append(
            ChatRule(match="order", tool_call=ToolCallReply("lookup_order", {}))
        )
        config = make_config(tools=[tool], greeting={"mode": "WaitForCaller"})
        session, _ = await start_session(config)
        said: list[str] = []
        session.on("speech_created", lambda event: said.append(event.source))
        async with session:
            result = await session.run(user_input="Where is my order?")
            result.expect.next_event().is_function_call(name="lookup_order")
            output = result.expect.next_event().is_function_call_output().event().item
    assert output.output == '{"status": "shipped"}'
    assert said.count("say") == 1
