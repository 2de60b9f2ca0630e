"""Every provider the schema admits builds in the worker: for each stage and each provider
of the resource model's table, the worker builds that provider's plugin with the agent's model
and the provider's resolved key; and the worker has no builder the table does not admit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from arkenos_agent_runtime.call.pipeline import BUILDERS, build_llm, build_stt, build_tts
from arkenos_agent_runtime.openai_clients import OpenAIClients
from arkenos_crds.providers import DEFAULT_MODELS, STAGE_PROVIDERS, ModelProvider, Stage
from arkenos_crds.runtime import KEY_OF, RuntimeConfig

BUILD = {Stage.STT: build_stt, Stage.LLM: build_llm, Stage.TTS: build_tts}
MODELS = {Stage.STT: "nova-3", Stage.LLM: "gpt-4o-mini", Stage.TTS: "sonic-2"}
ADMITTED = [
    (stage, provider) for stage, providers in STAGE_PROVIDERS.items() for provider in providers
]


def test_the_worker_builds_exactly_what_the_table_admits() -> None:
    assert {s: tuple(b) for s, b in BUILDERS.items()} == dict(STAGE_PROVIDERS)


@pytest.mark.parametrize(("stage", "provider"), ADMITTED, ids=lambda v: str(v))
async def test_an_admitted_provider_builds_with_its_model_and_key(
    stage: Stage, provider: ModelProvider, make_config: Callable[..., RuntimeConfig]
) -> None:
    component = {"provider": str(provider), "model": MODELS[stage], "baseURL": None}
    key = f"{provider.lower()}-key-0123456789"
    config = make_config(**{stage.lower(): component})
    config = config.model_copy(update={"keys": {**config.keys, KEY_OF[provider]: key}})
    clients = OpenAIClients()
    built: Any = BUILD[stage](config, clients)
    try:
        assert built.model == MODELS[stage]
        assert provider.lower() in built.provider.lower()
        assert key in _keys_of(built, clients)
    finally:
        await clients.aclose()
        if hasattr(built, "aclose"):
            await built.aclose()


def _keys_of(built: Any, clients: OpenAIClients) -> set[str]:
    """The API keys the plugin will send: its own option, or its OpenAI client's."""
    keys = {
        getattr(built, "_api_key", None),
        getattr(getattr(built, "_opts", None), "api_key", None),
    }
    keys |= {client.api_key for client in clients._clients.values()}
    return {k for k in keys if k}


@pytest.mark.parametrize(("stage", "provider"), ADMITTED, ids=lambda v: str(v))
async def test_a_spec_naming_only_the_provider_builds_the_providers_default_model(
    stage: Stage, provider: ModelProvider, make_config: Callable[..., RuntimeConfig]
) -> None:
    """`stt: {provider: Deepgram}` builds Deepgram's nova-3, not OpenAI's transcription model."""
    config = make_config(**{stage.lower(): {"provider": str(provider)}})
    key = f"{provider.lower()}-key-0123456789"
    config = config.model_copy(update={"keys": {**config.keys, KEY_OF[provider]: key}})
    clients = OpenAIClients()
    built: Any = BUILD[stage](config, clients)
    try:
        assert built.model == DEFAULT_MODELS[stage][provider]
    finally:
        await clients.aclose()
        if hasattr(built, "aclose"):
            await built.aclose()
