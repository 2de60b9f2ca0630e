"""Background jobs benchmark: sessions ended in a burst, each analysed (one structured-output
call to the OpenAI double) and reported to one webhook (CallEnded and AnalysisCompleted,
signed, to a TLS receiver double that verifies every signature).

The ``arkenos-api jobs`` worker runs as its own process against a real PostgreSQL and the
substrate's emulated Kubernetes API; this process ends the sessions (through the API's own
``finish_session``) and serves the doubles. Figures: jobs per second (fan-outs, analyses and
deliveries), end -> webhook delivered p50/p95 per event, and the worker's CPU time per
session and per job during the burst (its start-up excluded). Targets (issue 13, 2 cores):
>= 100 jobs/s, p95 end -> delivered <= 2 s. Written to bench-results/jobs.json.
``ARKENOS_BENCH_SESSIONS`` sets the burst size (default 10,000); ``ARKENOS_BENCH_JOB_WORKERS``
the number of worker processes (default 1; several claim from the same queue, as the chart's
``jobs.replicas`` do), whose CPU is summed.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import text

from arkenos_api.app import create_app
from arkenos_api.core.db import upgrade, utcnow
from arkenos_api.internal.models import CallSession, TranscriptSegmentRow
from arkenos_api.internal.service import register_session
from arkenos_api.sessions.lifecycle import finish_session
from arkenos_api.settings import Settings
from arkenos_crds.runtime import EndReason, SessionStart
from tests.api.analysis._support import POOL, TRANSCRIPT, analysed_agent, store_key
from tests.api.helpers import Api, Cluster
from tests.api.jobs._support import Receiver, new_secret, serve, tls
from tests.api.token_reviews import TokenAuthority
from tests.bench import kmock_speedup
from tests.bench.bench_api import percentile, progress
from tests.doubles.openai import OpenAIDouble
from tests.doubles.server import serve_aiohttp
from tests.substrate.k8s_resources import load_crd_manifests
from tests.substrate.kubernetes import run_emulator, write_kubeconfig
from tests.substrate.postgres import PostgresServer, find_postgres_bin_dir

RESULTS = Path(__file__).resolve().parents[2] / "bench-results" / "jobs.json"
SESSIONS = int(os.environ.get("ARKENOS_BENCH_SESSIONS", "10000"))
WORKERS = int(os.environ.get("ARKENOS_BENCH_JOB_WORKERS", "1"))
ENDING_CONCURRENCY = 20
#: Jobs per session after its end: two fan-outs, one analysis, two deliveries.
JOBS_PER_SESSION = 5


class TimedReceiver(Receiver):
    """The jobs tests' receiver, noting when each (session, event) arrived."""

    arrived: dict[tuple[str, str], float]

    async def handle(self, request: web.Request) -> web.Response:
        response = await super().handle(request)
        if response.status == 204:
            body = self.bodies[request.headers["webhook-id"]]
            key = (body["data"]["sessionId"], body["type"])
            self.arrived.setdefault(key, time.time())
        return response


async def _register(api: Api, namespace: str, agent: str) -> uuid.UUID:
    started = utcnow() - timedelta(minutes=2)
    start = SessionStart(
        workspace=namespace,
        agent=agent,
        room=f"room-{uuid.uuid4().hex}",
        job_id=f"AJ_{uuid.uuid4().hex}",
        direction="Web",
        dispatched_at=started,
        started_at=started,
    )
    async with api.app.state.sessionmaker() as db:
        session_id, _ = await register_session(
            db_session=db, kube=api.app.state.kube, workload=POOL, start=start
        )
        for seq, (role, line) in enumerate(TRANSCRIPT):
            at = started + timedelta(seconds=seq)
            db.add(
                TranscriptSegmentRow(
                    session_id=session_id, seq=seq, role=role, text=line, started_at=at
                )
            )
        await db.commit()
    return session_id


async def _end(api: Api, session_id: uuid.UUID) -> float:
    async with api.app.state.sessionmaker() as db:
        session = await db.get_one(CallSession, session_id, with_for_update=True)
        ended = utcnow()
        await finish_session(
            db_session=db, session=session, ended_at=ended, reason=EndReason.CALLER_HUNG_UP
        )
        await db.commit()
    return ended.timestamp()


async def _bounded(count: int, make: Any) -> list[Any]:
    gate = asyncio.Semaphore(ENDING_CONCURRENCY)

    async def one(index: int) -> Any:
        async with gate:
            return await make(index)

    return list(await asyncio.gather(*(one(i) for i in range(count))))


