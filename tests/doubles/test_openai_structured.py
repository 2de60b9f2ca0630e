"""The OpenAI double's structured outputs, through the openai SDK: it refuses a wrong key and
a schema strict mode would refuse (OpenAI's wording), records requests, and answers from its
script (or, unscripted, with a valid value of the requested schema)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from tests.doubles.openai import OpenAIDouble
from tests.doubles.openai_structured import StructuredReply
from tests.doubles.server import serve_aiohttp

KEY = "sk-double-structured"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["mood", "count"],
    "properties": {
        "mood": {"enum": ["Positive", "Negative"], "type": "string"},
        "count": {"anyOf": [{"type": "number"}, {"type": "null"}]},
    },
}


@pytest.fixture
def served() -> Iterator[tuple[OpenAIDouble, str]]:
    double = OpenAIDouble(api_key=KEY)
    with serve_aiohttp(double.app()) as app:
        yield double, f"{app.url}/v1"


async def ask(url: str, schema: dict[str, Any], key: str = KEY) -> str | None:
    client = openai.AsyncOpenAI(api_key=key, base_url=url, max_retries=0)
    try:
        completion = await client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "hello"}],
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "answer", "strict": True, "schema": schema},
            },
        )
    finally:
        await client.close()
    return completion.choices[0].message.content


async def test_unscripted_answer_follows_the_schema(served: tuple[OpenAIDouble, str]) -> None:
    double, url = served
    assert json.loads(await ask(url, SCHEMA) or "") == {"mood": "Positive", "count": 42}
    [request] = double.chat_requests()
    assert request["response_format"]["json_schema"]["name"] == "answer"


async def test_script_is_followed_and_its_last_answer_repeats(
    served: tuple[OpenAIDouble, str],
) -> None:
    double, url = served
    double.structured = [StructuredReply("{not json"), StructuredReply({"mood": "Negative"})]
    assert await ask(url, SCHEMA) == "{not json"
    for _ in range(2):
        assert json.loads(await ask(url, SCHEMA) or "") == {"mood": "Negative"}
    double.structured = [StructuredReply(status=500)]
    with pytest.raises(openai.InternalServerError):
        await ask(url, SCHEMA)


async def test_wrong_key_and_non_strict_schemas_are_refused(
    served: tuple[OpenAIDouble, str],
) -> None:
    _, url = served
    with pytest.raises(openai.AuthenticationError):
        await ask(url, SCHEMA, key="sk-wrong")
    open_object = {**SCHEMA, "additionalProperties": True}
    with pytest.raises(openai.BadRequestError, match="'additionalProperties' is required"):
        await ask(url, open_object)
    optional = {**SCHEMA, "required": ["mood"]}
    with pytest.raises(openai.BadRequestError, match="Missing 'count'"):
        await ask(url, optional)
