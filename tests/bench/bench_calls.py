"""Call log benchmark: seed sessions, transcript segments and turns inside PostgreSQL
(generate_series, tests/bench/seed_calls.py) into a real PostgreSQL
migrated like production, then time the call log's queries through the API's own service
functions (list page, filtered full-text search of a rare and of a common word, 30-day
analytics, session detail).

Targets (1,000,000 sessions, 20,000,000 segments): list p95 <= 50 ms, search p95 <= 150 ms,
30-day analytics p95 <= 250 ms, detail p95 <= 30 ms. The scale is set by
ARKENOS_BENCH_SESSIONS (default 1,000,000) and ARKENOS_BENCH_SEGMENTS (per session, default 20;
half as many turn metrics), samples per query by ARKENOS_BENCH_SAMPLES (default 100),
because seeding the full size takes long on a shared machine; the figures say what ran.
Printed, and written to bench-results/calls.json, with this process's CPU per query.
"""

from __future__ import annotations

import asyncio
import json
import math
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
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from arkenos_api.analytics.schemas import GroupBy
from arkenos_api.analytics.service import analytics, raw_analytics
from arkenos_api.core.db import create_engine, session_factory, upgrade
from arkenos_api.sessions.filters import SessionFilters
from arkenos_api.sessions.search import Plan, SearchTuning
from arkenos_api.sessions.service import get_session, list_sessions, list_sessions_by_plan
from tests.bench import seed_calls
from tests.substrate.postgres import PostgresServer, find_postgres_bin_dir

RESULTS = Path(__file__).resolve().parents[2] / "bench-results" / "calls.json"
PLANS = RESULTS.with_name("calls-analytics-plans.txt")
SEARCH_PLANS = RESULTS.with_name("calls-search-plans.txt")
SESSIONS = int(os.environ.get("ARKENOS_BENCH_SESSIONS", "1000000"))
SEGMENTS = int(os.environ.get("ARKENOS_BENCH_SEGMENTS", "20"))
SAMPLES = int(os.environ.get("ARKENOS_BENCH_SAMPLES", "100"))
DAYS = 90
#: The bench server's memory for 20 million segments, and wal_level minimal so that the seeding
#: (unlogged tables set logged, index builds) writes no WAL; queries are unaffected by either.
BENCH_SETTINGS = {
    "shared_buffers": "2GB",
    "effective_cache_size": "8GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "1GB",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "20GB",
    "checkpoint_timeout": "30min",
}
AGENTS = [f"agent-{i}" for i in range(20)]
WORDS = [f"w{i}" for i in range(3000)]
RARE = seed_calls.RARE  # in about one segment in a thousand
COMMON = seed_calls.COMMON  # in three segments in ten: nearly every session
END = datetime(2026, 12, 1, tzinfo=UTC)


async def seed(url: str) -> tuple[uuid.UUID, list[uuid.UUID], dict[str, float]]:
    dsn = url.replace("postgresql+asyncpg", "postgresql")
    workspace_id, timings = await seed_calls.seed(
        dsn, sessions=SESSIONS, segments=SEGMENTS, days=DAYS, end=END
    )
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("SELECT setseed(0.3)")
        rows = await connection.fetch(
            "SELECT id FROM sessions TABLESAMPLE SYSTEM (1) ORDER BY random() LIMIT $1", SAMPLES
        )
    finally:
        await connection.close()
    return workspace_id, [row["id"] for row in rows], timings


async def explain(url: str, server: PostgresServer, run: Callable[..., Awaitable[object]]) -> str:
    """The plans (EXPLAIN ANALYZE, BUFFERS) of every statement ``run`` sends, from
    PostgreSQL's auto_explain on a connection of its own, read back from the server's log."""
    settings = {
        "session_preload_libraries": "auto_explain",
        "auto_explain.log_min_duration": "0",
        "auto_explain.log_analyze": "on",
        "auto_explain.log_buffers": "on",
    }
    engine = create_async_engine(url, connect_args={"server_settings": settings})
    log = server.log_file
    offset = log.stat().st_size
    try:
        async with session_factory(engine)() as db:
            await run(db)
    finally:
        await engine.dispose()
    await asyncio.sleep(0.5)  # the log collector's write
    with log.open(errors="replace") as handle:
        handle.seek(offset)
        return handle.read()


