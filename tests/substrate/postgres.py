"""A real PostgreSQL server for the test session, and a fresh database per test module.

The server is started from the machine's PostgreSQL binaries in a temporary directory, listens
on 127.0.0.1 and a free port, and runs with fsync off. ``initdb`` and ``pg_ctl`` refuse to run as
root, so as root they run as the ``postgres`` system user on a directory that user owns.
"""

import os
import re
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from arkenos_devstack.process import LOOPBACK, free_port

POSTGRES_ROOT = Path("/usr/lib/postgresql")
SYSTEM_USER = "postgres"
SUPERUSER = "postgres"
INSTALL_HINT = "Install PostgreSQL with `hack/install-postgres.sh` and run the tests again."
START_TIMEOUT_S = 30

# Durability is worthless for a throwaway test cluster; speed is not.
SERVER_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",
    "log_min_messages": "warning",
}


@dataclass(frozen=True)
class PostgresDatabase:
    """Where one database lives and how to log in to it."""

    host: str
    port: int
    user: str
    password: str
    dbname: str

    def url(self, driver: str = "postgresql+asyncpg") -> str:
        """An SQLAlchemy-style URL, e.g. ``postgresql+asyncpg://user:pw@127.0.0.1:5432/db``."""
        return f"{driver}://{self.user}:{self.password}@{self.host}:{self.port}/{self.dbname}"

    @property
    def dsn(self) -> str:
        """A libpq connection URI (psql, asyncpg.connect, psycopg)."""
        return self.url(driver="postgresql")


class PostgresServer:
    """One PostgreSQL cluster in a temporary directory: start, create databases, stop."""

    def __init__(self, bin_dir: Path, settings: dict[str, str] | None = None) -> None:
        """``settings`` are added to (or override) SERVER_SETTINGS (a benchmark's memory)."""
        self.bin_dir = bin_dir
        self.settings = {**SERVER_SETTINGS, **(settings or {})}
        self.host = LOOPBACK
        self.port = free_port()
        self.password = secrets.token_hex(16)
        self.base_dir = Path(tempfile.mkdtemp(prefix="arkenos-postgres-"))
        self.data_dir = self.base_dir / "data"
        self.socket_dir = self.base_dir / "sockets"
        self.log_file = self.base_dir / "server.log"
        self._database_count = 0

    def start(self) -> None:
        self._prepare_base_dir()
        self._initdb()
        self._configure()
        self._pg_ctl("start", "--wait", f"--timeout={START_TIMEOUT_S}", f"--log={self.log_file}")

    def stop(self) -> None:
        """Stop the server if it runs (fast shutdown) and delete its directory."""
        try:
            if (self.data_dir / "postmaster.pid").exists():
                self._pg_ctl("stop", "--wait", "--mode=fast")
        finally:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def database(self, dbname: str) -> PostgresDatabase:
        return PostgresDatabase(self.host, self.port, SUPERUSER, self.password, dbname)

    def create_database(self, prefix: str = "test") -> PostgresDatabase:
        """Create an empty database with a name unique in this session."""
        self._database_count += 1
        safe_prefix = re.sub(r"[^a-z0-9_]", "_", prefix.lower())[:40]
        dbname = f"{safe_prefix}_{self._database_count}"
        self.psql(f'CREATE DATABASE "{dbname}"')
        return self.database(dbname)

    def drop_database(self, dbname: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run one SQL statement as the superuser over TCP and return psql's unaligned output."""
        command = [
            str(self.bin_dir / "psql"),
            "--no-psqlrc",
            "--quiet",
            "--tuples-only",
            "--no-align",
            "--set=ON_ERROR_STOP=1",
            f"--command={sql}",
            self.database(dbname).dsn,
        ]
        return _run(command, cwd=self.base_dir).strip()

    def _prepare_base_dir(self) -> None:
        self.socket_dir.mkdir()
        password_file = self.base_dir / "password"
        password_file.write_text(self.password)
        if _as_root():
            shutil.chown(self.base_dir, SYSTEM_USER, SYSTEM_USER)
            for path in (self.socket_dir, password_file):
                shutil.chown(path, SYSTEM_USER, SYSTEM_USER)

    def _initdb(self) -> None:
        self._as_server_user(
            "initdb",
            f"--pgdata={self.data_dir}",
            f"--username={SUPERUSER}",
            f"--pwfile={self.base_dir / 'password'}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
            "--no-instructions",
        )

    def _configure(self) -> None:
        settings = {
            **self.settings,
            "listen_addresses": f"'{self.host}'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.socket_dir}'",
        }
        lines = "".join(f"{key} = {value}\n" for key, value in settings.items())
        with (self.data_dir / "postgresql.conf").open("a") as config:
            config.write(lines)

    def _pg_ctl(self, *args: str) -> None:
        try:
            self._as_server_user("pg_ctl", f"--pgdata={self.data_dir}", *args)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n--- server log ---\n{self._log_tail()}") from exc

    def _as_server_user(self, program: str, *args: str) -> str:
        command = [str(self.bin_dir / program), *args]
        if _as_root():
            command = ["runuser", "-u", SYSTEM_USER, "--", *command]
        return _run(command, cwd=self.base_dir)

    def _log_tail(self, lines: int = 30) -> str:
        if not self.log_file.exists():
            return "(no log)"
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])


def find_postgres_bin_dir(root: Path = POSTGRES_ROOT) -> Path:
    """The ``bin`` directory of the newest PostgreSQL version installed under ``root``."""
    candidates = [path.parent for path in root.glob("*/bin/initdb")]
    if not candidates:
        raise FileNotFoundError(f"No PostgreSQL server binaries under {root}. {INSTALL_HINT}")
    return max(candidates, key=lambda bin_dir: _version_key(bin_dir.parent.name))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def _as_root() -> bool:
    return os.geteuid() == 0


def _run(command: list[str], cwd: Path) -> str:
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(
            f"{Path(command[0]).name} failed ({completed.returncode}): {' '.join(command)}\n"
            f"{completed.stdout}{completed.stderr}"
        )
    return completed.stdout


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server; most tests want ``postgres_db`` instead."""
    try:
        bin_dir = find_postgres_bin_dir()
    except FileNotFoundError as exc:
        pytest.fail(str(exc), pytrace=False)
    server = PostgresServer(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def postgres_db(
    postgres_server: PostgresServer, request: pytest.FixtureRequest
) -> Iterator[PostgresDatabase]:
    """A fresh, empty database shared by the tests of one module and dropped after it."""
    database = postgres_server.create_database(prefix=request.module.__name__.rsplit(".", 1)[-1])
    try:
        yield database
    finally:
        postgres_server.drop_database(database.dbname)
