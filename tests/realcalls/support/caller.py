"""A browser-like caller: a participant of the livekit rtc SDK (the same libwebrtc a browser
runs) that publishes a microphone track fed in real time, silence or queued speech, and
listens to the agent's audio track, noting when each stretch of the agent's speech starts.

Times are ``time.perf_counter()`` readings: the end of the caller's speech is when its last
sample was handed to the microphone source, the start of the agent's speech is when the first
loud frame of the agent's track came out of the caller's jitter buffer.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np
from livekit import rtc

from tests.realcalls.support.speech import CALLER_SAMPLE_RATE

#: The microphone's frames: 20 ms, as a browser's Opus packets; libwebrtc takes them apart in
#: 10 ms pieces itself, so this only halves the caller's Python work (an FFI round trip and a
#: callback per frame) against 10 ms frames.
FRAME_SAMPLES = CALLER_SAMPLE_RATE // 50
#: The agent's audio is heard at this rate in 10 ms frames (the resolution of "the agent
#: started speaking"): libwebrtc resamples natively, the loudness check then reads a third of
#: the samples it would at 48 kHz.
LISTEN_SAMPLE_RATE = 16000
#: Above the codec's noise on a silent line, far below the TTS double's tone.
SPEECH_RMS = 500.0
#: Quieter than this long ends a stretch of the agent's speech.
SPEECH_GAP_S = 0.25
#: Frames the microphone source may hold: small, so a captured frame is sent at once.
SOURCE_QUEUE_MS = 50


@dataclass
class AgentSpeech:
    """One stretch of the agent's speech as the caller heard it."""

    started_at: float
    last_loud_at: float
    loud_frames: int = 1


@dataclass
class Heard:
    """What the caller received from the agent."""

    stretches: list[AgentSpeech] = field(default_factory=list)
    frames: int = 0
    agent_joined_at: float | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def note(self, loud: bool, at: float) -> None:
        self.frames += 1
        if not loud:
            return
        current = self.stretches[-1] if self.stretches else None
        if current is not None and at - current.last_loud_at <= SPEECH_GAP_S:
            current.last_loud_at = at
            current.loud_frames += 1
            return
        self.stretches.append(AgentSpeech(started_at=at, last_loud_at=at))
        self.changed.set()

    def loud_frames(self, after: float = 0.0, before: float = float("inf")) -> int:
        """Loud frames of the stretches that started in (``after``, ``before``): a reply the
        agent's loop delivered in bursts counts whole."""
        return sum(s.loud_frames for s in self.stretches if after < s.started_at < before)


class WebCaller:
    """Join with :meth:`join`; :meth:`say` speaks, :meth:`agent_speech_after` waits to hear."""

    def __init__(self, room: rtc.Room) -> None:
        self.room = room
        self.heard = Heard()
        self.source = rtc.AudioSource(CALLER_SAMPLE_RATE, 1, queue_size_ms=SOURCE_QUEUE_MS)
        self._pending: deque[np.ndarray] = deque()
        self._spoken = asyncio.Event()
        self._speech_ended_at = 0.0
        self._tasks: list[asyncio.Task[None]] = []

    @classmethod
    async def join(cls, url: str, token: str) -> WebCaller:
        caller = cls(rtc.Room())
        caller.room.on("track_subscribed", caller._on_track_subscribed)
        caller.room.on("participant_connected", caller._on_participant)
        await caller.room.connect(url, token, rtc.RoomOptions(auto_subscribe=True))
        for participant in caller.room.remote_participants.values():
            caller._on_participant(participant)
        track = rtc.LocalAudioTrack.create_audio_track("microphone", caller.source)
        options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
        await caller.room.local_participant.publish_track(track, options)
        caller._tasks.append(asyncio.create_task(caller._microphone()))
        return caller

    async def say(self, samples: np.ndarray) -> float:
        """Speak ``samples`` in real time; return when the last one was sent (end of speech)."""
        self._spoken.clear()
        for start in range(0, len(samples) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
            self._pending.append(samples[start : start + FRAME_SAMPLES])
        await self._spoken.wait()
        return self._speech_ended_at

    async def agent_speech_after(self, after: float, within: float) -> AgentSpeech:
        """The first stretch of the agent's speech that started after ``after``."""
        async with asyncio.timeout(within):
            while True:
                for stretch in self.heard.stretches:
                    if stretch.started_at > after:
                        return stretch
                self.heard.changed.clear()
                await self.heard.changed.wait()

    async def agent_quiet(self, within: float) -> None:
        """Wait until the agent has been silent for longer than SPEECH_GAP_S."""
        async with asyncio.timeout(within):
            while True:
                last = self.heard.stretches[-1].last_loud_at if self.heard.stretches else 0.0
                if time.perf_counter() - last > SPEECH_GAP_S:
                    return
                await asyncio.sleep(0.05)

    async def leave(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.room.disconnect()
        await self.source.aclose()

    def _on_participant(self, participant: rtc.RemoteParticipant) -> None:
        agent = participant.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT
        if agent and self.heard.agent_joined_at is None:
            self.heard.agent_joined_at = time.perf_counter()

    def _on_track_subscribed(
        self,
        track: rtc.Track,
        _publication: rtc.RemoteTrackPublication,
        participant: rtc.RemoteParticipant,
    ) -> None:
        if track.kind == rtc.TrackKind.KIND_AUDIO:
            self._on_participant(participant)
            self._tasks.append(asyncio.create_task(self._listen(track)))

    async def _listen(self, track: rtc.Track) -> None:
        stream = rtc.AudioStream.from_track(
            track=track, sample_rate=LISTEN_SAMPLE_RATE, num_channels=1
        )
        try:
            async for event in stream:
                samples = np.frombuffer(event.frame.data, np.int16).astype(np.int64)
                power = float(samples @ samples) / len(samples) if len(samples) else 0.0
                self.heard.note(power > SPEECH_RMS * SPEECH_RMS, time.perf_counter())
        finally:
            await stream.aclose()

    async def _microphone(self) -> None:
        silence = np.zeros(FRAME_SAMPLES, np.int16)
        next_at = time.perf_counter()
        speaking = False
        while True:
            next_at += FRAME_SAMPLES / CALLER_SAMPLE_RATE
            delay = next_at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if self._pending:
                chunk, speaking = self._pending.popleft(), True
            else:
                chunk = silence
            frame = rtc.AudioFrame(chunk.tobytes(), CALLER_SAMPLE_RATE, 1, FRAME_SAMPLES)
            await self.source.capture_frame(frame)
            if speaking and not self._pending:
                # The last speech sample has just been sent: the end of speech.
                self._speech_ended_at = time.perf_counter()
                speaking = False
                self._spoken.set()
