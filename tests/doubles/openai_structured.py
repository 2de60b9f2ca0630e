"""Non-streamed chat completions with structured outputs, as OpenAI answers them.

The request's ``response_format`` is checked the way OpenAI checks it (a named ``json_schema``
whose schema, in strict mode, closes every object with ``additionalProperties: false`` and
requires every property), with OpenAI's 400 wording; the answer comes from a script of
:class:`StructuredReply` (a good answer, text that is not JSON, a provider error), or, when the
script is empty, is made from the schema itself (a valid answer of the requested shape).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})


@dataclass
class StructuredReply:
    """One answer: ``content`` (a dict is sent as JSON, a string as it is), or an HTTP error
    ``status`` instead."""

    content: dict[str, Any] | str | None = None
    status: int | None = None


class BadRequest(Exception):
    """A request OpenAI would answer 400, with its message and the parameter at fault."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message, self.param = message, param


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    node: Any = root
    for part in ref.removeprefix("#/").split("/"):
        if not isinstance(node, dict) or part not in node:
            raise BadRequest(f"Invalid schema: reference {ref} can't be resolved.")
        node = node[part]
    return dict(node)


def _check_strict(name: str, schema: dict[str, Any], root: dict[str, Any], path: str) -> None:
    schema = _resolve(schema, root)
    where = f"Invalid schema for response_format '{name}': In context=({path})"
    for option in schema.get("anyOf", []):
        _check_strict(name, option, root, path + ", 'anyOf'")
    if schema.get("type") == "object" or "properties" in schema:
        if schema.get("additionalProperties") is not False:
            raise BadRequest(
                f"{where}, 'additionalProperties' is required to be supplied and to be false.",
                "response_format",
            )
        properties = schema.get("properties", {})
        missing = [key for key in properties if key not in schema.get("required", [])]
        if missing:
            raise BadRequest(
                f"{where}, 'required' is required to be supplied and to be an array including "
                f"every key in properties. Missing '{missing[0]}'.",
                "response_format",
            )
        for key, value in properties.items():
            _check_strict(name, value, root, f"{path}, 'properties', '{key}'")
    if "items" in schema:
        _check_strict(name, schema["items"], root, path + ", 'items'")


def check_request(body: dict[str, Any]) -> dict[str, Any]:
    """The json_schema asked for, after checking the request as OpenAI does."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("[] is too short - 'messages'", "messages")
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            raise BadRequest(f"Invalid value for 'messages[{index}].role'.", "messages")
        if "content" not in message:
            raise BadRequest(f"Missing required parameter: 'messages[{index}].content'.")
    limit = body.get("max_completion_tokens")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise BadRequest("Invalid 'max_completion_tokens': expected an integer >= 1.")
    response_format = body.get("response_format") or {}
    if response_format.get("type") != "json_schema":
        raise BadRequest("this double answers non-streamed requests for a json_schema only")
    spec = response_format.get("json_schema")
    if not isinstance(spec, dict) or not NAME.match(str(spec.get("name", ""))):
        raise BadRequest(
            "Invalid 'response_format.json_schema.name': string does not match pattern.",
            "response_format.json_schema.name",
        )
    schema = spec.get("schema")
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise BadRequest(
            f"Invalid schema for response_format '{spec['name']}': schema must be a JSON "
            "Schema of 'type: \"object\"'.",
            "response_format",
        )
    if spec.get("strict"):
        _check_strict(spec["name"], schema, schema, "")
    return schema


def answer_for(schema: dict[str, Any], root: dict[str, Any] | None = None) -> Any:
    """A value of ``schema``'s shape (what a model obeying it would write)."""
    root = root if root is not None else schema
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        return answer_for(schema["anyOf"][0], root)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {k: answer_for(v, root) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [answer_for(schema.get("items", {"type": "string"}), root)]
    return {"string": "stated in the call", "number": 42, "integer": 42, "boolean": True}.get(
        str(kind)
    )


def completion(model: str, content: str, prompt_tokens: int) -> dict[str, Any]:
    completion_tokens = max(1, len(content) // 4)
    return {
        "id": "chatcmpl-double",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def content_of(reply: StructuredReply, schema: dict[str, Any]) -> str:
    if isinstance(reply.content, str):
        return reply.content
    return json.dumps(reply.content if reply.content is not None else answer_for(schema))
