"""Pure pieces of call setup: dispatch metadata, SIP parties, variables, pipeline options."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from livekit import rtc
from livekit.agents import vad as vad_api
from pydantic import ValidationError

from arkenos_agent_runtime.call.dispatch import DispatchError, call_parties, dispatch_metadata
from arkenos_agent_runtime.call.pipeline import (
    INPUT_SAMPLE_RATE,
    InlineSileroVAD,
    PipelineConfigError,
    SileroModel,
    VADCache,
    build_stt,
    build_tts,
    room_options,
    turn_handling,
    vad_options,
)
from arkenos_agent_runtime.openai_clients import OpenAIClients
from arkenos_agent_runtime.standard.variables import call_variables, substitute
from arkenos_crds.pipeline import TurnDetection, VADSettings
from arkenos_crds.runtime import CallDirection, DispatchMetadata, RuntimeConfig
from tests.realcalls.support.speech import espeak_wav, read_wav


@dataclass
class Participant:
    identity: str
    kind: int
    attributes: dict[str, str] = field(default_factory=dict)


def test_dispatch_metadata_comes_from_the_job_then_the_room() -> None:
    job = '{"workspace": "acme", "agent": "support", "direction": "Inbound"}'
    assert dispatch_metadata(job, "").agent == "support"
    room = '{"workspace": "acme", "agent": "sales"}'
    assert dispatch_metadata("", room).agent == "sales"
    with pytest.raises(DispatchError, match="no dispatch metadata"):
        dispatch_metadata(" ", "")
    with pytest.raises(ValidationError):
        dispatch_metadata('{"workspace": "acme"}')


def test_sip_parties_come_from_the_participant_attributes() -> None:
    metadata = DispatchMetadata(
        workspace="acme",
        agent="support",
        direction=CallDirection.INBOUND,
        phone_number="+15550002222",
    )
    sip = Participant(
        identity="sip_+15550001111",
        kind=rtc.ParticipantKind.PARTICIPANT_KIND_SIP,
        attributes={"sip.phoneNumber": "+15550001111", "sip.trunkPhoneNumber": "+15550003333"},
    )
    parties = call_parties(metadata, sip)  # type: ignore[arg-type]
    assert (parties.caller, parties.callee, parties.sip_identity) == (
        "+15550001111",
        "+15550003333",
        "sip_+15550001111",
    )
    browser = Participant(identity="user-1", kind=rtc.ParticipantKind.PARTICIPANT_KIND_STANDARD)
    parties = call_parties(metadata, browser)  # type: ignore[arg-type]
    assert (parties.caller, parties.callee, parties.sip_identity) == (None, "+15550002222", None)
    outbound = metadata.model_copy(update={"direction": CallDirection.OUTBOUND})
    parties = call_parties(outbound, sip)  # type: ignore[arg-type]
    assert (parties.caller, parties.callee) == ("+15550003333", "+15550001111")


def test_variables_are_substituted_and_platform_names_win(
    make_config: Callable[..., RuntimeConfig],
) -> None:
    config = make_config(displayName="Ada")
    metadata = DispatchMetadata(
        workspace="acme", agent="support", variables={"plan": "Gold", "agent_name": "Mallory"}
    )
    variables = call_variables(config, metadata, None)
    assert variables == {"plan": "Gold", "agent_name": "Ada", "caller_number": "unknown"}
    text = "Hi {{ agent_name }} / {{plan}} / {{missing}}"
    assert substitute(text, variables) == "Hi Ada / Gold / {{missing}}"


def test_turn_detection_and_vad_options_follow_the_spec() -> None:
    turn = TurnDetection(
        mode="STT",
        min_endpointing_delay_ms=300,
        max_endpointing_delay_ms=4000,
        allow_interruptions=False,
    )
    assert turn_handling(turn) == {
        "turn_detection": "stt",
        "endpointing": {"min_delay": 0.3, "max_delay": 4.0},
        "interruption": {"enabled": False},
    }
    vad = VADSettings(min_speech_ms=80, min_silence_ms=250, activation_threshold_percent=60)
    assert vad_options(vad) == (0.08, 0.25, 0.6)


def test_every_runners_vads_share_the_workers_silero_model() -> None:
    """The model loads once per worker: another job runner's VADs, and settings beyond the
    prewarmed defaults, are VADs of their own on its ONNX session, with the options
    ``silero.VAD.load`` sets."""
    from livekit.plugins import silero

    model = SileroModel()
    first, second = VADCache(model), VADCache(model)
    prewarmed = first.get(VADSettings())
    tuned = VADSettings(min_speech_ms=80, min_silence_ms=250, activation_threshold_percent=60)
    vad, other_runners = first.get(tuned), second.get(VADSettings())

    vads = (prewarmed, vad, other_runners)
    assert all(isinstance(v, silero.VAD) for v in vads)
    assert len({id(v) for v in vads}) == 3
    assert len({id(v._onnx_session) for v in vads}) == 1  # type: ignore[attr-defined]
    loaded = silero.VAD.load(
        min_speech_duration=0.08, min_silence_duration=0.25, activation_threshold=0.6
    )
    assert vad._opts == loaded._opts  # type: ignore[attr-defined]
    assert prewarmed._opts == silero.VAD.load()._opts  # type: ignore[attr-defined]
    assert first.get(tuned) is vad


def test_model_turn_detection_loads_the_offline_model() -> None:
    options = turn_handling(TurnDetection(mode="Model"))
    assert type(options["turn_detection"]).__name__ == "TurnDetector"


def test_model_turn_detection_that_cannot_load_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    from livekit.agents.inference import eot

    def unavailable(**_: object) -> None:
        raise RuntimeError("model weights missing")

    monkeypatch.setattr(eot, "TurnDetector", unavailable)
    with pytest.raises(PipelineConfigError, match=r"offline end-of-turn model.*weights missing"):
        turn_handling(TurnDetection(mode="Model"))


async def test_a_missing_provider_key_is_a_clear_error(
    make_config: Callable[..., RuntimeConfig],
) -> None:
    config = make_config(stt={"model": "gpt-4o-mini-transcribe"}).model_copy(update={"keys": {}})
    clients = OpenAIClients()
    with pytest.raises(PipelineConfigError, match="no openai API key for agent acme/support"):
        build_stt(config, clients)
    await clients.aclose()


async def test_cartesia_tts_uses_its_base_url_and_key(
    make_config: Callable[..., RuntimeConfig],
) -> None:
    config = make_config(
        tts={
            "provider": "Cartesia",
            "model": "sonic-2",
            "voice": "voice-123",
            "baseURL": "http://127.0.0.1:9",
        }
    ).model_copy(update={"keys": {"cartesia": "ck-test"}})
    tts = build_tts(config, OpenAIClients())
    assert tts.provider == "Cartesia"
    assert tts.model == "sonic-2"
    await tts.aclose()


class CountingPool(ThreadPoolExecutor):
    """The loop's default thread pool, counting what is handed to it."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.submitted = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


