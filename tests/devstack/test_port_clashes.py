"""Every server of the stack is told its ports before it binds them, so another process can take
one in between (under a busy test run an outgoing connection's ephemeral port can be that very
port). A server that exits with "address already in use" is started again on fresh ports; any
other failure is reported at once.

The clean-clone run that motivated this: livekit-sip was given a port free for UDP whose TCP
twin was taken, and exited with ``listen tcp 127.0.0.1:48286: bind: address already in use``.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from arkenos_devstack import livekit, process
from arkenos_devstack.livekit import LiveKitStack
from arkenos_devstack.process import (
    LOOPBACK,
    LOWEST_PORT,
    ManagedProcess,
    StartupError,
    ephemeral_ports,
    free_port,
    start_retrying_port_clashes,
)


def _exiting_process(tmp_path: Path, message: str) -> ManagedProcess:
    script = f"import sys; print({message!r}); sys.exit(1)"
    return ManagedProcess("fails", [sys.executable, "-c", script], log_file=tmp_path / "fails.log")


def _never_ready() -> bool:
    return False


def test_a_port_clash_is_retried_and_the_dead_attempts_are_dropped(tmp_path: Path) -> None:
    processes: list[ManagedProcess] = []
    attempts: list[int] = []

    def start(attempt: int) -> None:
        attempts.append(attempt)
        if attempt < 3:
            clash = "listen tcp 127.0.0.1:1: bind: address already in use"
            process = _exiting_process(tmp_path, clash)
        else:
            process = ManagedProcess(
                "serves", [sys.executable, "-c", "print('up')"], log_file=tmp_path / "serves.log"
            )
        processes.append(process.start())
        if attempt < 3:
            process.wait_ready(_never_ready, within=10)

    start_retrying_port_clashes(start, processes)

    assert attempts == [1, 2, 3]
    assert [process.name for process in processes] == ["serves"]


def test_a_failure_that_is_not_a_port_clash_is_reported_at_once(tmp_path: Path) -> None:
    attempts: list[int] = []

    def start(attempt: int) -> None:
        attempts.append(attempt)
        process = _exiting_process(tmp_path, "open /etc/config.yaml: no such file or directory")
        process.start().wait_ready(_never_ready, within=10)

    with pytest.raises(StartupError, match="no such file or directory"):
        start_retrying_port_clashes(start, [])
    assert attempts == [1]


def test_the_clash_is_judged_on_this_run_s_output_not_an_earlier_run_s(tmp_path: Path) -> None:
    # A restarted server appends to the same log; the earlier run's clash must not make a later,
    # different failure look like one (and be retried until the attempts run out).
    first = _exiting_process(tmp_path, "bind: Address already in use")
    with pytest.raises(StartupError) as clash:
        first.start().wait_ready(_never_ready, within=10)
    assert clash.value.port_clash

    second = _exiting_process(tmp_path, "bad flag --nope")
    with pytest.raises(StartupError) as other:
        second.start().wait_ready(_never_ready, within=10)
    assert not other.value.port_clash
    assert "Address already in use" in (tmp_path / "fails.log").read_text()


def test_livekit_sip_moves_to_another_port_when_its_tcp_twin_was_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind((LOOPBACK, 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        # The first pick is the squatted port (its UDP twin is free, as in the failed run).
        picks = [taken]
        choose = livekit.free_udp_and_tcp_port
        monkeypatch.setattr(
            livekit,
            "free_udp_and_tcp_port",
            lambda host=LOOPBACK: picks.pop() if picks else choose(host),
        )
        with LiveKitStack(tmp_path) as stack:
            assert stack.sip_port != taken
            assert [process.name for process in stack.processes] == [
                "redis",
                "livekit-server",
                "livekit-sip",
            ]
            assert all(process.running for process in stack.processes)
    assert "address already in use" in (tmp_path / "livekit-sip.log").read_text()


def test_the_sip_port_skips_a_port_whose_tcp_twin_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind((LOOPBACK, 0))
        taken = squatter.getsockname()[1]
        # The UDP probe offers the squatted port first (its UDP twin is free), then any.
        picks = [taken]
        choose = livekit.free_udp_port
        monkeypatch.setattr(
            livekit, "free_udp_port", lambda host=LOOPBACK: picks.pop() if picks else choose(host)
        )
        port = livekit.free_udp_and_tcp_port()
        assert not picks, "the squatted port was offered"
        assert port != taken


@pytest.mark.parametrize("kind", [socket.SOCK_STREAM, socket.SOCK_DGRAM])
def test_free_ports_are_bindable_and_outside_the_range_outgoing_connections_use(
    kind: socket.SocketKind,
) -> None:
    """The kernel gives outgoing connections their local ports from its ephemeral range; a
    port picked there can be taken by one before the server binds it (an ``arkenos-worker``
    lost its health port so in a benchmark). Picked outside, only another server can take it."""
    low, high = ephemeral_ports()
    picked = [free_port(kind=kind) for _ in range(50)]
    assert all(LOWEST_PORT <= port < low or high < port <= 65535 for port in picked)
    assert len(set(picked)) > 40  # spread out: two servers started together rarely meet
    with socket.socket(socket.AF_INET, kind) as server:
        server.bind((LOOPBACK, picked[0]))


def test_a_bound_port_is_not_picked(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind((LOOPBACK, 0))
        busy = taken.getsockname()[1]
        # The only candidate left outside the (patched) ephemeral range is the bound port.
        monkeypatch.setattr(process, "ephemeral_ports", lambda: (busy + 1, 65535))
        monkeypatch.setattr(process, "LOWEST_PORT", busy)
        with pytest.raises(RuntimeError, match="no free port"):
            process.free_port()
    assert process.free_port() == busy