async def measure(run: Callable[[], Awaitable[object]], samples: int = 0) -> dict[str, float]:
    await run()  # warm the plan and the cache
    wall, cpu = [], []
    for _ in range(samples or SAMPLES):
        started, started_cpu = time.perf_counter(), time.process_time()
        await run()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    ordered = sorted(wall)
    return {
        "p50_ms": round(statistics.median(wall), 2),
        "p95_ms": round(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)], 2),
        "samples": len(wall),
        "api_cpu_ms_per_query": round(statistics.mean(cpu), 2),
        "wall_ms_mean": round(statistics.mean(wall), 2),
    }


async def sizes(url: str) -> dict[str, str]:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        rows = await connection.fetch(
            "SELECT 'database' AS name, pg_size_pretty(pg_database_size(current_database()))"
            " AS size UNION ALL SELECT relname, pg_size_pretty(pg_total_relation_size(oid))"
            " FROM pg_class WHERE relname IN ('sessions', 'transcript_segments',"
            " 'turn_metrics', 'analytics_rollup', 'analytics_histograms')"
        )
    finally:
        await connection.close()
    return {row["name"]: row["size"] for row in rows}


async def bench(url: str, server: PostgresServer) -> dict[str, Any]:
    load_before = os.getloadavg()
    seed_cpu = time.process_time()
    workspace_id, sample_ids, timings = await seed(url)
    timings["bench_process_cpu_s"] = round(time.process_time() - seed_cpu, 1)
    load_after_seed = os.getloadavg()
    engine = create_engine(url, 5)
    sessionmaker = session_factory(engine)
    rng = random.Random(11)
    ids = iter(sample_ids * 2)
    cursors: list[str] = []

    async def page() -> object:
        async with sessionmaker() as db:
            return await list_sessions(
                db_session=db,
                workspace_id=workspace_id,
                filters=SessionFilters(),
                cursor=None,
                limit=50,
            )

    async def deep_page() -> object:
        """The next page after a random earlier one (keyset: as cheap at any depth)."""
        async with sessionmaker() as db:
            found = await list_sessions(
                db_session=db,
                workspace_id=workspace_id,
                filters=SessionFilters(),
                cursor=rng.choice(cursors),
                limit=50,
            )
        return found

    async def search() -> object:
        filters = SessionFilters(text=RARE, agent=rng.choice(AGENTS))
        async with sessionmaker() as db:
            return await list_sessions(
                db_session=db, workspace_id=workspace_id, filters=filters, cursor=None, limit=50
            )

    plans: dict[str, set[str]] = {}

    def searching(
        name: str, words: str, *, agent: bool, tuning: SearchTuning | None = None
    ) -> Callable[[], Awaitable[object]]:
        """A search's first page (one of the agents, or all), recording which plan answered."""

        async def run() -> object:
            filters = SessionFilters(text=words, agent=rng.choice(AGENTS) if agent else None)
            async with sessionmaker() as db:
                page, plan = await list_sessions_by_plan(
                    db_session=db,
                    workspace_id=workspace_id,
                    filters=filters,
                    cursor=None,
                    limit=50,
                    search=tuning or SearchTuning(),
                )
            plans.setdefault(name, set()).add(str(plan))
            return page

        return run

    def month_of(
        function: Callable[..., Awaitable[object]], group_by: GroupBy, shift: timedelta
    ) -> Callable[[], Awaitable[object]]:
        async def run() -> object:
            async with sessionmaker() as db:
                return await function(
                    db_session=db,
                    workspace_id=workspace_id,
                    started_from=END - timedelta(days=30) - shift,
                    started_to=END - shift,
                    agent=None,
                    group_by=group_by,
                )

        return run

    async def detail() -> object:
        async with sessionmaker() as db:
            return await get_session(db_session=db, workspace_id=workspace_id, session_id=next(ids))

    # Cursors spread over the whole log, for the deep pages.
    async with sessionmaker() as db:
        cursor = None
        for index in range(200):
            found = await list_sessions(
                db_session=db,
                workspace_id=workspace_id,
                filters=SessionFilters(),
                cursor=cursor,
                limit=50,
            )
            cursor = found.next_cursor
            if cursor is None:
                break
            if index % 10 == 0:
                cursors.append(cursor)
    # Not on an hour: the rollup's edges are read from the sessions too.
    odd = timedelta(minutes=17)
    try:
        figures = {
            "list_page": await measure(page),
            "list_page_deep": await measure(deep_page),
            "search_filtered": await measure(search),
            "search_rare": await measure(searching("search_rare", RARE, agent=False)),
            "search_common_filtered": await measure(
                searching("search_common_filtered", COMMON, agent=True)
            ),
            "search_common": await measure(searching("search_common", COMMON, agent=False)),
            # The common word by the gather alone (the plan before the walk): slow, fewer.
            "search_common_gather": await measure(
                searching(
                    "search_common_gather",
                    COMMON,
                    agent=True,
                    tuning=SearchTuning(plan=Plan.GATHER),
                ),
                min(SAMPLES, 10),
            ),
            "analytics_30_days": await measure(month_of(analytics, GroupBy.DAY, timedelta())),
            "analytics_30_days_odd_edges": await measure(month_of(analytics, GroupBy.DAY, odd)),
            "analytics_30_days_by_agent": await measure(month_of(analytics, GroupBy.AGENT, odd)),
            # The exact reference reads every turn of the month: seconds at a million, so
            # fewer samples.
            "analytics_30_days_without_rollup": await measure(
                month_of(raw_analytics, GroupBy.DAY, odd), min(SAMPLES, 10)
            ),
            "detail": await measure(detail),
        }
    finally:
        await engine.dispose()

    async def explained(db: AsyncSession) -> object:
        return await analytics(
            db_session=db,
            workspace_id=workspace_id,
            started_from=END - timedelta(days=30) - odd,
            started_to=END - odd,
            agent=None,
            group_by=GroupBy.DAY,
        )

    PLANS.write_text(await explain(url, server, explained))

    async def searched(db: AsyncSession) -> object:
        filters = SessionFilters(text=RARE, agent=AGENTS[3])
        return await list_sessions(
            db_session=db, workspace_id=workspace_id, filters=filters, cursor=None, limit=50
        )

    async def searched_common(db: AsyncSession) -> object:
        filters = SessionFilters(text=COMMON, agent=AGENTS[3])
        return await list_sessions(
            db_session=db, workspace_id=workspace_id, filters=filters, cursor=None, limit=50
        )

    SEARCH_PLANS.write_text(
        await explain(url, server, searched) + await explain(url, server, searched_common)
    )
    return {
        "sessions": SESSIONS,
        "sizes": await sizes(url),
        "load_average_before_seed": load_before,
        "load_average_after_seed": load_after_seed,
        "segments": SESSIONS * SEGMENTS,
        "turns": SESSIONS * (SEGMENTS // 2),
        "seed": timings,
        "load_average_after": os.getloadavg(),
        "search_plans_answered": {name: sorted(answered) for name, answered in plans.items()},
        **figures,
    }


def main() -> int:
    RESULTS.parent.mkdir(exist_ok=True)
    server = PostgresServer(find_postgres_bin_dir(), BENCH_SETTINGS)
    server.start()
    try:
        database = server.create_database(prefix="bench_calls")
        upgrade(database.url())
        results = asyncio.run(bench(database.url(), server))
    finally:
        server.stop()
    RESULTS.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    report(results)
    return 0


#: Queries whose work grows with the sessions in their range (the rest are index lookups of a
#: page or one session, whose cost barely grows with the table).
LINEAR = (
    "analytics_30_days_without_rollup",
    "search_filtered",
    "search_rare",
    "search_common_gather",
)


def report(results: dict[str, Any]) -> None:
    scale = 1_000_000 / results["sessions"]
    print(f"{results['sessions']:,} sessions, {results['segments']:,} segments:")
    for name, figures in results.items():
        if not isinstance(figures, dict) or "p95_ms" not in figures:
            continue
        line = (
            f"  {name}: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
            f"API CPU {figures['api_cpu_ms_per_query']} ms/query"
        )
        if scale > 1 and name.startswith(LINEAR):
            at_1m = figures["p95_ms"] * scale
            line += f" (x{scale:g} if linear in the range's sessions: p95 ~{at_1m:.0f} ms at 1M)"
        print(line)
    print(f"  load average after: {results['load_average_after']}")


if __name__ == "__main__":
    raise SystemExit(main())
