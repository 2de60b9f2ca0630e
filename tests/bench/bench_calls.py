"""Call log benchmark: seed sessions and transcript segments with COPY into a real PostgreSQL
migrated like production, then time the call log's queries through the API's own service
functions (list page, filtered full-text search, 30-day analytics, session detail).

Targets (1,000,000 sessions, 20,000,000 segments): list p95 <= 50 ms, search p95 <= 150 ms,
30-day analytics p95 <= 250 ms, detail p95 <= 30 ms. The scale is set by
ARKENOS_BENCH_SESSIONS (default 1,000,000) and ARKENOS_BENCH_SEGMENTS (per session, default 20),
because seeding the full size takes long on a shared machine; the figures say what ran.
Printed, and written to bench-results/calls.json, with this process's CPU per query.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from arkenos_api.analytics.schemas import GroupBy
from arkenos_api.analytics.service import analytics
from arkenos_api.core.db import create_engine, session_factory, upgrade
from arkenos_api.sessions.filters import SessionFilters
from arkenos_api.sessions.service import get_session, list_sessions
from tests.substrate.postgres import PostgresServer, find_postgres_bin_dir

RESULTS = Path(__file__).resolve().parents[2] / "bench-results" / "calls.json"
SESSIONS = int(os.environ.get("ARKENOS_BENCH_SESSIONS", "1000000"))
SEGMENTS = int(os.environ.get("ARKENOS_BENCH_SEGMENTS", "20"))
SAMPLES = 100
DAYS = 90
AGENTS = [f"agent-{i}" for i in range(20)]
WORDS = [f"w{i}" for i in range(3000)]
RARE = "zanzibar"  # in about one segment in a thousand
END = datetime(2026, 12, 1, tzinfo=UTC)


def _session_records(workspace_id: uuid.UUID, rng: random.Random) -> list[tuple[Any, ...]]:
    records = []
    for _ in range(SESSIONS):
        started = END - timedelta(seconds=rng.uniform(0, DAYS * 86400))
        ended = started + timedelta(seconds=rng.randint(10, 900))
        records.append(
            (
                uuid.uuid4(),
                workspace_id,
                rng.choice(AGENTS),
                f"AJ_{uuid.uuid4().hex}",
                f"room-{uuid.uuid4().hex[:12]}",
                rng.choice(("Web", "Inbound", "Outbound")),
                "system:serviceaccount:arkenos-system:arkenos-worker",
                started,
                started,
                ended,
                rng.choice(("CallerHungUp", "AgentEnded", "Lost")),
                "Ended",
                rng.randint(1000, 90000),
                started,
            )
        )
    return records


async def seed(url: str) -> tuple[uuid.UUID, list[uuid.UUID], dict[str, float]]:
    rng = random.Random(7)
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    timings: dict[str, float] = {}
    try:
        workspace_id = uuid.uuid4()
        await connection.execute(
            "INSERT INTO workspaces (id, namespace, display_name, adopted, keys_version,"
            " created_at) VALUES ($1, 'bench', 'bench', false, 0, now())",
            workspace_id,
        )
        sessions = _session_records(workspace_id, rng)
        started = time.perf_counter()
        await connection.copy_records_to_table(
            "sessions",
            records=sessions,
            columns=[
                "id",
                "workspace_id",
                "agent",
                "job_id",
                "room",
                "direction",
                "served_by",
                "dispatched_at",
                "started_at",
                "ended_at",
                "end_reason",
                "status",
                "cost_micros",
                "created_at",
            ],
        )
        timings["copy_sessions_s"] = time.perf_counter() - started
        started = time.perf_counter()
        for chunk in range(0, len(sessions), 10_000):
            segments, turns = [], []
            for record in sessions[chunk : chunk + 10_000]:
                for seq in range(SEGMENTS):
                    words = rng.choices(WORDS, k=8)
                    if rng.random() < 0.001:
                        words[3] = RARE
                    at = record[8] + timedelta(seconds=seq * 5)
                    segments.append(
                        (record[0], seq, "user" if seq % 2 else "agent", " ".join(words), at, at)
                    )
                for turn in range(SEGMENTS // 2):
                    e2e = rng.randint(400, 1500)
                    turns.append(
                        (record[0], turn, turn, e2e, e2e // 4, e2e // 2, e2e // 8, record[8])
                    )
            await connection.copy_records_to_table(
                "transcript_segments",
                records=segments,
                columns=["session_id", "seq", "role", "text", "started_at", "ended_at"],
            )
            await connection.copy_records_to_table(
                "turn_metrics",
                records=turns,
                columns=[
                    "session_id",
                    "seq",
                    "turn",
                    "end_to_end_ms",
                    "stt_ms",
                    "llm_ms",
                    "tts_ms",
                    "at",
                ],
            )
        timings["copy_segments_and_turns_s"] = time.perf_counter() - started
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return workspace_id, [s[0] for s in rng.sample(sessions, SAMPLES)], timings


async def measure(run: Callable[[], Awaitable[object]]) -> dict[str, float]:
    await run()  # warm the plan and the cache
    wall, cpu = [], []
    for _ in range(SAMPLES):
        started, started_cpu = time.perf_counter(), time.process_time()
        await run()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    ordered = sorted(wall)
    return {
        "p50_ms": round(statistics.median(wall), 2),
        "p95_ms": round(ordered[int(0.95 * len(ordered)) - 1], 2),
        "api_cpu_ms_per_query": round(statistics.mean(cpu), 2),
    }


async def bench(url: str) -> dict[str, Any]:
    workspace_id, sample_ids, timings = await seed(url)
    engine = create_engine(url, 5)
    sessionmaker = session_factory(engine)
    rng = random.Random(11)
    ids = iter(sample_ids * 2)

    async def page() -> object:
        async with sessionmaker() as db:
            return await list_sessions(
                db_session=db,
                workspace_id=workspace_id,
                filters=SessionFilters(),
                cursor=None,
                limit=50,
            )

    async def search() -> object:
        filters = SessionFilters(text=RARE, agent=rng.choice(AGENTS))
        async with sessionmaker() as db:
            return await list_sessions(
                db_session=db, workspace_id=workspace_id, filters=filters, cursor=None, limit=50
            )

    async def month() -> object:
        async with sessionmaker() as db:
            return await analytics(
                db_session=db,
                workspace_id=workspace_id,
                started_from=END - timedelta(days=30),
                started_to=END,
                agent=None,
                group_by=GroupBy.DAY,
            )

    async def detail() -> object:
        async with sessionmaker() as db:
            return await get_session(db_session=db, workspace_id=workspace_id, session_id=next(ids))

    try:
        figures = {
            "list_page": await measure(page),
            "search_filtered": await measure(search),
            "analytics_30_days": await measure(month),
            "detail": await measure(detail),
        }
    finally:
        await engine.dispose()
    return {"sessions": SESSIONS, "segments": SESSIONS * SEGMENTS, "seed": timings, **figures}


def main() -> int:
    server = PostgresServer(find_postgres_bin_dir())
    server.start()
    try:
        database = server.create_database(prefix="bench_calls")
        upgrade(database.url())
        results = asyncio.run(bench(database.url()))
    finally:
        server.stop()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    print(
        "targets: list p95 <= 50 ms, search p95 <= 150 ms, analytics p95 <= 250 ms, "
        "detail p95 <= 30 ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
