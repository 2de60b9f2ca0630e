"""livekit-rtc's native logs: by default the worker has the native library print them itself
(filtered by RUST_LOG) instead of sending every record, TRACE included, to Python; with
ARKENOS_FORWARD_NATIVE_LOGS they reach Python's logging as livekit sends them. Checked on the
native library in a process of its own (its client and log capture are process-wide), and on
the worker: its first job sets it up, once, and a worker told to forward does not."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap

import pytest

from arkenos_agent_runtime import hosting
from tests.agent_runtime.conftest import StartHost, held_calls, now_check, offer
from tests.doubles.livekit_worker import LiveKitWorkerDouble
from tests.doubles.server import ServedApp
from tests.substrate.waiting import eventually

#: An unknown handle to drop: the native library logs a warning naming it.
UNKNOWN_HANDLE = 987654321

PROBE = textwrap.dedent(
    f"""
    import logging, sys, time
    from livekit.rtc._ffi_client import FfiClient
    from arkenos_agent_runtime import native_logs

    forwarded = []

    class Kept(logging.Handler):
        def emit(self, record):
            forwarded.append(record.getMessage())

    logging.getLogger("livekit").addHandler(Kept())
    logging.getLogger("livekit").setLevel(logging.INFO)
    printing = sys.argv[1] == "print"
    if printing:
        native_logs.filter_native_logs()
    client = FfiClient.instance
    if printing:
        native_logs.print_native_logs(client)
    client._ffi_lib.livekit_ffi_drop_handle({UNKNOWN_HANDLE})
    deadline = time.monotonic() + (1.5 if printing else 5)
    while time.monotonic() < deadline and not forwarded:
        time.sleep(0.05)
    print("forwarded:", any("{UNKNOWN_HANDLE}" in m for m in forwarded), flush=True)
    """
)


def probe(mode: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "RUST_LOG"}
    return subprocess.run(
        [sys.executable, "-c", PROBE, mode],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_the_native_library_prints_its_records_instead_of_sending_them_to_python() -> None:
    printed = probe("print")
    assert "forwarded: False" in printed.stdout
    # env_logger's own line, on the process's stderr.
    assert any(
        "WARN" in line and "livekit_ffi" in line and str(UNKNOWN_HANDLE) in line
        for line in printed.stderr.splitlines()
    ), printed.stderr


def test_livekits_capture_sends_the_same_record_to_python() -> None:
    # What ARKENOS_FORWARD_NATIVE_LOGS keeps (and the worker did before): the record is
    # Python's, and the native library prints nothing itself.
    captured = probe("capture")
    assert "forwarded: True" in captured.stdout
    assert str(UNKNOWN_HANDLE) not in captured.stderr


@pytest.mark.parametrize(("forward", "set_up"), [("false", 1), ("true", 0)])
async def test_the_first_job_sets_the_native_logs_up_once_unless_told_to_forward(
    run_host: StartHost,
    livekit: tuple[LiveKitWorkerDouble, ServedApp],
    monkeypatch: pytest.MonkeyPatch,
    forward: str,
    set_up: int,
) -> None:
    calls: list[str] = []
    # Counted, not run: the test process's own livekit client keeps livekit's capture.
    monkeypatch.setattr(hosting, "filter_native_logs", lambda: calls.append("filter"))
    monkeypatch.setattr(hosting, "print_native_logs", lambda: calls.append("print"))
    started: list[str] = []
    host, running = await run_host(
        held_calls(started),
        ARKENOS_MAX_SESSIONS="2",
        ARKENOS_DRAIN_TIMEOUT_SECONDS="1",
        ARKENOS_FORWARD_NATIVE_LOGS=forward,
    )
    # The filter is set before any job starts the native runtime; the capture is left to
    # the first job.
    assert calls == ["filter"] * set_up

    answers = await asyncio.gather(offer(livekit, "call-1"), offer(livekit, "call-2"))
    assert list(answers) == [True, True]
    await eventually(
        now_check(lambda: len(started) == 2 or None), within=20, what="2 calls started"
    )

    assert calls == ["filter", "print"] * set_up
    host.request_stop()
    await asyncio.wait_for(running, 30)
