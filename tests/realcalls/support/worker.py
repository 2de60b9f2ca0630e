"""The standard worker as production runs it: the ``arkenos-worker`` entry point in its own
process, configured through its environment, registered with the real livekit-server."""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from arkenos_devstack.livekit import LiveKitStack
from arkenos_devstack.process import ManagedProcess, free_port, http_ok

WORKER_STARTUP_S = 120.0


@dataclass
class WorkerProcess:
    """One ``arkenos-worker`` process; ``ready()`` is its drain-aware readiness."""

    process: ManagedProcess
    health_port: int
    metrics_port: int

    @property
    def health_url(self) -> str:
        return f"http://127.0.0.1:{self.health_port}"

    def metrics(self) -> str:
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as response:
            text: str = response.read().decode()
            return text

    def readiness(self) -> tuple[int, str]:
        """``GET /ready``: its status and why."""
        try:
            with urllib.request.urlopen(f"{self.health_url}/ready", timeout=5) as response:  # noqa: S310
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def wait_exit(self, within: float) -> int:
        """The exit code, once the process has ended by itself."""
        assert self.process.process is not None
        return self.process.process.wait(within)

    def wait_registered(self, within: float = WORKER_STARTUP_S) -> None:
        self.process.wait_ready(
            http_ok(f"{self.health_url}/ready"), within=within, what="registered with LiveKit"
        )

    def stop(self, grace: float = 30.0) -> int | None:
        return self.process.stop(grace=grace)


def worker_environment(
    stack: LiveKitStack, api_url: str, token_file: Path, health_port: int, metrics_port: int
) -> dict[str, str]:
    return {
        **os.environ,
        "ARKENOS_API_URL": api_url,
        "ARKENOS_TOKEN_FILE": str(token_file),
        "LIVEKIT_URL": stack.url,
        "LIVEKIT_API_KEY": stack.keys.api_key,
        "LIVEKIT_API_SECRET": stack.keys.api_secret,
        "ARKENOS_HEALTH_PORT": str(health_port),
        "ARKENOS_METRICS_PORT": str(metrics_port),
        "ARKENOS_IDLE_PROCESSES": "1",
        "ARKENOS_DRAIN_TIMEOUT_SECONDS": "120",
    }


def start_worker(
    stack: LiveKitStack,
    api_url: str,
    token_file: Path,
    log_file: Path,
    extra_env: Mapping[str, str] | None = None,
) -> WorkerProcess:
    """``extra_env``: more settings (a benchmark's JSON logs, its idle job runners)."""
    health_port, metrics_port = free_port(), free_port()
    env = worker_environment(stack, api_url, token_file, health_port, metrics_port)
    env.update(extra_env or {})
    argv = [sys.executable, "-m", "arkenos_agent_runtime.standard"]
    process = ManagedProcess("arkenos-worker", argv, log_file=log_file, env=env).start()
    worker = WorkerProcess(process, health_port, metrics_port)
    try:
        worker.wait_registered()
    except BaseException:
        process.stop()
        raise
    return worker