async def _queue_empty(api: Api) -> bool:
    async with api.app.state.sessionmaker() as db:
        left = await db.scalar(
            text("SELECT count(*) FROM pgqueuer WHERE status IN ('queued', 'picked')")
        )
    return not left


def _worker_env(settings: Settings, ca_file: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ARKENOS_DATABASE_URL": settings.database_url.get_secret_value(),
        "ARKENOS_KUBECONFIG": str(settings.kubeconfig),
        "ARKENOS_MASTER_KEYS": settings.master_keys_text(),
        "ARKENOS_OPENAI_BASE_URL": settings.openai_base_url,
        "ARKENOS_WEBHOOK_ALLOW_LOOPBACK": "true",
        "ARKENOS_WEBHOOK_CA_FILE": str(ca_file),
        # Few connections (each prepares every statement once) and big batches (one dequeue
        # and one status write per batch): on 2 shared cores more concurrency is only more
        # waiting for the CPU.
        "ARKENOS_DATABASE_POOL_SIZE": "10",
        "ARKENOS_JOBS_BATCH_SIZE": "25",
        "ARKENOS_JOBS_CONCURRENCY": "50",
    }


def _start_worker(settings: Settings, ca_file: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "arkenos_api", "jobs"],
            env=_worker_env(settings, ca_file),
            stdout=out,
            stderr=out,
        )


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a running process so far (its start-up, before the burst)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cluster_cpu_seconds(data_dir: Path) -> float:
    """CPU of the PostgreSQL server: its postmaster, live backends and those that exited."""
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    clock = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # exited while we looked
            continue
        pid, parent = int(stat.parent.name), int(fields[1])
        if pid == postmaster:  # its own time and its waited-for children's
            total += sum(int(value) for value in fields[11:15]) / clock
        elif parent == postmaster:
            total += (int(fields[11]) + int(fields[12])) / clock
    return total


def _stop(worker: subprocess.Popen[bytes]) -> float:
    """SIGTERM the worker and return the CPU seconds it used (user + system)."""
    worker.send_signal(signal.SIGTERM)
    _, _, usage = os.wait4(worker.pid, 0)
    worker.returncode = 0
    return usage.ru_utime + usage.ru_stime


