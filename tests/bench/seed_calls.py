"""Bench-only: fill a migrated database with a call log of any size, generated inside
PostgreSQL (INSERT ... SELECT over generate_series, no rows through the client), so a million
sessions and twenty million transcript segments take minutes rather than an hour.

The shape matches what bench_calls.py measured before: one workspace, 20 agents, sessions
spread uniformly over the last DAYS days before END, 10 s to 15 min long, three directions and
end reasons, a cost on each; SEGMENTS segments of 8 words from a 3,000-word vocabulary per
session (the word RARE in about one segment in a thousand, the word COMMON in three in ten, so
in nearly every session) and SEGMENTS / 2 turn metrics.
The analytics rollup and its histograms are rebuilt from what was seeded, as the migrations
backfill them.

Loading is bench-only fast: the transcript and turn tables are unlogged while they fill and
lose their keys, foreign keys and indexes (the GIN index of the search included), which are
built again afterwards from their own definitions (pg_get_indexdef / pg_get_constraintdef), so
the schema measured is the migrations' own; synchronous_commit is off in the seeding session.
With the bench server's wal_level = minimal, SET LOGGED and the index builds skip the WAL.
"""

from __future__ import annotations

import itertools
import time
import uuid
from datetime import datetime

import asyncpg

from arkenos_api.analytics import histograms
from arkenos_api.analytics.rollup import REBUILD_SQL

AGENTS = 20
WORDS = 3000
RARE = "zanzibar"
COMMON = "hello"
WORKER = "system:serviceaccount:arkenos-system:arkenos-worker"
CHUNK = 100_000
#: Sessions with id in [$1, $2) ($2 null: no upper bound) get $3 segments of 8 words.
SEGMENTS_SQL = """
INSERT INTO transcript_segments (session_id, seq, role, text, started_at, ended_at)
SELECT s.id, q, CASE WHEN q % 2 = 1 THEN 'user' ELSE 'agent' END,
    concat_ws(' ', 'w' || (random() * $4)::int, 'w' || (random() * $4)::int,
        'w' || (random() * $4)::int,
        CASE WHEN random() < 0.001 THEN $5 ELSE 'w' || (random() * $4)::int END,
        'w' || (random() * $4)::int,
        CASE WHEN random() < 0.3 THEN $6 ELSE 'w' || (random() * $4)::int END,
        'w' || (random() * $4)::int, 'w' || (random() * $4)::int),
    s.started_at + q * interval '5 seconds', s.started_at + q * interval '5 seconds'
FROM sessions AS s, generate_series(0, $3 - 1) AS q
WHERE s.id >= $1 AND ($2::uuid IS NULL OR s.id < $2)
"""
#: The same sessions' $3 turn metrics (end to end 400..1500 ms, stages in fixed shares).
TURNS_SQL = """
INSERT INTO turn_metrics (session_id, seq, turn, end_to_end_ms, stt_ms, llm_ms, tts_ms, at)
SELECT id, t, t, e2e, e2e / 4, e2e / 2, e2e / 8, started_at
FROM (SELECT s.id, t, s.started_at, 400 + (random() * 1100)::int AS e2e
      FROM sessions AS s, generate_series(0, $3 - 1) AS t
      WHERE s.id >= $1 AND ($2::uuid IS NULL OR s.id < $2)) AS x
"""


#: Filled without their keys and indexes, rebuilt after.
BULK_TABLES = ("transcript_segments", "turn_metrics", "analytics_rollup", "analytics_histograms")
_CONSTRAINTS = """
SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition,
    contype
FROM pg_constraint WHERE conrelid = ANY($1::regclass[]) AND contype IN ('p', 'u', 'f')
ORDER BY contype DESC  -- the keys (p, u) before the foreign keys (f)
"""
_INDEXES = """
SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS definition
FROM pg_index WHERE indrelid = ANY($1::regclass[])
    AND indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE conindid <> 0)
"""