def framed(samples: np.ndarray) -> list[np.ndarray | None]:
    """``samples`` in the room's 50 ms frames at 16 kHz."""
    step = INPUT_SAMPLE_RATE // 20
    return [samples[i : i + step] for i in range(0, len(samples) - step + 1, step)]


async def speech_events(vad: Any, speech: np.ndarray) -> tuple[list[tuple[str, int]], int]:
    """The START/END_OF_SPEECH events (and their sample indexes) of ``vad`` on ``speech``
    framed as the room delivers it (50 ms at 16 kHz), and the jobs the loop's default thread
    pool got meanwhile."""
    pool = CountingPool()
    asyncio.get_running_loop().set_default_executor(pool)
    samples = np.concatenate([np.zeros(8000), speech, np.zeros(16000)]).astype(np.int16)
    stream = vad.stream()
    for chunk in framed(samples):
        assert chunk is not None
        stream.push_frame(rtc.AudioFrame(chunk.tobytes(), INPUT_SAMPLE_RATE, 1, len(chunk)))
    stream.end_input()
    wanted = (vad_api.VADEventType.START_OF_SPEECH, vad_api.VADEventType.END_OF_SPEECH)
    events = [(e.type.name, e.samples_index) async for e in stream if e.type in wanted]
    return events, pool.submitted


