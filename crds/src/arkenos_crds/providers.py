"""Which model providers each stage of a standard agent's voice pipeline supports.

This table is the one place that says it: the schema admits exactly these providers per
stage, the worker has a builder for each (a test builds every one), and the operator and the
API derive the keys a spec needs from it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError


class Stage(StrEnum):
    """A stage of the voice pipeline that a provider serves."""

    STT = "STT"
    LLM = "LLM"
    TTS = "TTS"


class ModelProvider(StrEnum):
    """Every model provider a pipeline stage may name in a spec."""

    OPENAI = "OpenAI"
    DEEPGRAM = "Deepgram"
    CARTESIA = "Cartesia"


#: The providers each stage supports, the first being the default.
STAGE_PROVIDERS: Mapping[Stage, tuple[ModelProvider, ...]] = {
    Stage.STT: (ModelProvider.OPENAI, ModelProvider.DEEPGRAM),
    Stage.LLM: (ModelProvider.OPENAI,),
    Stage.TTS: (ModelProvider.OPENAI, ModelProvider.CARTESIA),
}


#: The model a stage uses when the spec names none, by provider: each provider's own default
#: (the one its LiveKit plugin uses), so a spec that names only a provider works as written.
DEFAULT_MODELS: Mapping[Stage, Mapping[ModelProvider, str]] = {
    Stage.STT: {ModelProvider.OPENAI: "gpt-4o-mini-transcribe", ModelProvider.DEEPGRAM: "nova-3"},
    Stage.LLM: {ModelProvider.OPENAI: "gpt-4o-mini"},
    Stage.TTS: {ModelProvider.OPENAI: "gpt-4o-mini-tts", ModelProvider.CARTESIA: "sonic-3"},
}

#: The TTS voice when the spec names none: a voice name for OpenAI, a voice id for Cartesia.
DEFAULT_VOICES: Mapping[ModelProvider, str] = {
    ModelProvider.OPENAI: "alloy",
    ModelProvider.CARTESIA: "f786b574-daa5-4673-aa0c-cbe3e8534c02",
}


def _provider_in(data: Mapping[str, Any], stage: Stage) -> ModelProvider:
    """The provider ``data`` names when the stage admits it, or the stage's default one."""
    provider = data.get("provider")
    return (
        ModelProvider(provider) if provider in STAGE_PROVIDERS[stage] else STAGE_PROVIDERS[stage][0]
    )


def default_model(stage: Stage) -> Callable[[dict[str, Any]], str]:
    """A pydantic ``default_factory`` giving the default model of the provider the spec names:
    no static default in the schema. ``with_provider_defaults`` fills the field before
    validation, so this runs only when a model is built field by field."""
    return lambda data: DEFAULT_MODELS[stage][_provider_in(data, stage)]


def default_voice(data: dict[str, Any]) -> str:
    """A pydantic ``default_factory`` giving the TTS provider's default voice."""
    return DEFAULT_VOICES[_provider_in(data, Stage.TTS)]


def with_provider_defaults(stage: Stage, data: Any) -> Any:
    """The stage's input with its provider's default model (and TTS voice) where it names
    none. Done before validation: a default factory reading validated data would add a second,
    confusing error to a spec whose provider is refused."""
    if not isinstance(data, Mapping):
        return data
    provider = _provider_in(data, stage)
    filled = dict(data)
    filled.setdefault("model", DEFAULT_MODELS[stage][provider])
    if stage is Stage.TTS:
        filled.setdefault("voice", DEFAULT_VOICES[provider])
    return filled


def admitted_by(stage: Stage) -> BeforeValidator:
    """Refuses, in Python, a provider the stage does not support, in pydantic's enum words."""
    admitted = STAGE_PROVIDERS[stage]

    def check(provider: object) -> object:
        if provider not in admitted:
            names = [f"'{p}'" for p in admitted]
            choices = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
            raise PydanticCustomError("enum", f"Input should be {choices}")
        return provider

    return BeforeValidator(check)


def schema_of(stage: Stage) -> WithJsonSchema:
    """The stage's providers as the schema's enum, so the API server refuses the others."""
    return WithJsonSchema({"type": "string", "enum": [str(p) for p in STAGE_PROVIDERS[stage]]})