async def _strip(connection: asyncpg.Connection) -> tuple[list[str], list[str], list[str]]:
    """Drop the bulk tables' constraints and indexes and make them unlogged; returns the
    statements that restore them: keys, foreign keys, indexes."""
    tables = list(BULK_TABLES)
    constraints = await connection.fetch(_CONSTRAINTS, tables)
    indexes = await connection.fetch(_INDEXES, tables)
    for row in reversed(constraints):  # foreign keys first
        await connection.execute(
            f'ALTER TABLE {row["table_name"]} DROP CONSTRAINT "{row["conname"]}"'
        )
    for row in indexes:
        await connection.execute(f"DROP INDEX {row['name']}")
    for table in tables:
        await connection.execute(f"ALTER TABLE {table} SET UNLOGGED")
    restore = {
        row["conname"]: (
            f'ALTER TABLE {row["table_name"]} ADD CONSTRAINT "{row["conname"]}" {row["definition"]}'
        )
        for row in constraints
    }
    keys = [restore[row["conname"]] for row in constraints if row["contype"] != "f"]
    foreign = [restore[row["conname"]] for row in constraints if row["contype"] == "f"]
    return keys, foreign, [row["definition"] for row in indexes]


async def seed(
    dsn: str, *, sessions: int, segments: int, days: int, end: datetime
) -> tuple[uuid.UUID, dict[str, float]]:
    """Seed; returns the workspace id and the seconds each step took."""
    connection = await asyncpg.connect(dsn)
    timings: dict[str, float] = {}
    try:
        workspace_id = uuid.uuid4()
        await connection.execute(
            "INSERT INTO workspaces (id, namespace, display_name, adopted, keys_version,"
            " created_at) VALUES ($1, 'bench', 'bench', false, 0, now())",
            workspace_id,
        )
        await connection.execute("SET synchronous_commit = off")
        await connection.execute("SET maintenance_work_mem = '1GB'")
        await connection.execute("SET work_mem = '1GB'")  # the rebuilds' aggregations
        await connection.execute("SELECT setseed(0.7)")
        keys, foreign, indexes = await _strip(connection)
        started = time.perf_counter()
        for first in range(0, sessions, CHUNK):
            await connection.execute(
                """
                INSERT INTO sessions (id, workspace_id, agent, job_id, room, direction,
                    served_by, dispatched_at, started_at, ended_at, end_reason, status,
                    cost_micros, created_at)
                SELECT id, $1, 'agent-' || (random() * ($5 - 1))::int, 'AJ_' || id,
                    'room-' || id, (ARRAY['Web', 'Inbound', 'Outbound'])[1 + (g % 3)], $6,
                    started, started, started + (10 + random() * 890) * interval '1 second',
                    (ARRAY['CallerHungUp', 'AgentEnded', 'Lost'])[1 + (g / 3 % 3)], 'Ended',
                    1000 + (random() * 89000)::bigint, started
                FROM (
                    SELECT g, gen_random_uuid() AS id,
                        $4::timestamptz - random() * $3 * interval '1 day' AS started
                    FROM generate_series($2::bigint, $2 + $7 - 1) AS g
                ) AS s
                """,
                workspace_id,
                first,
                days,
                end,
                AGENTS,
                WORKER,
                min(CHUNK, sessions - first),
            )
        timings["sessions_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        # Segments and turns per chunk of sessions (by id order), so no statement is huge.
        bounds = await connection.fetch(
            "SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM sessions"
            " WHERE workspace_id = $1) AS s WHERE n % $2 = 1 ORDER BY id",
            workspace_id,
            CHUNK // 10,
        )
        edges = [row["id"] for row in bounds] + [None]
        for low, high in itertools.pairwise(edges):
            await connection.execute(SEGMENTS_SQL, low, high, segments, WORDS - 1, RARE, COMMON)
            await connection.execute(TURNS_SQL, low, high, segments // 2)
        timings["segments_and_turns_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        await connection.execute(REBUILD_SQL, workspace_id)
        await connection.execute(histograms.REBUILD_SQL, workspace_id)
        timings["rollup_and_histograms_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        for table in BULK_TABLES:
            await connection.execute(f"ALTER TABLE {table} SET LOGGED")
        timings["set_logged_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        for statement in [*keys, *indexes]:
            await connection.execute(statement)
        timings["keys_and_indexes_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        for statement in foreign:
            await connection.execute(statement)
        timings["foreign_keys_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        await connection.execute("VACUUM ANALYZE")
        timings["vacuum_analyze_s"] = round(time.perf_counter() - started, 1)
    finally:
        await connection.close()
    return workspace_id, timings
