"""The provider table is what the schema admits: per stage, the CRD's enum is exactly the
table's providers, the model refuses any other, and each provider's key is known."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from arkenos_crds.providers import (
    DEFAULT_MODELS,
    DEFAULT_VOICES,
    STAGE_PROVIDERS,
    ModelProvider,
    Stage,
)
from arkenos_crds.runtime import KEY_OF, PROVIDER_SECRET_KEYS
from arkenos_crds.voiceagent import VoiceAgentSpec

CRD = Path(__file__).parents[3] / "crds" / "voiceagents.arkenos.io.yaml"


def _spec_schema() -> dict[str, Any]:
    crd = yaml.safe_load(CRD.read_text())
    schema: dict[str, Any] = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema["properties"]["spec"]["properties"]


@pytest.mark.parametrize("stage", list(Stage))
def test_the_crd_admits_exactly_the_tables_providers(stage: Stage) -> None:
    provider = _spec_schema()[stage.lower()]["properties"]["provider"]
    assert provider["enum"] == [str(p) for p in STAGE_PROVIDERS[stage]]
    assert provider["default"] == STAGE_PROVIDERS[stage][0]


@pytest.mark.parametrize(
    ("stage", "provider"),
    [(s, p) for s in Stage for p in ModelProvider if p not in STAGE_PROVIDERS[s]],
)
def test_the_model_refuses_a_provider_the_stage_does_not_support(
    stage: Stage, provider: ModelProvider
) -> None:
    with pytest.raises(ValidationError, match="Input should be"):
        VoiceAgentSpec.model_validate({stage.lower(): {"provider": str(provider)}})


def test_every_admitted_provider_names_the_key_it_needs() -> None:
    admitted = {p for providers in STAGE_PROVIDERS.values() for p in providers}
    assert admitted <= KEY_OF.keys()
    assert {KEY_OF[p] for p in admitted} <= PROVIDER_SECRET_KEYS.keys()


@pytest.mark.parametrize(
    ("stage", "provider"), [(s, p) for s, providers in STAGE_PROVIDERS.items() for p in providers]
)
def test_a_spec_naming_only_the_provider_gets_that_providers_default_model(
    stage: Stage, provider: ModelProvider
) -> None:
    spec = VoiceAgentSpec.model_validate({stage.lower(): {"provider": str(provider)}})
    assert getattr(spec, stage.lower()).model == DEFAULT_MODELS[stage][provider]


def test_the_defaults_fit_their_provider_not_the_first_one() -> None:
    """Deepgram's default is not OpenAI's transcription model, Cartesia's voice is a voice id."""
    spec = VoiceAgentSpec.model_validate(
        {"stt": {"provider": "Deepgram"}, "tts": {"provider": "Cartesia"}}
    )
    assert (spec.stt.model, spec.tts.model) == ("nova-3", "sonic-3")
    assert spec.tts.voice == DEFAULT_VOICES[ModelProvider.CARTESIA]
    named = VoiceAgentSpec.model_validate({"stt": {"provider": "Deepgram", "model": "nova-2"}})
    assert named.stt.model == "nova-2"


def test_every_admitted_provider_has_a_default_model() -> None:
    for stage, providers in STAGE_PROVIDERS.items():
        assert set(providers) == set(DEFAULT_MODELS[stage])
    assert set(STAGE_PROVIDERS[Stage.TTS]) == set(DEFAULT_VOICES)


def test_the_crd_leaves_the_model_default_to_the_provider() -> None:
    """A static default in the CRD would give every provider OpenAI's model."""
    for stage in Stage:
        assert "default" not in _spec_schema()[stage.lower()]["properties"]["model"]
