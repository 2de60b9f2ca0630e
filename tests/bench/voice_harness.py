"""An in-process audio harness for AgentSession: a microphone that plays 16 kHz frames in real
time (silence, or a queued utterance), and a speaker that timestamps the first agent frame of
each reply. Used by bench_voice; the utterances are synthetic voiced speech (a glottal pulse
train through vowel formants) that Silero VAD detects as speech."""

from __future__ import annotations

import asyncio
import time
from collections import deque

import numpy as np
from livekit import rtc
from livekit.agents.voice import io

SAMPLE_RATE = 16000
FRAME_SAMPLES = 160  # 10 ms
VOWELS = ((730, 1090, 2440), (270, 2290, 3010), (300, 870, 2240), (530, 1840, 2480))


def _resonate(signal: np.ndarray, frequency: float, bandwidth: float) -> np.ndarray:
    r = np.exp(-np.pi * bandwidth / SAMPLE_RATE)
    a1, a2 = -2 * r * np.cos(2 * np.pi * frequency / SAMPLE_RATE), r * r
    out = np.zeros(len(signal))
    y1 = y2 = 0.0
    for n, x in enumerate(signal):
        y = (1 - r) * x - a1 * y1 - a2 * y2
        out[n], y2, y1 = y, y1, y
    return out


def synthetic_utterance(seconds: float, f0: float = 130.0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    phase = np.cumsum(2 * np.pi * f0 * (1 + 0.05 * np.sin(2 * np.pi * 3 * t)) / SAMPLE_RATE)
    source = np.sign(np.sin(phase)) * 0.5 + 0.02 * rng.standard_normal(len(t))
    syllable = int(0.25 * SAMPLE_RATE)
    out = np.zeros(len(t))
    for index, start in enumerate(range(0, len(t), syllable)):
        segment = source[start : start + syllable]
        shaped = sum(
            _resonate(segment, f, bw)
            for f, bw in zip(VOWELS[index % len(VOWELS)], (80, 90, 120), strict=True)
        )
        envelope = np.sin(np.pi * np.arange(len(segment)) / len(segment)) ** 0.5
        out[start : start + syllable] = shaped * envelope
    return (out / np.max(np.abs(out)) * 0.6 * 32767).astype(np.int16)


class Microphone(io.AudioInput):
    """Yields a 10 ms frame every 10 ms of wall time: queued speech, else silence."""

    def __init__(self) -> None:
        super().__init__(label="bench-mic")
        self._pending: deque[np.ndarray] = deque()
        self._next_at = time.perf_counter()
        self._silence = np.zeros(FRAME_SAMPLES, np.int16)
        self.speech_ended_at: float | None = None
        self._in_speech = False

    def say(self, samples: np.ndarray) -> None:
        self.speech_ended_at = None
        for start in range(0, len(samples) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
            self._pending.append(samples[start : start + FRAME_SAMPLES])

    async def __anext__(self) -> rtc.AudioFrame:
        self._next_at += FRAME_SAMPLES / SAMPLE_RATE
        delay = self._next_at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if self._pending:
            chunk = self._pending.popleft()
            self._in_speech = True
        else:
            chunk = self._silence
            if self._in_speech:
                # The last speech sample has just been played: the end of speech.
                self.speech_ended_at = time.perf_counter()
                self._in_speech = False
        return rtc.AudioFrame(chunk.tobytes(), SAMPLE_RATE, 1, FRAME_SAMPLES)


class Speaker(io.AudioOutput):
    """Accepts the agent's audio faster than real time and timestamps each reply's first frame."""

    def __init__(self) -> None:
        super().__init__(
            label="bench-speaker", capabilities=io.AudioOutputCapabilities(pause=False)
        )
        self.first_frame_at: float | None = None
        self.replies_finished = asyncio.Event()
        self._pushed = 0.0
        self._started = False

    async def capture_frame(self, frame: rtc.AudioFrame) -> None:
        await super().capture_frame(frame)
        if not self._started:
            self._started = True
            if self.first_frame_at is None:
                self.first_frame_at = time.perf_counter()
            self.on_playback_started(created_at=time.time())
        self._pushed += frame.duration

    def flush(self) -> None:
        super().flush()
        if self._started:
            self.on_playback_finished(playback_position=self._pushed, interrupted=False)
        self._started, self._pushed = False, 0.0
        self.replies_finished.set()

    def clear_buffer(self) -> None:
        if self._started:
            self.on_playback_finished(playback_position=self._pushed, interrupted=True)
        self._started, self._pushed = False, 0.0