async def _wait(check: Any, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        await asyncio.sleep(0.2)


async def run(
    settings: Settings, cluster: Cluster, tmp: Path, postgres_data: Path
) -> dict[str, Any]:
    certs = tls(tmp)
    receiver = TimedReceiver(secret=new_secret())
    receiver.arrived = {}
    runner = await serve(receiver, certs.server)
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            api = Api(app)
            admin = await api.admin()
            namespace = await api.workspace(admin)
            await store_key(admin, namespace, "sk-bench")
            hook = (receiver.url, receiver.secret)
            await analysed_agent(
                cluster, namespace, "bench", webhook=hook, events=("CallEnded", "AnalysisCompleted")
            )
            progress(f"registering {SESSIONS} sessions")
            ids = await _bounded(SESSIONS, lambda _: _register(api, namespace, "bench"))
            workers = [
                _start_worker(settings, certs.ca_file, tmp / f"jobs-{n}.log")
                for n in range(WORKERS)
            ]
            try:
                await _wait(lambda: _queue_empty(api), 600)  # CallStarted fan-outs, start-up
                progress("ending in a burst")
                cpu_before = _cpu_seconds()
                worker_start_cpu = sum(_process_cpu_seconds(w.pid) for w in workers)
                postgres_cpu_before = _cluster_cpu_seconds(postgres_data)
                burst_started = time.time()
                ended = await _bounded(SESSIONS, lambda i: _end(api, ids[i]))
                burst_seconds = time.time() - burst_started

                async def all_delivered() -> bool:
                    return len(receiver.arrived) >= 2 * SESSIONS

                await _wait(all_delivered, 3600)
                finished = time.time()
                postgres_cpu = _cluster_cpu_seconds(postgres_data) - postgres_cpu_before
            finally:
                stopped = [await asyncio.to_thread(_stop, w) for w in workers]
                worker_cpu = sum(stopped) - worker_start_cpu
            bench_cpu = _cpu_seconds() - cpu_before
            async with app.state.sessionmaker() as db:
                analysed = await db.scalar(
                    text("SELECT count(*) FROM session_analyses WHERE state = 'Completed'")
                )
                failed_jobs = await db.scalar(
                    text("SELECT count(*) FROM pgqueuer_log WHERE status = 'exception'")
                )
    finally:
        await runner.cleanup()
    by_session = dict(zip((str(i) for i in ids), ended, strict=True))
    latency: dict[str, list[float]] = {"CallEnded": [], "AnalysisCompleted": []}
    for (session_id, kind), at in receiver.arrived.items():
        latency[kind].append(at - by_session[session_id])
    wall = finished - burst_started
    jobs = JOBS_PER_SESSION * SESSIONS
    return {
        "cpus": os.cpu_count(),
        "worker_processes": WORKERS,
        "load_average_1m": round(os.getloadavg()[0], 1),
        "sessions": SESSIONS,
        "burst_seconds": round(burst_seconds, 2),
        "seconds_to_last_delivery": round(wall, 2),
        "jobs": jobs,
        "jobs_per_s": round(jobs / wall, 1),
        "analyses_completed": analysed,
        "job_exceptions_logged": failed_jobs,
        "deliveries_repeated": sum(receiver.deliveries.values()) - len(receiver.deliveries),
        "bad_signatures": receiver.bad_signatures,
        **{
            f"end_to_{kind}_delivered": {
                "p50_s": round(percentile(samples, 0.5), 3),
                "p95_s": round(percentile(samples, 0.95), 3),
                "p99_s": round(percentile(samples, 0.99), 3),
                "max_s": round(max(samples), 3),
            }
            for kind, samples in latency.items()
        },
        "worker_cpu_s": round(worker_cpu, 2),
        "worker_cpu_ms_per_session": round(1000 * worker_cpu / SESSIONS, 2),
        "worker_cpu_ms_per_job": round(1000 * worker_cpu / jobs, 2),
        "postgres_cpu_s": round(postgres_cpu, 2),
        "postgres_cpu_ms_per_job": round(1000 * postgres_cpu / jobs, 2),
        "bench_process_cpu_s_during_burst": round(bench_cpu, 2),
        "load_average_1_5_15m": [round(value, 1) for value in os.getloadavg()],
        "targets": {"jobs_per_s": 100, "p95_end_to_delivered_s": 2},
    }


def main() -> int:
    kmock_speedup.install()
    server = PostgresServer(find_postgres_bin_dir())
    server.start()
    double = OpenAIDouble(api_key="sk-bench")
    try:
        database = server.create_database(prefix="bench_jobs")
        upgrade(database.url())
        with (
            run_emulator(load_crd_manifests()) as k8s,
            serve_aiohttp(double.app()) as model,
            tempfile.TemporaryDirectory() as tmp,
        ):
            authority = TokenAuthority()
            authority.install(k8s)
            settings = Settings(
                database_url=database.url(),
                kubeconfig=write_kubeconfig(Path(tmp) / "kubeconfig", k8s.url),
                master_keys="k1:" + base64.b64encode(os.urandom(32)).decode(),
                platform_namespace="arkenos-system",
                openai_base_url=f"{model.url}/v1",
                database_pool_size=ENDING_CONCURRENCY + 5,
            )
            results = asyncio.run(
                run(settings, Cluster(k8s, authority), Path(tmp), server.data_dir)
            )
    finally:
        server.stop()
    report(results)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0


def report(results: dict[str, Any]) -> None:
    print(
        f"{results['sessions']} sessions ended in {results['burst_seconds']} s; last webhook "
        f"{results['seconds_to_last_delivery']} s after the burst began: "
        f"{results['jobs_per_s']} jobs/s (target >= 100)"
    )
    for kind in ("CallEnded", "AnalysisCompleted"):
        figures = results[f"end_to_{kind}_delivered"]
        print(
            f"end -> {kind} delivered: p50 {figures['p50_s']} s, p95 {figures['p95_s']} s, "
            f"p99 {figures['p99_s']} s (target p95 <= 2 s)"
        )
    print(
        f"worker CPU ({results['worker_processes']} process(es)) {results['worker_cpu_s']} s: "
        f"{results['worker_cpu_ms_per_session']} ms per "
        f"session, {results['worker_cpu_ms_per_job']} ms per job; PostgreSQL CPU "
        f"{results['postgres_cpu_s']} s ({results['postgres_cpu_ms_per_job']} ms per job, the "
        f"session ends' included); this process {results['bench_process_cpu_s_during_burst']} s "
        f"(ends, doubles)"
    )
    print(
        f"wall clock {results['seconds_to_last_delivery']} s on {results['cpus']} CPUs; "
        f"load average {results['load_average_1_5_15m']} (1, 5, 15 min)"
    )


if __name__ == "__main__":
    sys.exit(main())
