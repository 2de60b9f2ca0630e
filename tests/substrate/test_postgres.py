"""Tests for the PostgreSQL substrate: a real server reached with asyncpg, a database per module."""

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from tests.substrate import postgres
from tests.substrate.postgres import (
    PostgresDatabase,
    PostgresServer,
    find_postgres_bin_dir,
)

pytestmark = pytest.mark.postgres


@contextlib.asynccontextmanager
async def _connected(database: PostgresDatabase) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database.dsn)
    try:
        yield connection
    finally:
        await connection.close()


async def test_server_answers_over_tcp_with_password_auth(postgres_db: PostgresDatabase) -> None:
    async with _connected(postgres_db) as connection:
        row = await connection.fetchrow(
            "SELECT current_database() AS db, current_user AS who, "
            "inet_server_addr()::text AS addr, current_setting('fsync') AS fsync"
        )
    assert row is not None
    assert dict(row) == {
        "db": postgres_db.dbname,
        "who": postgres_db.user,
        "addr": "127.0.0.1/32",
        "fsync": "off",
    }


async def test_wrong_password_is_refused(postgres_db: PostgresDatabase) -> None:
    wrong = PostgresDatabase(
        postgres_db.host, postgres_db.port, postgres_db.user, "not-the-password", postgres_db.dbname
    )
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(wrong.dsn)


def test_urls_name_the_driver_and_the_database(postgres_db: PostgresDatabase) -> None:
    prefix = f"{postgres_db.user}:{postgres_db.password}@127.0.0.1:{postgres_db.port}"
    assert postgres_db.url() == f"postgresql+asyncpg://{prefix}/{postgres_db.dbname}"
    assert postgres_db.dsn == f"postgresql://{prefix}/{postgres_db.dbname}"
    assert postgres_db.dbname.startswith("test_postgres_")


async def test_module_database_starts_empty_then_keeps_data(postgres_db: PostgresDatabase) -> None:
    async with _connected(postgres_db) as connection:
        tables = await connection.fetchval(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
        await connection.execute("CREATE TABLE marker (note text)")
        await connection.execute("INSERT INTO marker VALUES ('written by the first test')")
    assert tables == 0


async def test_module_database_is_shared_by_the_module(postgres_db: PostgresDatabase) -> None:
    async with _connected(postgres_db) as connection:
        notes = await connection.fetch("SELECT note FROM marker")
    assert [row["note"] for row in notes] == ["written by the first test"]


async def test_each_database_is_isolated(postgres_server: PostgresServer) -> None:
    first = postgres_server.create_database(prefix="isolation")
    second = postgres_server.create_database(prefix="isolation")
    try:
        assert first.dbname != second.dbname
        async with _connected(first) as connection:
            await connection.execute("CREATE TABLE only_in_first (id int)")
        async with _connected(second) as connection:
            found = await connection.fetchval("SELECT to_regclass('only_in_first') IS NOT NULL")
        assert found is False
    finally:
        postgres_server.drop_database(first.dbname)
        postgres_server.drop_database(second.dbname)
    remaining = postgres_server.psql("SELECT datname FROM pg_database").splitlines()
    assert first.dbname not in remaining
    assert second.dbname not in remaining


def test_missing_binaries_name_the_install_script(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"hack/install-postgres\.sh"):
        find_postgres_bin_dir(root=tmp_path)


def test_newest_installed_version_is_chosen(tmp_path: Path) -> None:
    for version in ("9.6", "15", "16"):
        bin_dir = tmp_path / version / "bin"
        bin_dir.mkdir(parents=True)
        (bin_dir / "initdb").touch()
    assert find_postgres_bin_dir(root=tmp_path).parent.name == "16"


@pytest.mark.parametrize(
    ("as_root", "prefix"), [(True, ["runuser", "-u", "postgres", "--"]), (False, [])]
)
def test_server_commands_run_as_postgres_only_when_root(
    monkeypatch: pytest.MonkeyPatch, as_root: bool, prefix: list[str]
) -> None:
    issued: list[list[str]] = []

    def record(command: list[str], cwd: Path) -> str:
        issued.append(command)
        return ""

    monkeypatch.setattr(postgres, "_run", record)
    monkeypatch.setattr(postgres, "_as_root", lambda: as_root)
    server = PostgresServer(Path("/usr/lib/postgresql/99/bin"))
    server.data_dir.mkdir()
    (server.data_dir / "postmaster.pid").touch()  # as if it were running
    server.stop()

    pg_ctl = "/usr/lib/postgresql/99/bin/pg_ctl"
    assert issued == [
        [*prefix, pg_ctl, f"--pgdata={server.data_dir}", "stop", "--wait", "--mode=fast"]
    ]
    assert not server.base_dir.exists()
