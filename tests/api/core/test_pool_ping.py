"""The engine pings a pooled connection only when it sat idle: one in steady use goes out
without the ping's round trips, and an idle one the server dropped is replaced before a
statement fails on it. Run against the substrate's PostgreSQL; the backend is really ended
(pg_terminate_backend), as a database restart or a proxy's idle timeout ends it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from arkenos_api.core import db
from tests.substrate.postgres import PostgresDatabase


def record_queries(engine: AsyncEngine) -> list[str]:
    """The statements asyncpg sends on the engine's connections outside prepared ones: BEGIN,
    ROLLBACK and the ping's empty query (";", which nothing else sends)."""
    queries: list[str] = []

    def connected(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(lambda r: queries.append(r.query))

    event.listen(engine.sync_engine, "connect", connected)
    return queries


async def backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    return int(pid)


async def terminate(dsn: str, pid: int) -> None:
    """End the backend and wait until the server no longer lists it."""
    admin = await asyncpg.connect(dsn)
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        for _ in range(1000):
            if not await admin.fetchval("SELECT 1 FROM pg_stat_activity WHERE pid = $1", pid):
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError(f"backend {pid} still runs after pg_terminate_backend")
    finally:
        await admin.close()


@pytest.fixture
async def engine(postgres_db: PostgresDatabase) -> AsyncIterator[AsyncEngine]:
    engine = db.create_engine(postgres_db.url(), 1, max_overflow=0)
    try:
        yield engine
    finally:
        await engine.dispose()


async def test_a_connection_in_steady_use_is_not_pinged(engine: AsyncEngine) -> None:
    queries = record_queries(engine)
    pids = {await backend_pid(engine) for _ in range(3)}
    assert len(pids) == 1  # one pooled connection, handed out three times
    assert queries.count("BEGIN;") == 3  # the statements ran
    assert ";" not in queries


async def test_an_idle_connection_is_pinged_and_a_dropped_one_replaced(
    postgres_db: PostgresDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)  # every returned connection counts as idle
    engine = db.create_engine(postgres_db.url(), 1, max_overflow=0)
    try:
        queries = record_queries(engine)
        first = await backend_pid(engine)
        assert ";" not in queries  # a new connection needs no ping
        second = await backend_pid(engine)
        assert second == first
        assert ";" in queries  # the idle one was pinged before its statement
        await terminate(postgres_db.dsn, first)
        replaced = await backend_pid(engine)
        assert replaced != first
    finally:
        await engine.dispose()


async def test_without_the_ping_the_dropped_connection_fails_its_statement(
    postgres_db: PostgresDatabase,
) -> None:
    """What the ping saves an idle connection from (and so what the test above checks)."""
    engine = db.create_engine(postgres_db.url(), 1, pre_ping=False, max_overflow=0)
    try:
        first = await backend_pid(engine)
        await terminate(postgres_db.dsn, first)
        with pytest.raises(DBAPIError):
            await backend_pid(engine)
        assert await backend_pid(engine) != first  # the pool replaced it after the failure
    finally:
        await engine.dispose()
