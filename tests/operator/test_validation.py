"""Checks the schema cannot make: Secrets and their keys, tool schemas, webhook Secrets."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from arkenos_crds.voiceagent import VoiceAgentSpec
from arkenos_operator.voiceagent.validation import (
    check_agent,
    referenced_secrets,
    referenced_secrets_of_body,
    secret_keys,
)


def spec(**fields: Any) -> VoiceAgentSpec:
    return VoiceAgentSpec.model_validate({"mode": "Standard", **fields})


def http_tool(
    parameters: dict[str, Any], headers: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "name": "lookup",
        "type": "HTTP",
        "http": {
            "url": "https://example.com/x",
            "parameters": parameters,
            "headers": headers or [],
        },
    }


KEYS = {"keys": frozenset({"OPENAI_API_KEY"})}


def test_secret_keys_reads_names_of_non_empty_values_only() -> None:
    data = {"A": base64.b64encode(b"x").decode(), "EMPTY": "", "BAD": "%%%"}
    assert secret_keys({"data": data, "stringData": {"B": "y", "C": ""}}) == {"A", "B"}
    assert secret_keys(None) is None


def test_no_secret_ref_needs_no_secret() -> None:
    assert check_agent(spec(), {}) is None


@pytest.mark.parametrize(
    ("secrets", "reason", "message"),
    [
        (
            {},
            "SecretNotFound",
            'Secret "keys" named in credentials.secretRef does not exist in this namespace.',
        ),
        (
            {"keys": frozenset({"OPENAI_API_KEY"})},
            "SecretMissingKeys",
            'Secret "keys" has no value for CARTESIA_API_KEY, DEEPGRAM_API_KEY, which the chosen '
            "providers need. Add the keys, or point the component at a baseURL.",
        ),
    ],
)
def test_credentials_secret_must_hold_the_providers_keys(
    secrets: dict[str, frozenset[str]], reason: str, message: str
) -> None:
    agent = spec(
        credentials={"secretRef": {"name": "keys"}},
        stt={"provider": "Deepgram"},
        tts={"provider": "Cartesia", "voice": "v"},
    )
    problem = check_agent(agent, secrets)
    assert problem is not None
    assert (problem.reason, problem.message) == (reason, message)


def test_a_base_url_makes_the_key_optional() -> None:
    agent = spec(
        credentials={"secretRef": {"name": "keys"}},
        llm={"provider": "OpenAI", "model": "llama3", "baseURL": "http://vllm.models:8000/v1"},
    )
    # STT and TTS (OpenAI by default) still need the OpenAI key; the LLM does not add one.
    assert check_agent(agent, KEYS) is None


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"type": "array"}, 'parameters must be a JSON Schema with "type": "object"'),
        (
            {"type": "object", "properties": {"n": {"type": "nope"}}},
            "parameters is not a valid JSON Schema at properties/n/type: ",
        ),
        ({"type": "object", "required": "id"}, "parameters is not a valid JSON Schema at required"),
    ],
)
def test_tool_parameters_must_be_an_object_schema(
    parameters: dict[str, Any], expected: str
) -> None:
    problem = check_agent(spec(tools=[http_tool(parameters)]), {})
    assert problem is not None
    assert problem.reason == "InvalidTool"
    assert problem.message.startswith(f'Tool "lookup": {expected}')


def test_header_secret_must_exist_with_its_key() -> None:
    header = [{"name": "X-Key", "valueFrom": {"name": "crm", "key": "token"}}]
    agent = spec(tools=[http_tool({"type": "object"}, header)])
    wrong_key = check_agent(agent, {"crm": frozenset({"other"})})
    assert wrong_key is not None
    assert (
        wrong_key.message
        == 'Tool "lookup": header X-Key reads Secret "crm", which has no key "token".'
    )
    assert check_agent(agent, {"crm": frozenset({"token"})}) is None


def test_webhook_secret_must_hold_the_signing_secret() -> None:
    webhook = {
        "name": "crm",
        "url": "https://crm.example.com/hook",
        "events": ["CallEnded"],
        "secretRef": {"name": "hook"},
    }
    problem = check_agent(spec(webhooks=[webhook]), {})
    assert problem is not None
    assert (problem.reason, problem.message) == (
        "WebhookSecretNotFound",
        'Webhook "crm" signs with Secret "hook", which does not exist.',
    )
    assert check_agent(spec(webhooks=[webhook]), {"hook": frozenset({"signingSecret"})}) is None


def test_referenced_secrets_from_the_model_and_from_a_raw_spec_agree() -> None:
    raw = {
        "mode": "Standard",
        "credentials": {"secretRef": {"name": "keys"}},
        "tools": [
            http_tool({"type": "object"}, [{"name": "A", "valueFrom": {"name": "crm", "key": "k"}}])
        ],
        "webhooks": [
            {
                "name": "w",
                "url": "https://x.example",
                "events": ["CallEnded"],
                "secretRef": {"name": "keys"},
            }
        ],
    }
    assert referenced_secrets(VoiceAgentSpec.model_validate(raw)) == ["keys", "crm"]
    assert referenced_secrets_of_body(raw) == ["keys", "crm"]
    # A spec the model refuses still indexes without failing.
    assert referenced_secrets_of_body({"tools": [None, {"http": "nonsense"}]}) == []
