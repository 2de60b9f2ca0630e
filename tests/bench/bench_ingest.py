"""Event ingest on its hot path, without HTTP: each batch is parsed from its JSON body the way
the route parses it (EventBatch) and stored with the route's service function (store_events,
one statement on a pooled connection), from 200 concurrent sessions over a pool of 10
connections to a real PostgreSQL migrated like production.

Printed per run (paced: one 20-event batch per session every 1.6 s; saturated: back to back):
events/s, batch p50/p95/p99, SQL statements per batch, and CPU ms per event both of this
process (the API's share: parsing, SQLAlchemy, asyncpg) and of PostgreSQL (every server
process, read from /proc), next to the wall clock. Written to bench-results/ingest.json.
bench_api.py measures the same through HTTP (uvicorn, token review, FastAPI) on top of this.

The sessions' batches are spread evenly over each 1.6 s interval (session i first sends at
i/200 of it), not fired together. After the warm-up the process freezes its heap as
``arkenos-api serve`` does once the app is built (core/heap.py): without it, a full
collection of the ~190,000 objects this process imported paused the loop for 110-125 ms in
the paced run, and that pause, not the database, was its p99.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from arkenos_api.core.cache import BoundedCache
from arkenos_api.core.db import create_engine, session_factory, upgrade
from arkenos_api.core.heap import freeze_startup_heap
from arkenos_api.internal.identity import Workload
from arkenos_api.internal.service import store_events
from arkenos_crds.runtime import EventBatch
from tests.substrate.postgres import PostgresServer, find_postgres_bin_dir

RESULTS = Path(__file__).resolve().parents[2] / "bench-results" / "ingest.json"
SESSIONS = 200
BATCH_EVENTS = 20
BATCH_INTERVAL_S = 1.6
PACED_SECONDS = 10.0
SATURATED_SECONDS = 8.0
POOL = 10
WORKER = "system:serviceaccount:arkenos-system:arkenos-worker"
NOW = datetime.now(UTC).isoformat()
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def batch_body(first_seq: int) -> bytes:
    """The shape bench_api.py sends: 16 transcript segments, 3 usage events, 1 turn."""
    transcripts = [
        {"seq": first_seq + i, "role": "user", "text": f"words {i} " * 8, "startedAt": NOW}
        for i in range(BATCH_EVENTS - 4)
    ]
    usage = [
        {
            "seq": first_seq + BATCH_EVENTS - 4 + i,
            "provider": "openai",
            "model": "gpt-4o-mini",
            "metric": "llm_input_tokens",
            "quantity": 100 + i,
            "at": NOW,
        }
        for i in range(3)
    ]
    turns = [{"seq": first_seq + BATCH_EVENTS - 1, "turn": first_seq, "endToEndMs": 600, "at": NOW}]
    return json.dumps({"transcripts": transcripts, "usage": usage, "turns": turns}).encode()


def postgres_cpu_s(server: PostgresServer) -> float:
    """CPU seconds (user + system) of the postmaster and all its children so far, those that
    have exited included (a backend of a closed connection: the postmaster reaped it, so its
    time is in the postmaster's cutime and cstime)."""
    postmaster = int((server.data_dir / "postmaster.pid").read_text().split()[0])
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == postmaster:
            total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
        elif ppid == postmaster:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def seed_sessions(url: str) -> list[uuid.UUID]:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        workspace_id = uuid.uuid4()
        await connection.execute(
            "INSERT INTO workspaces (id, namespace, display_name, adopted, keys_version,"
            " created_at) VALUES ($1, 'bench', 'bench', false, 0, now())",
            workspace_id,
        )
        ids = [uuid.uuid4() for _ in range(SESSIONS * 2)]
        await connection.executemany(
            "INSERT INTO sessions (id, workspace_id, agent, job_id, room, direction, served_by,"
            " dispatched_at, started_at, created_at)"
            " VALUES ($1, $2, 'agent-0', $3, $3, 'Web', $4, now(), now(), now())",
            [(session_id, workspace_id, f"job-{session_id}", WORKER) for session_id in ids],
        )
    finally:
        await connection.close()
    return ids


class QueryCounter:
    """Every statement asyncpg sends (BEGIN and COMMIT included), on every pooled connection:
    SQLAlchemy's and those the service sends on the driver connection directly."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.queries = 0
        event.listen(engine.sync_engine, "connect", self._connected)

    def _connected(self, dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(self._logged)

    def _logged(self, _record: Any) -> None:
        self.queries += 1


async def run(
    engine: AsyncEngine,
    counter: QueryCounter,
    server: PostgresServer,
    session_ids: list[uuid.UUID],
    *,
    paced: bool,
    seconds: float,
) -> dict[str, Any]:
    sessionmaker = session_factory(engine)
    owners: BoundedCache[uuid.UUID, str] = BoundedCache(100_000)
    workload = Workload(username=WORKER, namespace="arkenos-system", agent=None)
    counter.queries = 0
    latencies: list[float] = []
    stored = 0
    cpu_started, pg_started = time.process_time(), postgres_cpu_s(server)
    started = time.perf_counter()
    deadline = started + seconds

    async def session(index: int, session_id: uuid.UUID) -> None:
        nonlocal stored
        seq = 0
        next_send = started + (index / len(session_ids)) * BATCH_INTERVAL_S if paced else started
        while time.perf_counter() < deadline:
            if paced:
                if next_send >= deadline:
                    return
                await asyncio.sleep(max(0.0, next_send - time.perf_counter()))
            body = batch_body(seq)
            sent = time.perf_counter()
            batch = EventBatch.model_validate_json(body)
            accepted = await store_events(
                sessionmaker=sessionmaker,
                owners=owners,
                workload=workload,
                session_id=session_id,
                batch=batch,
            )
            accepted.model_dump_json()
            latencies.append(time.perf_counter() - sent)
            stored += accepted.stored
            seq += BATCH_EVENTS
            next_send += BATCH_INTERVAL_S

    await asyncio.gather(*(session(i, sid) for i, sid in enumerate(session_ids)))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    pg_cpu = postgres_cpu_s(server) - pg_started
    return {
        "sessions": len(session_ids),
        "events_per_batch": BATCH_EVENTS,
        "batch_interval_s": BATCH_INTERVAL_S if paced else 0,
        "seconds": round(elapsed, 2),
        "events_stored": stored,
        "events_per_s": round(stored / elapsed, 1),
        "batches": len(latencies),
        "batch_p50_ms": round(statistics.median(latencies) * 1000, 2),
        "batch_p95_ms": round(percentile(latencies, 0.95) * 1000, 2),
        "batch_p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "round_trips_per_batch": round(counter.queries / max(1, len(latencies)), 2),
        "api_cpu_ms_per_event": round(cpu * 1000 / max(1, stored), 4),
        "postgres_cpu_ms_per_event": round(pg_cpu * 1000 / max(1, stored), 4),
        "api_cpu_s": round(cpu, 2),
        "postgres_cpu_s": round(pg_cpu, 2),
    }


async def bench(server: PostgresServer, url: str) -> dict[str, Any]:
    ids = await seed_sessions(url)
    engine = create_engine(url, POOL)
    counter = QueryCounter(engine)
    try:
        # Warm the pool, the prepared statements and the owner lookups' plans.
        await run(engine, counter, server, ids[:POOL], paced=False, seconds=1.0)
        freeze_startup_heap()
        paced = await run(
            engine, counter, server, ids[:SESSIONS], paced=True, seconds=PACED_SECONDS
        )
        saturated = await run(
            engine, counter, server, ids[SESSIONS:], paced=False, seconds=SATURATED_SECONDS
        )
    finally:
        await engine.dispose()
    return {
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "paced": paced,
        "saturated": saturated,
    }


def main() -> int:
    server = PostgresServer(find_postgres_bin_dir())
    server.start()
    try:
        database = server.create_database(prefix="bench_ingest")
        upgrade(database.url())
        results = asyncio.run(bench(server, database.url()))
    finally:
        server.stop()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    for name in ("paced", "saturated"):
        r = results[name]
        print(
            f"ingest {name}: {r['events_per_s']} events/s, batch p50 {r['batch_p50_ms']} ms "
            f"p95 {r['batch_p95_ms']} ms p99 {r['batch_p99_ms']} ms, "
            f"{r['round_trips_per_batch']} round trips/batch, CPU per event: "
            f"API {r['api_cpu_ms_per_event']} ms + PostgreSQL {r['postgres_cpu_ms_per_event']} ms"
        )
    print(f"load average at the end: {results['load_average']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
