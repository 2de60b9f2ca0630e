"""Browser calls for the dashboard's browser tests: the real livekit-server (with Redis, no SIP),
the OpenAI-compatible double the real-call tests use (it hears the caller's question, answers it
and speaks a tone), the standard worker process registered with livekit-server, and the caller's
sentence as a WAV file for Chromium's fake microphone.

The pieces are the real-call tests' own (tests/realcalls/support): the same agent spec, the same
double, the same worker launcher. LiveKit must exist before the API (its settings name it) and
the worker after it (it fetches each call's config from the API), so this comes in two steps.
"""

from __future__ import annotations

import contextlib
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from arkenos_crds.voiceagent import STANDARD_DISPATCH_NAME
from arkenos_devstack.livekit import LiveKitStack
from arkenos_devstack.tools import is_built
from tests.doubles.openai import ChatRule, OpenAIDouble
from tests.doubles.server import serve_aiohttp
from tests.realcalls.support.agent import (
    AGENT_ANSWERS,
    CALLER_SAYS,
    GREETING,
    OPENAI_KEY,
    agent_spec,
)
from tests.realcalls.support.speech import CALLER_SAMPLE_RATE, espeak_wav, read_wav
from tests.realcalls.support.worker import WorkerProcess, start_worker

#: Silence around the caller's sentence in the fake microphone's file (Chromium loops it): the
#: agent's greeting and livekit-agents' echo-canceller warm-up (3 s after the agent first speaks)
#: pass before the caller speaks, and the agent has time to answer before the loop repeats.
SILENCE_BEFORE_S = 6.0
SILENCE_AFTER_S = 8.0


@dataclass
class CallServers:
    """livekit-server and the model double; ``settings()`` points the API at them."""

    livekit: LiveKitStack
    openai_url: str
    speech_wav: Path

    def settings(self) -> dict[str, Any]:
        keys = self.livekit.keys
        return {
            "livekit_url": self.livekit.http_url,
            "livekit_public_url": self.livekit.url,
            "livekit_api_key": keys.api_key,
            "livekit_api_secret": keys.api_secret,
        }

    def described(self) -> dict[str, Any]:
        """What the browser tests need to make a callable agent and check what they hear."""
        return {
            "url": self.livekit.url,
            "agentSpec": agent_spec(self.openai_url),
            "openaiKey": OPENAI_KEY,
            "dispatchName": STANDARD_DISPATCH_NAME,
            "greeting": GREETING,
            "callerSays": CALLER_SAYS,
            "agentAnswers": AGENT_ANSWERS,
            "speechWav": str(self.speech_wav),
        }


def fake_microphone_wav(workdir: Path) -> Path:
    """The caller's sentence between silences, 16-bit mono at 48 kHz, for
    ``--use-file-for-fake-audio-capture``."""
    spoken = read_wav(espeak_wav(CALLER_SAYS, workdir / "caller-espeak.wav"))
    rate = CALLER_SAMPLE_RATE
    before = np.zeros(round(SILENCE_BEFORE_S * rate), np.int16)
    after = np.zeros(round(SILENCE_AFTER_S * rate), np.int16)
    path = workdir / "caller.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.concatenate([before, spoken, after]).tobytes())
    return path


@contextlib.contextmanager
def call_servers(workdir: Path) -> Iterator[CallServers]:
    """livekit-server (its config and logs under ``workdir``/livekit) and the model double."""
    if not is_built("livekit-server"):
        raise RuntimeError("livekit-server is not built: run `make tools` first")
    double = OpenAIDouble(
        api_key=OPENAI_KEY,
        transcripts=[CALLER_SAYS],
        rules=[ChatRule(match="order", text=AGENT_ANSWERS)],
        speech_seconds=0.8,
        speech_tone_hz=440.0,
    )
    with (
        LiveKitStack(workdir / "livekit", with_sip=False) as livekit,
        serve_aiohttp(double.app()) as served,
    ):
        yield CallServers(livekit, served.url + "/v1", fake_microphone_wav(workdir))


@contextlib.contextmanager
def standard_worker(
    servers: CallServers, api_url: str, pool_token: str, workdir: Path
) -> Iterator[WorkerProcess]:
    """The standard worker, registered with livekit-server (its log in ``workdir``)."""
    token_file = workdir / "pool-token"
    token_file.write_text(pool_token)
    worker = start_worker(servers.livekit, api_url, token_file, workdir / "worker.log")
    try:
        yield worker
    finally:
        worker.stop(grace=8.0)  # an idle worker drains at once; the runner waits 45 s in all
