"""An S3-compatible object store for the tests and `make dev`: versitygw (Apache-2.0), built
from its pinned Go module (``hack/tools/versitygw``), serving a folder of the stack's directory
through its posix backend on 127.0.0.1. MinIO's server is AGPL-licensed, so it is not used;
any S3-compatible store works with the minio client the platform uses."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from arkenos_devstack import tools
from arkenos_devstack.process import LOOPBACK, ManagedProcess, free_port, tcp_open

TOOL = "versitygw"


@dataclass(frozen=True)
class ObjectStoreAddress:
    """Where the store listens and the root credentials it accepts."""

    endpoint: str  # host:port, as the minio client takes it
    access_key: str
    secret_key: str


class ObjectStore:
    """One versitygw process; buckets are folders under ``base_dir/data``."""

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self.port = free_port()
        self.address = ObjectStoreAddress(
            endpoint=f"{LOOPBACK}:{self.port}",
            access_key="arkenos-" + secrets.token_hex(4),
            secret_key=secrets.token_urlsafe(24),
        )
        self.process: ManagedProcess | None = None

    def start(self) -> ObjectStoreAddress:
        data = self.base_dir / "data"
        data.mkdir(parents=True, exist_ok=True)
        binary = tools.binary(TOOL, TOOL)
        self.process = ManagedProcess(
            TOOL,
            [
                binary,
                "--access",
                self.address.access_key,
                "--secret",
                self.address.secret_key,
                "--port",
                self.address.endpoint,
                "--quiet",
                "posix",
                data,
            ],
            log_file=self.base_dir / "versitygw.log",
        ).start()
        self.process.wait_ready(
            tcp_open(self.port), within=30, what=f"S3 on {self.address.endpoint}"
        )
        return self.address

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
