"""Custom agent code benchmark: saving files and deploying a 200-file agent.

The API runs in this process (through httpx's ASGI transport, so no socket time is counted)
over a real PostgreSQL and versitygw (S3) in its own process; the Kubernetes API is the
substrate's emulator, in a thread of this process. Figures: file save latency (create and
update, p50/p95; target p95 <= 30 ms), deploy request latency, and the bundle's creation and
upload alone (fetch 200 blobs, check, freeze, store; target p95 <= 300 ms), each with this
process's CPU time per operation. Written to bench-results/code.json.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from minio import Minio
from pydantic import SecretStr
from sqlalchemy import select

from arkenos_api.app import create_app
from arkenos_api.code.deploy import freeze_version
from arkenos_api.code.storage import bundle_object
from arkenos_api.code.tree import draft
from arkenos_api.core.db import upgrade
from arkenos_api.settings import Settings
from arkenos_api.workspaces.models import Workspace
from arkenos_devstack.objectstore import ObjectStore, ObjectStoreAddress
from tests.bench import kmock_speedup
from tests.bench.bench_api import percentile, progress
from tests.substrate.k8s_resources import load_crd_manifests
from tests.substrate.kubernetes import run_emulator, write_kubeconfig
from tests.substrate.postgres import PostgresServer, find_postgres_bin_dir

RESULTS = Path(__file__).resolve().parents[2] / "bench-results" / "code.json"
FILES = 200
UPDATES = 100
DEPLOYS = 10
FREEZES = 20
PASSWORD = "benchmark password 123 code"
SPEC = {"mode": "Custom", "custom": {"source": {"bundle": {"digest": "sha256:" + "0" * 64}}}}


def module_text(index: int, revision: int = 0) -> str:
    """About 2 KB of plausible Python."""
    body = "".join(
        f"def helper_{index}_{n}(value: int) -> int:\n"
        f'    """Step {n} of module {index}, revision {revision}."""\n'
        f"    return value * {n + 1} + {revision}\n\n\n"
        for n in range(16)
    )
    return f'"""Module {index}."""\n\n\n{body}'


@contextmanager
def object_store() -> Iterator[ObjectStoreAddress]:
    """versitygw from the local stack, in its own process, with a bucket named "code"."""
    with tempfile.TemporaryDirectory(prefix="bench-s3-") as base:
        store = ObjectStore(Path(base))
        address = store.start()
        try:
            Minio(
                address.endpoint, address.access_key, address.secret_key, secure=False
            ).make_bucket("code")
            yield address
        finally:
            store.stop()


async def timed(
    samples: list[tuple[float, float]], action: Callable[[], Awaitable[httpx.Response]]
) -> httpx.Response:
    wall, cpu = time.perf_counter(), time.process_time()
    response = await action()
    samples.append((time.perf_counter() - wall, time.process_time() - cpu))
    return response


def figures(samples: list[tuple[float, float]]) -> dict[str, float]:
    walls = [w for w, _ in samples]
    return {
        "n": len(samples),
        "p50_ms": round(percentile(walls, 0.5) * 1000, 2),
        "p95_ms": round(percentile(walls, 0.95) * 1000, 2),
        "cpu_ms_per_op": round(sum(c for _, c in samples) / len(samples) * 1000, 2),
    }


async def run(settings: Settings) -> dict[str, Any]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://bench") as client:
            signup = {"email": "code@example.com", "password": PASSWORD, "workspace": "bench"}
            (await client.post("/api/v1/auth/signup", json=signup)).raise_for_status()
            credentials = {"email": signup["email"], "password": PASSWORD}
            login = await client.post("/api/v1/auth/login", json=credentials)
            client.headers["X-CSRF-Token"] = login.json()["csrfToken"]
            base = "/api/v1/workspaces/bench/agents/big/code"
            (await client.post(base, json={"template": "starter"})).raise_for_status()
            progress(f"saving {FILES} new files, then {UPDATES} updates")
            creates: list[tuple[float, float]] = []
            versions: dict[str, str] = {}
            for index in range(FILES):
                path = f"pkg/module_{index:03d}.py"
                body = {"content": module_text(index)}
                saved = await timed(
                    creates, lambda p=path, b=body: client.put(f"{base}/files/{p}", json=b)
                )
                saved.raise_for_status()
                versions[path] = saved.json()["version"]
            updates: list[tuple[float, float]] = []
            for index in range(UPDATES):
                path = f"pkg/module_{index % FILES:03d}.py"
                body = {"content": module_text(index, 1), "baseVersion": versions[path]}
                saved = await timed(
                    updates, lambda p=path, b=body: client.put(f"{base}/files/{p}", json=b)
                )
                saved.raise_for_status()
                versions[path] = saved.json()["version"]
            progress(f"{DEPLOYS} deploys of {FILES + 2} files")
            deploys: list[tuple[float, float]] = []
            first = await client.post(f"{base}/deploy", json={"message": "first", "spec": SPEC})
            first.raise_for_status()
            for index in range(DEPLOYS):
                path = f"pkg/module_{index:03d}.py"
                body = {"content": module_text(index, 2 + index), "baseVersion": versions[path]}
                versions[path] = (await client.put(f"{base}/files/{path}", json=body)).json()[
                    "version"
                ]
                agent = await client.get("/api/v1/workspaces/bench/agents/big")
                deploy_body = {
                    "message": f"deploy {index}",
                    "resourceVersion": agent.json()["resourceVersion"],
                }
                deployed = await timed(
                    deploys, lambda b=deploy_body: client.post(f"{base}/deploy", json=b)
                )
                deployed.raise_for_status()
            progress(f"{FREEZES} bundle freezes and uploads")
            freezes = await freeze_samples(app)
    return {
        "files": FILES,
        "file_save_create": figures(creates),
        "file_save_update": figures(updates),
        "deploy_request": figures(deploys),
        "bundle_create_and_upload": figures(freezes),
        "targets": {"file_save_p95_ms": 30, "bundle_p95_ms": 300},
    }


async def freeze_samples(app: Any) -> list[tuple[float, float]]:
    """The bundle step alone: fetch the draft's blobs, check, freeze and upload. The bundle
    object is removed before each round, so every round really uploads."""
    store = app.state.code_store
    samples = []
    async with app.state.sessionmaker() as db_session:
        workspace_id = await db_session.scalar(
            select(Workspace.id).where(Workspace.namespace == "bench")
        )
        current = await draft(db_session=db_session, workspace_id=workspace_id, agent="big")
    for _ in range(FREEZES):
        frozen = await freeze_version(store, current.version, "agent")
        name = bundle_object(frozen.digest.removeprefix("sha256:"))
        await asyncio.to_thread(store.client.remove_object, store.bucket, name)
        wall, cpu = time.perf_counter(), time.process_time()
        await freeze_version(store, current.version, "agent")
        samples.append((time.perf_counter() - wall, time.process_time() - cpu))
    return samples


def main() -> int:
    kmock_speedup.install()
    server = PostgresServer(find_postgres_bin_dir())
    server.start()
    try:
        database = server.create_database(prefix="bench_code")
        upgrade(database.url())
        with (
            run_emulator(load_crd_manifests()) as k8s,
            tempfile.TemporaryDirectory() as tmp,
            object_store() as store,
        ):
            settings = Settings(
                database_url=SecretStr(database.url()),
                kubeconfig=write_kubeconfig(Path(tmp) / "kubeconfig", k8s.url),
                master_keys=SecretStr("k1:" + base64.b64encode(os.urandom(32)).decode()),
                s3_endpoint=store.endpoint,
                s3_bucket="code",
                s3_access_key=SecretStr(store.access_key),
                s3_secret_key=SecretStr(store.secret_key),
                s3_secure=False,
            )
            results = asyncio.run(run(settings))
    finally:
        server.stop()
    results["cpus"] = os.cpu_count()
    for name in (
        "file_save_create",
        "file_save_update",
        "deploy_request",
        "bundle_create_and_upload",
    ):
        run_figures = results[name]
        print(
            f"{name}: p50 {run_figures['p50_ms']} ms, p95 {run_figures['p95_ms']} ms, "
            f"{run_figures['cpu_ms_per_op']} CPU ms/op (n={run_figures['n']})"
        )
    print("targets: file save p95 <= 30 ms; bundle creation and upload p95 <= 300 ms")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
