"""Builds the voice pipeline of a standard agent from its runtime config: STT, LLM and TTS
plugins with the resolved keys, Silero VAD settings, and turn handling."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable, Mapping
from typing import Any, cast

from livekit.agents import NOT_GIVEN, room_io, stt, tts, vad
from livekit.agents import llm as lk_llm
from livekit.agents.voice.turn import TurnHandlingOptions
from livekit.plugins import cartesia, deepgram, openai, silero

from arkenos_agent_runtime.openai_clients import OpenAIClients
from arkenos_crds.pipeline import (
    TurnDetection,
    TurnDetectionMode,
    VADSettings,
)
from arkenos_crds.providers import ModelProvider, Stage
from arkenos_crds.runtime import Provider, RuntimeConfig

#: The rate the caller's audio is delivered to the session at. Silero runs at 16 kHz and the
#: streaming STT providers take 16 kHz: asked for at this rate, the room's audio stream
#: resamples natively once (in libwebrtc's FFI) instead of every VAD and STT stream
#: resampling livekit's default 24 kHz again in Python, one FFI round trip per frame each.
INPUT_SAMPLE_RATE = 16000


def room_options() -> room_io.RoomOptions:
    """How a call's session joins its room: the caller's audio at INPUT_SAMPLE_RATE (the
    frame size and everything else as livekit sets them)."""
    return room_io.RoomOptions(audio_input=room_io.AudioInputOptions(sample_rate=INPUT_SAMPLE_RATE))


class PipelineConfigError(Exception):
    """The config asks for something this worker cannot build; the message says what."""


def vad_options(settings: VADSettings) -> tuple[float, float, float]:
    """Silero's (min_speech_duration, min_silence_duration, activation_threshold)."""
    return (
        settings.min_speech_ms / 1000,
        settings.min_silence_ms / 1000,
        settings.activation_threshold_percent / 100,
    )


class SileroModel:
    """The Silero VAD model of one worker process, loaded once (slow and blocking: in the
    first job runner's prewarm) and shared by every call's VADs. Its ONNX session holds no
    call state (each VAD stream keeps its own) and may run from several job threads at once,
    so a job runner's prewarm after the first, and a call whose agent tunes its VAD, load
    nothing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: silero.VAD | None = None

    def _load(self) -> silero.VAD:
        with self._lock:
            if self._loaded is None:
                # Typed as the base class's load; it builds the plugin's own VAD.
                self._loaded = cast(silero.VAD, silero.VAD.load())
            return self._loaded

    def vad(self, min_speech: float, min_silence: float, threshold: float) -> silero.VAD:
        """A VAD of its own (events, options) on the shared model, set as
        ``silero.VAD.load`` would set it."""
        loaded = self._load()
        # The plugin has no public way to build a VAD on a loaded session: its fields are read.
        options = dataclasses.replace(
            loaded._opts,
            min_speech_duration=min_speech,
            min_silence_duration=min_silence,
            activation_threshold=threshold,
            deactivation_threshold=max(threshold - 0.15, 0.01),
        )
        return InlineSileroVAD(session=loaded._onnx_session, opts=options)


class _InlineInference:
    """Stands in for a Silero stream's event loop, whose only use of it is
    ``run_in_executor(None, model, window)`` for every 32 ms window: the inference (a few
    tenths of a millisecond, onnxruntime on one intra-op thread) runs at once on the call's
    own loop instead of a hop to the default thread pool and a self-pipe wake-up back, which
    cost the worker more CPU than the inference itself (tests/bench/bench_voice_rtc.py)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def run_in_executor(self, _executor: None, fn: Callable[..., Any], *args: Any) -> Any:
        done = self._loop.create_future()
        done.set_result(fn(*args))
        return done


class InlineSileroVAD(silero.VAD):
    """livekit's Silero VAD whose streams run their inferences inline (``_InlineInference``);
    events and options are the plugin's own."""

    def stream(self) -> silero.VADStream:
        stream = super().stream()
        # The plugin keeps the loop as a private field; if it moves, inference stays on the
        # thread pool as the plugin does it.
        if isinstance(getattr(stream, "_loop", None), asyncio.AbstractEventLoop):
            stream._loop = _InlineInference(stream._loop)  # type: ignore[assignment]
        return stream


class VADCache:
    """The Silero VADs of one job runner, one per distinct setting, on the worker's shared
    model (a runner serves one call: its VAD's metrics events are that call's alone)."""

    def __init__(self, model: SileroModel | None = None) -> None:
        self._model = model or SileroModel()
        self._by_settings: dict[tuple[float, float, float], vad.VAD] = {}

    def get(self, settings: VADSettings) -> vad.VAD:
        key = vad_options(settings)
        if key not in self._by_settings:
            self._by_settings[key] = self._model.vad(*key)
        return self._by_settings[key]


def _key(config: RuntimeConfig, provider: Provider, base_url: str | None) -> str:
    key = config.keys.get(provider)
    if key:
        return key
    if base_url:
        # A self-hosted OpenAI-compatible server may want no key; the SDK still needs one.
        return "unused"
    raise PipelineConfigError(
        f"no {provider.value} API key for agent {config.workspace}/{config.agent}: store one "
        "in the workspace or set credentials.secretRef"
    )


