"""Run one server as a child process: its log in a file, a readiness probe, a clean stop.

Every server of the stack is started through :class:`ManagedProcess`, so a server that does not
come up is reported the same way everywhere: what was waited for, and the log file that says why.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

LOOPBACK = "127.0.0.1"


#: How often a server whose pre-chosen port was taken is started again on fresh ports.
PORT_ATTEMPTS = 3
#: What a Go server logs when its port is already bound (Redis capitalises it: compare lower-case).
ADDRESS_IN_USE = "address already in use"


class StartupError(RuntimeError):
    """A server did not become ready; the message names its log file and ends with its log."""

    def __init__(self, message: str, *, process: ManagedProcess, log_tail: str = "") -> None:
        super().__init__(message)
        self.process = process
        self.log_tail = log_tail

    @property
    def port_clash(self) -> bool:
        """The server exited because a port it was told to use was bound by someone else."""
        return ADDRESS_IN_USE in self.log_tail.lower()


def start_retrying_port_clashes(
    start: Callable[[int], object],
    processes: list[ManagedProcess],
    *,
    attempts: int = PORT_ATTEMPTS,
) -> None:
    """Run ``start(attempt)`` (which picks its ports, launches a server and waits for it) again
    when the server lost a port race, dropping the dead attempt from ``processes``.

    A port is chosen before the server binds it (its config or its clients name it first), so
    another process on this machine can take it in between: under a busy test run an outgoing
    connection's ephemeral port can be that very port.
    """
    for attempt in range(1, attempts + 1):
        try:
            start(attempt)
            return
        except StartupError as error:
            if attempt == attempts or not error.port_clash:
                raise
            if error.process in processes:
                processes.remove(error.process)


#: Where Linux takes the local ports of outgoing connections from, unless it says otherwise.
EPHEMERAL_PORTS = (32768, 60999)
#: The lowest port handed out: below it are the well-known and the commonly configured ones.
LOWEST_PORT = 10000


def ephemeral_ports() -> tuple[int, int]:
    """The kernel's range for the local ports of outgoing connections."""
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        return EPHEMERAL_PORTS
    return low, high


def free_port(host: str = LOOPBACK, kind: socket.SocketKind = socket.SOCK_STREAM) -> int:
    """A port (TCP, or UDP with ``kind=SOCK_DGRAM``) nothing is bound to now, for servers that
    must be told their port up front.

    It is taken outside the kernel's ephemeral range: a port the kernel hands out itself (as
    binding port 0 does) is one it may also give an outgoing connection before the server
    binds it, which under a busy test run it did."""
    low, high = ephemeral_ports()
    ports: list[int] = [*range(LOWEST_PORT, max(low, LOWEST_PORT)), *range(high + 1, 65536)]
    for port in random.sample(ports, min(len(ports), 200)):
        with socket.socket(socket.AF_INET, kind) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port on {host} outside the ephemeral range {low}-{high}")


def tls_context(ca_file: Path) -> ssl.SSLContext:
    """A client TLS context that trusts only ``ca_file`` (the stack's own CA)."""
    return ssl.create_default_context(cafile=str(ca_file))


def http_ok(
    url: str, *, timeout: float = 1.0, context: ssl.SSLContext | None = None
) -> Callable[[], bool]:
    """A readiness probe: ``url`` answers 2xx."""

    def probe() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=timeout, context=context) as response:  # noqa: S310
                status: int = response.status
                return 200 <= status < 300
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return False

    return probe


def tcp_open(port: int, host: str = LOOPBACK) -> Callable[[], bool]:
    """A readiness probe: something accepts TCP connections on ``host:port``."""

    def probe() -> bool:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            return False

    return probe


class ManagedProcess:
    """One child process with its output in ``log_file``."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str | os.PathLike[str]],
        *,
        log_file: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        user: str | None = None,
    ) -> None:
        self.name = name
        self.argv = [str(part) for part in argv]
        self.log_file = log_file
        self.env = dict(os.environ if env is None else env)
        self.cwd = cwd
        self.user = user
        self.process: subprocess.Popen[bytes] | None = None
        # Where this run's output begins: a restarted server appends to the same log.
        self.log_offset = 0

    def start(self) -> ManagedProcess:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_file.open("ab")
        self.log_offset = log.seek(0, os.SEEK_END)
        try:
            self.process = subprocess.Popen(
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                cwd=self.cwd,
                user=self.user,
                start_new_session=True,
            )
        finally:
            log.close()
        return self

    def wait_ready(
        self, probe: Callable[[], bool], *, within: float = 60.0, what: str = ""
    ) -> None:
        """Poll ``probe`` until it is true; fail early, naming the log, if the process exits."""
        deadline = time.monotonic() + within
        while not probe():
            if self.process is not None and self.process.poll() is not None:
                # The log's last lines go into the error too: a test's temporary directory
                # (and the log with it) is often gone by the time someone reads the failure.
                raise StartupError(
                    f"{self.name} exited with code {self.process.returncode} before it was ready"
                    f"{' (' + what + ')' if what else ''}; see {self.log_file}; it ends:\n"
                    f"{self.log_tail(15)}",
                    process=self,
                    log_tail=self.log_tail(200),
                )
            if time.monotonic() > deadline:
                raise StartupError(
                    f"{self.name} was not ready after {within:.0f} s"
                    f"{' (' + what + ')' if what else ''}; see {self.log_file}",
                    process=self,
                )
            time.sleep(0.1)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int) -> None:
        if self.running and self.process is not None:
            os.killpg(self.process.pid, signum)

    def stop(self, *, grace: float = 10.0) -> int | None:
        """SIGTERM the process group, then SIGKILL after ``grace`` seconds; return the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.process.wait(timeout=grace)
        return self.process.returncode

    def log_tail(self, lines: int = 40) -> str:
        """The last ``lines`` lines this run wrote (not an earlier run's, in the same log)."""
        try:
            with self.log_file.open("rb") as log:
                log.seek(self.log_offset)
                text = log.read().decode(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])
