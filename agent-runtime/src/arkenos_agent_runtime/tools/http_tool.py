"""HTTP tools from an agent's config: arguments checked against the tool's JSON schema, the
request sent through the SSRF guard with the configured method, headers and timeout, the
response cut to ``maxResponseBytes`` before the LLM reads it, filler speech while it waits."""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

import httpx
import jsonschema
from livekit.agents import RunContext, ToolError, function_tool

from arkenos_agent_runtime.tools.context import AnyTool, CallData
from arkenos_agent_runtime.tools.ssrf import BlockedAddressError, guarded_request
from arkenos_crds.tools import HTTPMethod, HTTPToolSpec, Tool

logger = logging.getLogger("arkenos.tools")

#: A request still running after this long gets a filler phrase, so the caller hears life.
FILLER_AFTER_SECONDS = 1.0


def header_values(spec: HTTPToolSpec, secrets: dict[str, str]) -> dict[str, str]:
    """The headers to send, with ``valueFrom`` resolved from the API-provided secrets."""
    headers: dict[str, str] = {}
    for header in spec.headers:
        if header.value is not None:
            headers[header.name] = header.value
        elif header.value_from is not None:
            ref = f"{header.value_from.name}/{header.value_from.key}"
            if ref not in secrets:
                raise ToolError(f"the tool is misconfigured: secret {ref} is not available")
            headers[header.name] = secrets[ref]
    return headers


def check_arguments(spec: HTTPToolSpec, arguments: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(spec.parameters)
    errors = sorted(validator.iter_errors(arguments), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].path) or "arguments"
        raise ToolError(f"invalid arguments ({where}): {errors[0].message}")


def render_result(status: int, body: bytes, truncated: bool) -> str:
    text = body.decode("utf-8", errors="replace")
    if truncated:
        text += " …[response cut]"
    if status >= 400:
        raise ToolError(f"the service answered HTTP {status}: {text}")
    return text


async def call_http_tool(tool: Tool, call: CallData, arguments: dict[str, Any]) -> str:
    spec = tool.http
    assert spec is not None
    check_arguments(spec, arguments)
    headers = header_values(spec, call.config.tool_secrets)
    is_get = spec.method in {HTTPMethod.GET, HTTPMethod.DELETE}
    try:
        response = await asyncio.wait_for(
            guarded_request(
                call.http,
                call.guard,
                str(spec.method),
                spec.url,
                headers=headers,
                params=arguments if is_get else None,
                json_body=None if is_get else arguments,
                max_bytes=spec.max_response_bytes,
            ),
            spec.timeout_ms / 1000,
        )
    except BlockedAddressError as exc:
        call.count_tool(tool.name, "blocked")
        logger.warning("HTTP tool refused by the SSRF guard", extra={"tool": tool.name})
        raise ToolError(str(exc)) from exc
    except TimeoutError as exc:
        call.count_tool(tool.name, "timeout")
        raise ToolError(f"the service did not answer within {spec.timeout_ms} ms") from exc
    except httpx.HTTPError as exc:
        call.count_tool(tool.name, "error")
        raise ToolError(f"the service could not be reached: {type(exc).__name__}") from exc
    call.count_tool(tool.name, "ok" if response.status < 400 else f"http_{response.status}")
    return render_result(response.status, response.body, response.truncated)


def build_http_tool(tool: Tool) -> AnyTool:
    spec = tool.http
    assert spec is not None
    schema = {"name": tool.name, "description": tool.description, "parameters": spec.parameters}

    async def handler(raw_arguments: dict[str, object], context: RunContext[CallData]) -> str:
        call = context.userdata
        work = asyncio.ensure_future(call_http_tool(tool, call, dict(raw_arguments)))
        if spec.filler_phrases:
            done, _ = await asyncio.wait({work}, timeout=FILLER_AFTER_SECONDS)
            if not done:
                phrase = random.choice(spec.filler_phrases)  # noqa: S311 - variety, not crypto
                context.session.say(phrase, add_to_chat_ctx=False)
        return await work

    return function_tool(handler, raw_schema=schema)