def test_the_workers_vad_infers_on_the_calls_loop_with_the_plugins_events(
    tmp_path: Path,
) -> None:
    """Silero's inference runs inline on the call's loop, not through the thread pool (a
    thread hop and a wake-up per 32 ms window cost more than the inference), and detects the
    same speech at the same samples as the plugin's own stream."""
    from livekit.plugins import silero

    speech = read_wav(espeak_wav("I would like to order a pizza", tmp_path / "s.wav"), 16000)
    ours = SileroModel().vad(0.05, 0.55, 0.5)
    plugins = silero.VAD(session=ours._onnx_session, opts=ours._opts)  # type: ignore[attr-defined]

    inline, inline_pool = asyncio.run(speech_events(ours, speech))
    pooled, plugin_pool = asyncio.run(speech_events(plugins, speech))

    assert [kind for kind, _ in inline][:2] == ["START_OF_SPEECH", "END_OF_SPEECH"]
    assert inline == pooled
    assert inline_pool == 0
    assert plugin_pool > 0


class CountingSession:
    """An onnxruntime session counting its inferences."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self.runs = 0

    def run(self, *args: Any, **kwargs: Any) -> Any:
        self.runs += 1
        return self._session.run(*args, **kwargs)


Event = tuple[str, int, float, bool]


async def side_by_side(vad: Any, feeds: list[list[np.ndarray | None]]) -> list[list[Event]]:
    """Every event (inference results included) of one stream of ``vad`` per feed, the
    streams fed as a call's session and its STT are: the same 50 ms frame to each in turn,
    each frame's work done before the next arrives. ``None`` in a feed flushes its stream."""
    streams = [vad.stream() for _ in feeds]
    events: list[list[Event]] = [[] for _ in feeds]

    async def drain(index: int) -> None:
        async for e in streams[index]:
            events[index].append((e.type.name, e.samples_index, e.probability, e.speaking))

    drains = [asyncio.create_task(drain(i)) for i in range(len(feeds))]
    for frames in zip(*feeds, strict=True):
        for stream, chunk in zip(streams, frames, strict=True):
            if chunk is None:
                stream.flush()
            else:
                stream.push_frame(rtc.AudioFrame(chunk.tobytes(), INPUT_SAMPLE_RATE, 1, len(chunk)))
        for _ in range(3):
            await asyncio.sleep(0)
    for stream in streams:
        stream.end_input()
    await asyncio.gather(*drains)
    return events


