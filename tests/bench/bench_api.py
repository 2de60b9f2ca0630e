"""API benchmarks: runtime-config latency (cold and warm cache) and event ingestion from 200
concurrent simulated sessions.

The API runs as its own process (``arkenos-api serve`` under uvicorn) against a real PostgreSQL
started the way the test substrate starts it and the substrate's emulated Kubernetes API; this
process generates the load. Targets: runtime-config p95 <= 20 ms warm; ingestion >= 2,000
events/s with p99 <= 100 ms. The ingest runs also report CPU ms per event of the API process
(HTTP, token review, FastAPI and the store) and of PostgreSQL, next to the load average.
Figures are printed and written to bench-results/api.json.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import httpx

from arkenos_api.core.db import upgrade
from arkenos_crds.runtime import (
    RUNTIME_CONFIG_PATH,
    SESSION_EVENTS_PATH,
    SESSIONS_PATH,
    WORKLOAD_TOKEN_AUDIENCE,
)
from arkenos_devstack.process import free_port
from tests.api.token_reviews import TokenAuthority
from tests.bench import kmock_speedup
from tests.bench.bench_ingest import CLOCK_TICKS, postgres_cpu_s
from tests.substrate.k8s_resources import load_crd_manifests
from tests.substrate.kubernetes import run_emulator, write_kubeconfig
from tests.substrate.postgres import PostgresServer, find_postgres_bin_dir

RESULTS = Path(__file__).resolve().parents[2] / "bench-results" / "api.json"
PASSWORD = "benchmark password 123"
WORKSPACE = "bench"
AGENTS = 100
WARM_REQUESTS = 1000
SESSIONS = 200
BATCH_EVENTS = 20
BATCH_INTERVAL_S = 1.6
PACED_SECONDS = 10.0
SATURATED_SECONDS = 8.0
NOW = datetime.now(UTC).isoformat()


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary_ms(samples: list[float]) -> dict[str, float]:
    return {
        "n": len(samples),
        "p50_ms": round(statistics.median(samples) * 1000, 2),
        "p95_ms": round(percentile(samples, 0.95) * 1000, 2),
        "p99_ms": round(percentile(samples, 0.99) * 1000, 2),
    }


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of one process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@contextmanager
def api_process(env: dict[str, str], port: int) -> Iterator[tuple[str, int]]:
    command = [sys.executable, "-m", "arkenos_api", "serve", "--host", "127.0.0.1"]
    process = subprocess.Popen([*command, "--port", str(port)], env={**os.environ, **env})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the API server did not become ready")
            time.sleep(0.1)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=15)


def seed(url: str, cluster_token: str) -> str:
    """Owner, workspace, stored keys and agents; returns an owner API token."""
    with httpx.Client(base_url=url, timeout=30) as client:
        email = "bench@example.com"
        body = {"email": email, "password": PASSWORD, "workspace": WORKSPACE}
        client.post("/api/v1/auth/signup", json=body).raise_for_status()
        login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        headers = {
            "X-CSRF-Token": login.json()["csrfToken"],
            "Cookie": f"arkenos_session={login.cookies['arkenos_session']}",
        }
        for provider in ("openai", "cartesia"):
            client.put(
                f"/api/v1/workspaces/{WORKSPACE}/keys/{provider}",
                json={"value": f"{provider}-benchmark-key-0001"},
                headers=headers,
            ).raise_for_status()
        spec = {"tts": {"provider": "Cartesia", "model": "sonic-2", "voice": "a0e99841"}}
        for index in range(AGENTS):
            client.post(
                f"/api/v1/workspaces/{WORKSPACE}/agents",
                json={"name": f"agent-{index}", "spec": spec},
                headers=headers,
            ).raise_for_status()
    return cluster_token


async def timed_get(session: aiohttp.ClientSession, url: str) -> float:
    started = time.perf_counter()
    async with session.get(url) as response:
        response.raise_for_status()
        await response.read()
    return time.perf_counter() - started


async def bench_runtime_config(url: str, token: str) -> dict[str, Any]:
    def config_url(index: int) -> str:
        return url + RUNTIME_CONFIG_PATH.format(workspace=WORKSPACE, agent=f"agent-{index}")

    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        await timed_get(session, config_url(0))  # the token review is cached from now on
        cold, warm = [], []
        for index in range(1, AGENTS):
            cold.append(await timed_get(session, config_url(index)))
        for index in range(WARM_REQUESTS):
            warm.append(await timed_get(session, config_url(index % AGENTS)))
    return {"cold": summary_ms(cold), "warm": summary_ms(warm), "target_warm_p95_ms": 20}


def batch(first_seq: int) -> dict[str, Any]:
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
    return {"transcripts": transcripts, "usage": usage, "turns": turns}


async def register_sessions(client: aiohttp.ClientSession, base: str, tag: str) -> list[str]:
    async def one(index: int) -> str:
        body = {
            "workspace": WORKSPACE,
            "agent": f"agent-{index % AGENTS}",
            "room": f"room-{tag}-{index}",
            "jobId": f"job-{tag}-{index}",
            "direction": "Web",
            "dispatchedAt": NOW,
            "startedAt": NOW,
        }
        async with client.post(base + SESSIONS_PATH, json=body) as response:
            response.raise_for_status()
            return str((await response.json())["sessionId"])

    return list(await asyncio.gather(*(one(i) for i in range(SESSIONS))))


async def run_sessions(
    url: str, token: str, tag: str, paced: bool, seconds: float, cpu: CpuMeters
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=SESSIONS)
    async with aiohttp.ClientSession(headers=headers, connector=connector) as client:
        session_ids = await register_sessions(client, url, tag)
        latencies: list[float] = []
        stored = 0
        cpu_started = cpu.read()
        started = time.perf_counter()
        deadline = started + seconds

        async def session(index: int, session_id: str) -> None:
            nonlocal stored
            seq = 0
            # Spread the sessions' first batches over one interval, as real calls would be.
            next_send = started + (index / SESSIONS) * BATCH_INTERVAL_S if paced else started
            while time.perf_counter() < deadline:
                if paced:
                    if next_send >= deadline:
                        return
                    await asyncio.sleep(max(0.0, next_send - time.perf_counter()))
                body = json.dumps(batch(seq)).encode()
                sent = time.perf_counter()
                async with client.post(
                    url + SESSION_EVENTS_PATH.format(session_id=session_id),
                    data=body,
                    headers={"Content-Type": "application/json"},
                ) as response:
                    response.raise_for_status()
                    accepted = await response.json()
                latencies.append(time.perf_counter() - sent)
                stored += accepted["stored"]
                seq += BATCH_EVENTS
                next_send += BATCH_INTERVAL_S

        await asyncio.gather(*(session(i, sid) for i, sid in enumerate(session_ids)))
        elapsed = time.perf_counter() - started
        api_cpu, pg_cpu = (end - start for end, start in zip(cpu.read(), cpu_started, strict=True))
    return {
        "sessions": SESSIONS,
        "events_per_batch": BATCH_EVENTS,
        "batch_interval_s": BATCH_INTERVAL_S if paced else 0,
        "seconds": round(elapsed, 2),
        "events_stored": stored,
        "events_per_s": round(stored / elapsed, 1),
        "batches": len(latencies),
        **summary_ms(latencies),
        "api_cpu_ms_per_event": round(api_cpu * 1000 / max(1, stored), 4),
        "postgres_cpu_ms_per_event": round(pg_cpu * 1000 / max(1, stored), 4),
        "load_average": os.getloadavg(),
    }


class CpuMeters:
    """CPU seconds so far of the API process and of PostgreSQL (every server process)."""

    def __init__(self, api_pid: int, server: PostgresServer) -> None:
        self.api_pid, self.server = api_pid, server

    def read(self) -> tuple[float, float]:
        return process_cpu_s(self.api_pid), postgres_cpu_s(self.server)


def progress(phase: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {phase}", flush=True)


def main() -> int:
    kmock_speedup.install()  # else the emulator's request-log scans dominate the latencies
    server = PostgresServer(find_postgres_bin_dir())
    server.start()
    try:
        database = server.create_database(prefix="bench_api")
        upgrade(database.url())
        with run_emulator(load_crd_manifests()) as k8s, tempfile.TemporaryDirectory() as tmp:
            authority = TokenAuthority()
            authority.install(k8s)
            kubeconfig = write_kubeconfig(Path(tmp) / "kubeconfig", k8s.url)
            env = {
                "ARKENOS_DATABASE_URL": database.url(),
                "ARKENOS_KUBECONFIG": str(kubeconfig),
                "ARKENOS_MASTER_KEYS": "k1:" + base64.b64encode(os.urandom(32)).decode(),
                "ARKENOS_PLATFORM_NAMESPACE": "arkenos-system",
                "ARKENOS_DATABASE_POOL_SIZE": "10",
            }
            pool = authority.issue("arkenos-system", "arkenos-worker", (WORKLOAD_TOKEN_AUDIENCE,))
            with api_process(env, free_port()) as (url, api_pid):
                cpu = CpuMeters(api_pid, server)
                progress("seeding")
                seed(url, pool)
                progress("runtime-config")
                config = asyncio.run(bench_runtime_config(url, pool))
                progress("ingest, paced")
                paced = asyncio.run(run_sessions(url, pool, "paced", True, PACED_SECONDS, cpu))
                progress("ingest, saturated")
                saturated = asyncio.run(
                    run_sessions(url, pool, "max", False, SATURATED_SECONDS, cpu)
                )
    finally:
        server.stop()
    results = {
        "cpus": os.cpu_count(),
        "runtime_config": config,
        "ingest_paced": {**paced, "target_events_per_s": 2000, "target_p99_ms": 100},
        "ingest_saturated": saturated,
    }
    report(results)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0


def report(results: dict[str, Any]) -> None:
    config = results["runtime_config"]
    print(
        f"runtime-config cold: p50 {config['cold']['p50_ms']} ms, p95 {config['cold']['p95_ms']} ms"
    )
    warm = config["warm"]
    print(f"runtime-config warm: p50 {warm['p50_ms']} ms, p95 {warm['p95_ms']} ms (target <= 20)")
    for name in ("ingest_paced", "ingest_saturated"):
        run = results[name]
        print(
            f"{name}: {run['events_per_s']} events/s over {run['sessions']} sessions, "
            f"batch p50 {run['p50_ms']} ms, p95 {run['p95_ms']} ms, p99 {run['p99_ms']} ms, "
            f"CPU per event: API {run['api_cpu_ms_per_event']} ms + PostgreSQL "
            f"{run['postgres_cpu_ms_per_event']} ms, load {run['load_average']}"
        )
    print("ingest target: >= 2000 events/s with p99 <= 100 ms (paced run)")


if __name__ == "__main__":
    sys.exit(main())
