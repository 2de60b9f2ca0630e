"""Migration 0010 over a database with calls in it: the histograms' least and greatest values
are backfilled from the sessions and turns 0009 counted (equal to a rebuild by the current
code), a row the sessions do not account for gets its bucket's bounds, and it downgrades."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
from alembic import command

from arkenos_api.analytics import histograms
from arkenos_api.core.db import alembic_config

ROWS = (
    "SELECT workspace_id, hours, period_start, agent, metric, bucket, count, min_value,"
    " max_value FROM analytics_histograms"
)
START = datetime(2026, 11, 3, 22, 0, tzinfo=UTC)
WORKER = "system:serviceaccount:arkenos-system:arkenos-worker"


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg", "postgresql")


async def _migrate(url: str, revision: str, *, down: bool = False) -> None:
    step = command.downgrade if down else command.upgrade
    await asyncio.to_thread(step, alembic_config(url), revision)


async def _seed(connection: asyncpg.Connection, workspace_id: uuid.UUID) -> None:
    rng = random.Random(10)
    await connection.execute(
        "INSERT INTO workspaces (id, namespace, display_name, adopted, keys_version, created_at)"
        " VALUES ($1, 'migrated', 'migrated', false, 0, now())",
        workspace_id,
    )
    for index in range(60):
        session_id = uuid.uuid4()
        started = START + timedelta(minutes=rng.randint(0, 240))
        ended = started + timedelta(milliseconds=rng.randint(0, 900_000)) if index % 7 else None
        await connection.execute(
            "INSERT INTO sessions (id, workspace_id, agent, job_id, room, direction, served_by,"
            " dispatched_at, started_at, ended_at, status, created_at)"
            " VALUES ($1, $2, $3, $4, $5, 'Web', $6, $7, $7, $8, 'Ended', now())",
            session_id,
            workspace_id,
            rng.choice(["front-desk", "sales"]),
            f"AJ_{session_id.hex}",
            f"room-{session_id.hex}",
            WORKER,
            started,
            ended,
        )
        for turn in range(rng.randint(0, 3)):
            await connection.execute(
                "INSERT INTO turn_metrics (session_id, seq, turn, end_to_end_ms, stt_ms, llm_ms,"
                " tts_ms, at) VALUES ($1, $2::bigint, $2::int, $3, $4, $5, $6, $7)",
                session_id,
                turn,
                rng.randint(0, 3000),
                rng.choice([None, rng.randint(0, 400)]),
                rng.randint(1, 900),
                rng.randint(1, 300),
                started,
            )


async def test_the_bounds_are_backfilled_from_the_calls(spare_database: str) -> None:
    await _migrate(spare_database, "0008")
    workspace_id = uuid.uuid4()
    connection = await asyncpg.connect(_dsn(spare_database))
    try:
        await _seed(connection, workspace_id)
        await _migrate(spare_database, "0009")  # counts the calls (its backfill)
        # A row no session accounts for (none should exist): bucket 235 is [90844, 95386].
        orphan_day = datetime(2026, 10, 1, tzinfo=UTC)
        await connection.execute(
            "INSERT INTO analytics_histograms (workspace_id, hours, period_start, agent, metric,"
            " bucket, count) VALUES ($1, 24, $2, 'gone', 0, 235, 3)",
            workspace_id,
            orphan_day,
        )
        await _migrate(spare_database, "0010")
        migrated = {tuple(row) for row in await connection.fetch(ROWS)}
        orphan = (workspace_id, 24, orphan_day, "gone", 0, 235, 3, 90_844, 95_386)
        assert orphan in migrated
        # The bounds are the bucket's first and last whole numbers.
        assert [histograms.bucket(v) for v in (90_843, 90_844, 95_386, 95_387)] == [
            234,
            235,
            235,
            236,
        ]
        rebuild = connection.transaction()
        await rebuild.start()
        try:
            await connection.execute("DELETE FROM analytics_histograms")
            await connection.execute(histograms.REBUILD_SQL, workspace_id)
            rebuilt = {tuple(row) for row in await connection.fetch(ROWS)}
        finally:
            await rebuild.rollback()  # the migrated rows stay, for the downgrade below
        assert len(rebuilt) > 100
        assert migrated - {orphan} == rebuilt
        bounds = [(row[7], row[8]) for row in rebuilt]
        assert any(low < high for low, high in bounds)
        assert any(low == high for low, high in bounds)

        await _migrate(spare_database, "0009", down=True)
        columns = await connection.fetch(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = 'analytics_histograms'"
        )
        assert {row["column_name"] for row in columns}.isdisjoint({"min_value", "max_value"})
        await _migrate(spare_database, "head")
        assert {tuple(row) for row in await connection.fetch(ROWS)} == migrated
    finally:
        await connection.close()
