"""A PostgreSQL server for `make dev`: Debian's binaries, a data directory in the stack's
directory, 127.0.0.1 on a free port. ``initdb`` and ``postgres`` refuse to run as root, so as
root they run as the ``postgres`` system user (on a directory that user owns)."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path

from arkenos_devstack.process import LOOPBACK, ManagedProcess, free_port, tcp_open

POSTGRES_ROOT = Path("/usr/lib/postgresql")
SYSTEM_USER = "postgres"
SUPERUSER = "postgres"
DATABASE = "arkenos"


def find_bin_dir(root: Path = POSTGRES_ROOT) -> Path:
    """The ``bin`` folder of the newest PostgreSQL installed under ``root``."""
    candidates = [path.parent for path in root.glob("*/bin/initdb")]
    if not candidates:
        raise FileNotFoundError(
            f"No PostgreSQL under {root}: run hack/install-postgres.sh (make postgres)."
        )
    return max(candidates, key=lambda path: [int(n) for n in re.findall(r"\d+", path.parent.name)])


class Postgres:
    """One server with one database, ``arkenos``, and a random superuser password."""

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self.bin_dir = find_bin_dir()
        self.port = free_port()
        self.password = secrets.token_hex(16)
        self.process: ManagedProcess | None = None

    @property
    def url(self) -> str:
        """The SQLAlchemy URL the API takes (``ARKENOS_DATABASE_URL``)."""
        return f"postgresql+asyncpg://{SUPERUSER}:{self.password}@{LOOPBACK}:{self.port}/{DATABASE}"

    def start(self) -> None:
        data = self.base_dir / "data"
        self.base_dir.mkdir(parents=True, exist_ok=True)
        password_file = self.base_dir / "password"
        password_file.write_text(self.password)
        if _as_root():
            shutil.chown(self.base_dir, SYSTEM_USER, SYSTEM_USER)
            shutil.chown(password_file, SYSTEM_USER, SYSTEM_USER)
        self._run(
            "initdb", f"--pgdata={data}", f"--username={SUPERUSER}", f"--pwfile={password_file}",
            "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8", "--no-locale",
            "--no-sync", "--no-instructions",
        )  # fmt: skip
        self.process = ManagedProcess(
            "postgres",
            [
                self.bin_dir / "postgres", "-D", data, "-h", LOOPBACK, "-p", str(self.port),
                "-k", self.base_dir, "-c", "fsync=off", "-c", "synchronous_commit=off",
            ],
            log_file=self.base_dir / "postgres.log",
            cwd=self.base_dir,
            user=SYSTEM_USER if _as_root() else None,
        ).start()  # fmt: skip
        self.process.wait_ready(tcp_open(self.port), within=30, what=f"port {self.port}")
        self._run(
            "createdb", "-h", str(self.base_dir), "-p", str(self.port), "-U", SUPERUSER, DATABASE
        )

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin_dir / program), *args]
        if _as_root():
            command = ["runuser", "-u", SYSTEM_USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd="/")
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed: {done.stdout}{done.stderr}")


def _as_root() -> bool:
    return os.geteuid() == 0