def _given(value: Any) -> Any:
    return NOT_GIVEN if value is None else value


def _openai_stt(config: RuntimeConfig, clients: OpenAIClients) -> stt.STT[Any]:
    spec = config.spec.stt
    return openai.STT(
        model=spec.model,
        language=spec.language or config.spec.language,
        client=clients.get(spec.base_url, _key(config, Provider.OPENAI, spec.base_url)),
        use_realtime=False,
    )


def _deepgram_stt(config: RuntimeConfig, clients: OpenAIClients) -> stt.STT[Any]:
    spec = config.spec.stt
    options: dict[str, Any] = {"base_url": spec.base_url} if spec.base_url else {}
    return deepgram.STT(
        model=spec.model,
        language=spec.language or config.spec.language,
        api_key=_key(config, Provider.DEEPGRAM, spec.base_url),
        **options,
    )


def _openai_llm(config: RuntimeConfig, clients: OpenAIClients) -> lk_llm.LLM[Any]:
    spec = config.spec.llm
    return openai.LLM(
        model=spec.model,
        client=clients.get(spec.base_url, _key(config, Provider.OPENAI, spec.base_url)),
        temperature=float(spec.temperature) if spec.temperature is not None else NOT_GIVEN,
        max_completion_tokens=_given(spec.max_completion_tokens),
    )


def _speed(config: RuntimeConfig) -> float | None:
    speed = config.spec.tts.speed
    return float(speed) if speed is not None else None


def _openai_tts(config: RuntimeConfig, clients: OpenAIClients) -> tts.TTS[Any]:
    spec = config.spec.tts
    return openai.TTS(
        model=spec.model,
        voice=spec.voice,
        speed=_speed(config) or 1.0,
        client=clients.get(spec.base_url, _key(config, Provider.OPENAI, spec.base_url)),
        # Raw PCM: no decoder between the provider and the caller.
        response_format="pcm",
    )


def _cartesia_tts(config: RuntimeConfig, clients: OpenAIClients) -> tts.TTS[Any]:
    spec = config.spec.tts
    return cartesia.TTS(
        model=spec.model,
        voice=spec.voice,
        language=config.spec.language,
        speed=_speed(config),
        base_url=spec.base_url or "https://api.cartesia.ai",
        api_key=_key(config, Provider.CARTESIA, spec.base_url),
    )


Builder = Callable[[RuntimeConfig, OpenAIClients], Any]

#: One builder per provider the resource model's table admits for each stage
#: (``arkenos_crds.providers.STAGE_PROVIDERS``); a test checks that they match.
BUILDERS: Mapping[Stage, Mapping[ModelProvider, Builder]] = {
    Stage.STT: {ModelProvider.OPENAI: _openai_stt, ModelProvider.DEEPGRAM: _deepgram_stt},
    Stage.LLM: {ModelProvider.OPENAI: _openai_llm},
    Stage.TTS: {ModelProvider.OPENAI: _openai_tts, ModelProvider.CARTESIA: _cartesia_tts},
}


def _build(
    stage: Stage, provider: ModelProvider, config: RuntimeConfig, clients: OpenAIClients
) -> Any:
    builder = BUILDERS[stage].get(provider)
    if builder is None:
        raise PipelineConfigError(f"{stage} provider {provider} is not supported by this worker")
    return builder(config, clients)


def build_stt(config: RuntimeConfig, clients: OpenAIClients) -> stt.STT[Any]:
    built: stt.STT[Any] = _build(Stage.STT, config.spec.stt.provider, config, clients)
    return built


def build_llm(config: RuntimeConfig, clients: OpenAIClients) -> lk_llm.LLM[Any]:
    built: lk_llm.LLM[Any] = _build(Stage.LLM, config.spec.llm.provider, config, clients)
    return built


def build_tts(config: RuntimeConfig, clients: OpenAIClients) -> tts.TTS[Any]:
    built: tts.TTS[Any] = _build(Stage.TTS, config.spec.tts.provider, config, clients)
    return built


def turn_handling(turn: TurnDetection) -> TurnHandlingOptions:
    options: TurnHandlingOptions = {
        "endpointing": {
            "min_delay": turn.min_endpointing_delay_ms / 1000,
            "max_delay": turn.max_endpointing_delay_ms / 1000,
        },
        "interruption": {"enabled": turn.allow_interruptions},
    }
    if turn.mode == TurnDetectionMode.VAD:
        options["turn_detection"] = "vad"
    elif turn.mode == TurnDetectionMode.STT:
        options["turn_detection"] = "stt"
    else:
        options["turn_detection"] = load_turn_model()
    return options


def load_turn_model() -> Any:
    """livekit-agents' offline end-of-turn model (turn-detector-v1-mini, local inference)."""
    try:
        from livekit.agents.inference.eot import TurnDetector

        return TurnDetector(version="v1-mini")
    except Exception as exc:
        raise PipelineConfigError(
            f"turn detection mode Model needs the offline end-of-turn model, which did not "
            f"load on this worker: {exc}"
        ) from exc
