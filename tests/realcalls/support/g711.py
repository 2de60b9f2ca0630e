"""G.711 µ-law (PCMU), the phone network's codec, in numpy: what the phone caller sends and
how it reads what livekit-sip sends back. (``audioop`` is deprecated and leaves in 3.13.)"""

from __future__ import annotations

import numpy as np

BIAS = 0x84
CLIP = 32635


def ulaw_encode(samples: np.ndarray) -> bytes:
    pcm = samples.astype(np.int32)
    sign = (pcm < 0).astype(np.int32) << 7
    magnitude = np.minimum(np.abs(pcm), CLIP) + BIAS
    exponent = np.floor(np.log2(magnitude)).astype(np.int32) - 7
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8).tobytes()


def ulaw_decode(payload: bytes) -> np.ndarray:
    inverted = ~np.frombuffer(payload, np.uint8).astype(np.int32) & 0xFF
    exponent = (inverted >> 4) & 0x07
    magnitude = (((inverted & 0x0F) << 3) + BIAS) << exponent
    linear = magnitude - BIAS
    return np.where(inverted & 0x80, -linear, linear).astype(np.int16)
