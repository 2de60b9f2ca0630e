"""Which model providers each stage of a standard agent's voice pipeline supports.

This table is the one place that says it: the schema admits exactly these providers per
stage, the worker has a builder for each (a test builds every one), and the operator and the
API derive the keys a spec needs from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

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
