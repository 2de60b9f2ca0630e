"""The voice pipeline of a standard agent: greeting, STT, LLM, TTS and turn detection."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, model_validator

from arkenos_crds._base import CelRule, KubeModel
from arkenos_crds.meta import HTTP_URL, LANGUAGE_TAG
from arkenos_crds.providers import (
    ModelProvider,
    Stage,
    admitted_by,
    default_model,
    default_voice,
    schema_of,
    with_provider_defaults,
)


class GreetingMode(StrEnum):
    AGENT_FIRST = "AgentFirst"
    WAIT_FOR_CALLER = "WaitForCaller"


STTProvider = Annotated[ModelProvider, admitted_by(Stage.STT), schema_of(Stage.STT)]
LLMProvider = Annotated[ModelProvider, admitted_by(Stage.LLM), schema_of(Stage.LLM)]
TTSProvider = Annotated[ModelProvider, admitted_by(Stage.TTS), schema_of(Stage.TTS)]


class TurnDetectionMode(StrEnum):
    VAD = "VAD"
    STT = "STT"
    MODEL = "Model"


MODEL_DESCRIPTION = (
    "Model name at the provider. Without it, the provider's default: gpt-4o-mini-transcribe "
    "or nova-3 (Deepgram) for STT, gpt-4o-mini for the LLM, gpt-4o-mini-tts or sonic-3 "
    "(Cartesia) for TTS."
)
DECIMAL_0_TO_2 = r"^(0(\.[0-9]{1,3})?|1(\.[0-9]{1,3})?|2(\.0{1,3})?)$"
BASE_URL_FIELD = Field(
    default=None,
    alias="baseURL",
    pattern=HTTP_URL,
    max_length=2048,
    description="Base URL of an OpenAI-compatible server to use instead of the provider's "
    "own, for example a self-hosted model server.",
)


class Greeting(KubeModel):
    """Who speaks first when a call connects."""

    mode: GreetingMode = Field(
        default=GreetingMode.AGENT_FIRST,
        description="AgentFirst: the agent speaks the greeting as soon as the caller joins. "
        "WaitForCaller: the agent stays silent until the caller speaks.",
    )
    text: str | None = Field(
        default=None,
        max_length=2000,
        description="What the agent says first. Variables such as {{agent_name}} are "
        "substituted. Without it, the agent greets in its own words.",
    )


class STTConfig(KubeModel):
    """Speech-to-text settings."""

    provider: STTProvider = Field(default=ModelProvider.OPENAI, description="STT provider.")
    model: str = Field(
        default_factory=default_model(Stage.STT),
        min_length=1,
        max_length=128,
        description=MODEL_DESCRIPTION,
    )
    language: str | None = Field(
        default=None,
        pattern=LANGUAGE_TAG,
        description="BCP 47 language of the caller's speech; defaults to the agent's language.",
    )
    base_url: str | None = BASE_URL_FIELD

    @model_validator(mode="before")
    @classmethod
    def _provider_defaults(cls, data: Any) -> Any:
        return with_provider_defaults(Stage.STT, data)


class LLMConfig(KubeModel):
    """Language model settings."""

    provider: LLMProvider = Field(default=ModelProvider.OPENAI, description="LLM provider.")
    model: str = Field(
        default_factory=default_model(Stage.LLM),
        min_length=1,
        max_length=128,
        description=MODEL_DESCRIPTION,
    )
    temperature: str | None = Field(
        default=None,
        pattern=DECIMAL_0_TO_2,
        description='Sampling temperature as a decimal string between "0" and "2".',
    )
    max_completion_tokens: int | None = Field(
        default=None,
        ge=1,
        le=32768,
        description="Upper bound on tokens generated per reply.",
    )
    base_url: str | None = BASE_URL_FIELD

    @model_validator(mode="before")
    @classmethod
    def _provider_defaults(cls, data: Any) -> Any:
        return with_provider_defaults(Stage.LLM, data)


class TTSConfig(KubeModel):
    """Text-to-speech settings."""

    provider: TTSProvider = Field(default=ModelProvider.OPENAI, description="TTS provider.")
    model: str = Field(
        default_factory=default_model(Stage.TTS),
        min_length=1,
        max_length=128,
        description=MODEL_DESCRIPTION,
    )
    voice: str = Field(
        default_factory=default_voice,
        min_length=1,
        max_length=128,
        description="Voice name (OpenAI) or voice id (Cartesia). Without it, the provider's "
        "default voice: alloy (OpenAI), Katie (Cartesia).",
    )
    speed: str | None = Field(
        default=None,
        pattern=DECIMAL_0_TO_2,
        description='Speaking rate as a decimal string, "1" being normal speed.',
    )
    base_url: str | None = BASE_URL_FIELD

    @model_validator(mode="before")
    @classmethod
    def _provider_defaults(cls, data: Any) -> Any:
        return with_provider_defaults(Stage.TTS, data)


class VADSettings(KubeModel):
    """Silero voice activity detection tuning."""

    min_speech_ms: int = Field(
        default=50, ge=10, le=2000, description="Speech shorter than this is ignored."
    )
    min_silence_ms: int = Field(
        default=550,
        ge=50,
        le=5000,
        description="Silence that must follow speech before the end of speech is declared.",
    )
    activation_threshold_percent: int = Field(
        default=50,
        ge=1,
        le=99,
        description="Speech probability, in percent, above which a frame counts as speech.",
    )


class TurnDetection(KubeModel):
    """How the agent decides that the caller has finished speaking."""

    mode: TurnDetectionMode = Field(
        default=TurnDetectionMode.VAD,
        description="VAD: end of turn after silence. STT: the STT's end-of-utterance. "
        "Model: the offline end-of-turn model shipped with the worker.",
    )
    vad: VADSettings = Field(default_factory=VADSettings, description="VAD tuning.")
    min_endpointing_delay_ms: int = Field(
        default=500,
        ge=0,
        le=10000,
        description="Minimum wait after the end of speech before the agent replies.",
    )
    max_endpointing_delay_ms: int = Field(
        default=6000,
        ge=0,
        le=30000,
        description="Maximum wait after the end of speech before the agent replies.",
    )
    allow_interruptions: bool = Field(
        default=True, description="Whether the caller can interrupt the agent while it speaks."
    )

    cel_rules = (
        CelRule(
            "self.minEndpointingDelayMs <= self.maxEndpointingDelayMs",
            "minEndpointingDelayMs must not exceed maxEndpointingDelayMs",
            ".minEndpointingDelayMs",
        ),
    )
