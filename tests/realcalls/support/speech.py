"""The caller's speech: a sentence spoken by espeak-ng (Debian, offline) into a WAV file, read
back as 16-bit mono samples at the rate the caller publishes."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np

CALLER_SAMPLE_RATE = 48000


def espeak_wav(text: str, path: Path) -> Path:
    """Speak ``text`` into ``path`` (espeak-ng writes 22.05 kHz mono 16-bit PCM)."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise RuntimeError("espeak-ng is not installed: run hack/install-media-deps.sh")
    subprocess.run([espeak, "-v", "en-us", "-s", "170", "-w", str(path), text], check=True)
    return path


def read_wav(path: Path, rate: int = CALLER_SAMPLE_RATE) -> np.ndarray:
    """The WAV's first channel as int16 samples at ``rate`` (linear resampling is enough for
    speech that only has to trip voice activity detection)."""
    with wave.open(str(path), "rb") as source:
        if source.getsampwidth() != 2:
            raise ValueError(f"{path}: expected 16-bit samples")
        channels = source.getnchannels()
        native_rate = source.getframerate()
        samples = np.frombuffer(source.readframes(source.getnframes()), np.int16)
    samples = samples[::channels].astype(np.float64)
    if native_rate != rate:
        positions = np.arange(round(len(samples) * rate / native_rate)) * native_rate / rate
        samples = np.interp(positions, np.arange(len(samples)), samples)
    return samples.astype(np.int16)
