"""livekit-rtc's native (Rust) logs are filtered and printed by the native library itself,
not forwarded record by record to Python, unless the worker is told to forward them.

livekit-rtc starts its native library with log capture on. Capturing, the library lets every
record through, TRACE included: each is formatted in Rust, sent to Python as an FFI event of
its own (one GIL acquisition on livekit's callback thread, one protobuf to parse) and then
dropped there unless it is INFO or above. Counted at 6 calls (tests/bench/bench_voice_rtc.py):
about 680 log events a second, three quarters of all the FFI events the worker received
(mostly TRACE records of the signalling websocket), against 120 audio frames. Not capturing,
the native runtime's threads spent about a third less CPU (1.7-1.9 s in 20 s of 6 calls, down
to 1.1); in one worker switching capture on and off every 2 s under the bench's 6 calls, the
worker's CPU was 3-7 % lower while it was off (three runs).

Not capturing, the library's own logger (Rust's env_logger) filters a record before it is
formatted, by ``RUST_LOG`` (the worker sets ``info`` unless the variable is set), and prints
what it keeps on stderr in its own text format (``[time LEVEL target] message``), not through
Python's logging (so not as JSON lines). ``ARKENOS_FORWARD_NATIVE_LOGS=true`` keeps livekit's
capture, at that cost.
"""

from __future__ import annotations

import logging
import os

from livekit.rtc._ffi_client import FfiClient, ffi_event_callback
from livekit.rtc.version import __version__

logger = logging.getLogger("arkenos.worker")

#: Read by the native library when its runtime starts (the first job's room, or the first
#: call to ``FfiClient.instance``): the env_logger filter of its records.
NATIVE_LOG_FILTER_ENV = "RUST_LOG"
NATIVE_LOG_FILTER = "info"


def filter_native_logs() -> None:
    """Sets the native library's log filter (``RUST_LOG``) unless it is set; before its
    runtime starts, which reads it once."""
    os.environ.setdefault(NATIVE_LOG_FILTER_ENV, NATIVE_LOG_FILTER)


def print_native_logs(client: FfiClient | None = None) -> None:
    """Turns off livekit's log capture in this process: the native library prints its records
    (filtered by ``RUST_LOG``) instead of sending them to Python.

    livekit-rtc has no request for it; its initialisation takes the flag, and initialising
    again replaces only the library's configuration (the same event callback, the SDK's name
    and version) and that flag. If livekit moves what this calls, capture stays on."""
    client = client or FfiClient.instance
    initialize = getattr(getattr(client, "_ffi_lib", None), "livekit_ffi_initialize", None)
    if initialize is None:
        logger.warning("livekit-rtc has no livekit_ffi_initialize: its logs stay captured")
        return
    initialize(ffi_event_callback, False, b"python", __version__.encode("ascii"))
