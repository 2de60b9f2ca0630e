"""Run one server as a child process: its log in a file, a readiness probe, a clean stop.

Every server of the stack is started through :class:`ManagedProcess`, so a server that does not
come up is reported the same way everywhere: what was waited for, and the log file that says why.
"""

from __future__ import annotations

import os
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


class StartupError(RuntimeError):
    """A server did not become ready; the message names its log file."""


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port nothing listens on now, for servers that must be told their port up front."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


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

    def start(self) -> ManagedProcess:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_file.open("ab")
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
                    f"{self.log_tail(15)}"
                )
            if time.monotonic() > deadline:
                raise StartupError(
                    f"{self.name} was not ready after {within:.0f} s"
                    f"{' (' + what + ')' if what else ''}; see {self.log_file}"
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
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""