@pytest.fixture(scope="module")
def call_audio(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    wav = espeak_wav("I would like to order a pizza", tmp_path_factory.mktemp("vad") / "s.wav")
    speech = read_wav(wav, INPUT_SAMPLE_RATE)
    return np.concatenate(
        [np.zeros(8000), speech, np.zeros(16000), speech, np.zeros(16000)]
    ).astype(np.int16)


def test_a_calls_two_vad_streams_run_each_window_once_with_the_plugins_events(
    call_audio: np.ndarray,
) -> None:
    """The session's VAD stream and the STT adapter's, on the same audio: one inference per
    window between them, and each stream's events, probabilities included, are those of the
    plugin's own stream alone."""
    from livekit.plugins import silero

    ours = SileroModel().vad(0.05, 0.25, 0.5)
    counting = CountingSession(ours._onnx_session)  # type: ignore[attr-defined]
    shared = InlineSileroVAD(session=counting, opts=ours._opts)  # type: ignore[attr-defined]
    plugins = silero.VAD(session=ours._onnx_session, opts=ours._opts)  # type: ignore[attr-defined]
    feed = framed(call_audio)

    session_side, stt_side = asyncio.run(side_by_side(shared, [feed, feed]))
    [alone] = asyncio.run(side_by_side(plugins, [feed]))

    windows = sum(1 for kind, *_ in alone if kind == "INFERENCE_DONE")
    assert windows == len(call_audio) // 512
    assert [kind for kind, *_ in alone].count("END_OF_SPEECH") == 2
    assert session_side == stt_side == alone
    assert counting.runs == windows
    assert shared.windows.shared == windows


def speech_edges(events: list[Event], after: int = -1) -> list[tuple[str, int]]:
    """The START/END_OF_SPEECH events (kind, sample index) from sample ``after`` on."""
    wanted = ("START_OF_SPEECH", "END_OF_SPEECH")
    return [(kind, index) for kind, index, *_ in events if kind in wanted and index > after]


def test_a_younger_vad_stream_follows_the_older_once_it_hears_the_same_audio(
    call_audio: np.ndarray,
) -> None:
    """As in a call: the STT's stream hears silence while the echo canceller warms up. The
    oldest stream (the session's) keeps exactly the plugin's events; the younger infers what
    only it hears (no speech in the silence), then takes the older's inferences for the windows
    both hear, and its speech starts and ends where the older's does."""
    from livekit.plugins import silero

    ours = SileroModel().vad(0.05, 0.25, 0.5)
    counting = CountingSession(ours._onnx_session)  # type: ignore[attr-defined]
    shared = InlineSileroVAD(session=counting, opts=ours._opts)  # type: ignore[attr-defined]
    plugins = silero.VAD(session=ours._onnx_session, opts=ours._opts)  # type: ignore[attr-defined]
    warm_until = 40000  # 2.5 s: the first sentence, and a second of quiet after it
    heard = framed(call_audio)
    warming = framed(
        np.where(np.arange(len(call_audio)) < warm_until, 0, call_audio).astype(np.int16)
    )

    session_side, stt_side = asyncio.run(side_by_side(shared, [heard, warming]))
    [alone] = asyncio.run(side_by_side(plugins, [heard]))

    assert session_side == alone
    assert speech_edges(alone, after=warm_until)  # the second sentence
    assert speech_edges(stt_side) == speech_edges(alone, after=warm_until)
    windows = sum(1 for kind, *_ in alone if kind == "INFERENCE_DONE")
    # The windows after the warm-up inferred once; before it, the STT's silence apart (but for
    # the stretches of quiet both heard).
    assert windows < counting.runs <= windows + warm_until // 512


def test_a_flushed_vad_stream_keeps_the_plugins_events_and_the_other_its_speech(
    call_audio: np.ndarray,
) -> None:
    """livekit flushes the session's stream when the STT ends a turn the VAD has not: it starts
    over on the frames after the flush, its windows no longer the other stream's. The flushed
    (oldest) stream's events are the plugin's; the other's speech is where the plugin finds it."""
    from livekit.plugins import silero

    ours = SileroModel().vad(0.05, 0.25, 0.5)
    plugins = silero.VAD(session=ours._onnx_session, opts=ours._opts)  # type: ignore[attr-defined]
    heard = framed(call_audio)
    flushed = list(heard)
    flushed[30] = None  # mid-sentence

    restarted, other = asyncio.run(side_by_side(ours, [flushed, heard]))
    [restarted_alone] = asyncio.run(side_by_side(plugins, [flushed]))
    [alone] = asyncio.run(side_by_side(plugins, [heard]))

    assert restarted == restarted_alone
    assert restarted_alone != alone
    assert speech_edges(other) == speech_edges(alone)


def test_calls_take_the_callers_audio_at_the_vads_rate() -> None:
    """The room's audio stream resamples once, natively, to Silero's 16 kHz."""
    options = room_options().get_audio_input_options()
    assert options is not None
    assert options.sample_rate == INPUT_SAMPLE_RATE == 16000
