"""Builds the voice pipeline of a standard agent from its runtime config: STT, LLM and TTS
plugins with the resolved keys, Silero VAD settings, and turn handling."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import onnxruntime
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


#: How many windows in a row a younger stream must hear as an older one did before it takes
#: the older's state (256 ms): a short stretch of digital silence in the older's speech, heard
#: where the younger hears only silence, is not the same audio.
AGREEING_WINDOWS = 8
#: How many windows' results a VAD keeps for its other streams (32 ms each): its streams see
#: the same frames within a few loop iterations of each other.
SHARED_WINDOWS = 32


@dataclass(frozen=True, slots=True)
class WindowResult:
    """One inference: which stream ran it, on which recurrent state, and what came out."""

    rank: int
    state_in: bytes
    probability: float
    state_out: np.ndarray


class WindowResults:
    """The latest inferences of Silero's model on the streams of one VAD, by window (the how
    many-th window of its stream, and its 32 ms of audio with the context ahead of it), so that
    a call's streams infer each window once.

    A call runs two streams of its VAD when its STT is not a streaming one: the session's turn
    detection and the STT's ``StreamAdapter``, which cuts the speech it sends. They hear the
    same windows, except that livekit hands the STT silence while the echo canceller warms up
    after the greeting (and while the agent speaks uninterruptibly); the recurrent states then
    differ for the rest of the call, so an exact match of window and state never comes back.
    Streams are ranked by age: a younger stream that hears a window an older one has inferred
    takes that result and state (once it has heard AGREEING_WINDOWS in a row as the older did),
    and from then on follows the same trajectory of the model; the oldest stream never takes
    another's, so its events are exactly the plugin's. A window only one stream hears (the
    STT's silence) is inferred by that stream. The window's place in the stream is part of its
    key, so audio that repeats (digital silence) is not taken from another moment. One VAD
    serves one job runner's calls, on that runner's thread."""

    def __init__(self, capacity: int = SHARED_WINDOWS) -> None:
        self._capacity = capacity
        self._by_window: dict[tuple[int, bytes], WindowResult] = {}
        self._streams = 0
        self.shared = 0  # inferences a stream took instead of running

    def rank(self) -> int:
        """The next stream's rank (lower is older)."""
        self._streams += 1
        return self._streams

    def get(self, window: tuple[int, bytes]) -> WindowResult | None:
        return self._by_window.get(window)

    def taken(self) -> None:
        self.shared += 1

    def put(self, window: tuple[int, bytes], result: WindowResult) -> None:
        held = self._by_window.get(window)
        if held is not None and held.rank < result.rank:
            return  # an older stream's inference of the same window stays
        if held is None and len(self._by_window) >= self._capacity:
            del self._by_window[next(iter(self._by_window))]  # the oldest window
        self._by_window[window] = result


class SharedWindowModel:
    """Silero's model for one VAD stream, as the plugin's ``OnnxModel`` computes it (the last
    context samples of the previous window ahead of this one, the recurrent state carried
    over), taking an inference from ``WindowResults`` where it may. States are replaced, never
    written in place, so streams share them."""

    def __init__(
        self, session: onnxruntime.InferenceSession, sample_rate: int, results: WindowResults
    ) -> None:
        if sample_rate == 8000:
            window, self._context = 256, 32
        elif sample_rate == 16000:
            window, self._context = 512, 64
        else:
            raise ValueError("Silero VAD only supports 8 kHz and 16 kHz")
        self._session = session
        self._sample_rate = sample_rate
        self._window = window
        self._rate = np.array(sample_rate, dtype=np.int64)
        self._results = results
        self._rank = results.rank()
        self._windows = 0  # inferred since the stream began: a flush does not turn time back
        self._agreeing = 0  # windows in a row an older stream heard the same
        self.reset()

    @property
    def sample_rate(self) -> int:
        return self._sample_rate

    @property
    def window_size_samples(self) -> int:
        return self._window

    @property
    def context_size(self) -> int:
        return self._context

    def reset(self) -> None:
        self._input = np.zeros((1, self._context + self._window), dtype=np.float32)
        self._state = np.zeros((2, 1, 128), dtype=np.float32)

    def __call__(self, window: np.ndarray) -> float:
        self._input[:, : self._context] = self._input[:, -self._context :]
        self._input[:, self._context :] = window
        heard = (self._windows, self._input.tobytes())
        self._windows += 1
        state = self._state.tobytes()
        found = self._results.get(heard)
        older = found is not None and found.rank < self._rank
        self._agreeing = self._agreeing + 1 if older else 0
        if found is not None and (
            found.state_in == state or (older and self._agreeing >= AGREEING_WINDOWS)
        ):
            self._results.taken()
        else:
            out, next_state = self._session.run(
                None, {"input": self._input, "state": self._state, "sr": self._rate}
            )
            found = WindowResult(self._rank, state, float(out.item()), next_state)
            self._results.put(heard, found)
        self._state = found.state_out
        return found.probability


class InlineSileroVAD(silero.VAD):
    """livekit's Silero VAD whose streams run their inferences inline (``_InlineInference``)
    and share each window's result (``SharedWindowModel``); events and options are the
    plugin's own."""

    def __init__(self, *, session: onnxruntime.InferenceSession, opts: Any) -> None:
        super().__init__(session=session, opts=opts)
        self.windows = WindowResults()

    def stream(self) -> silero.VADStream:
        stream = super().stream()
        # The plugin keeps the loop and the model as private fields, read first when the
        # stream's task starts; if they move, the stream runs as the plugin has it.
        if isinstance(getattr(stream, "_loop", None), asyncio.AbstractEventLoop):
            stream._loop = _InlineInference(stream._loop)  # type: ignore[assignment]
        if hasattr(stream, "_model"):
            stream._model = SharedWindowModel(  # type: ignore[assignment]
                self._onnx_session, self._opts.sample_rate, self.windows
            )
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
