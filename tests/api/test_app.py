"""The app's plumbing: health, readiness, metrics, request ids, the error format, and refusing
to start on an unmigrated database or with the wrong master key."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys

import pytest
from pydantic import SecretStr

from arkenos_api.app import create_app
from arkenos_api.core.db import DatabaseNotMigratedError, check_migrated, create_engine
from arkenos_api.keys.crypto import KeyringError
from arkenos_api.settings import Settings
from tests.api.helpers import Api


async def test_health_readiness_and_metrics(api: Api) -> None:
    async with api.client() as client:
        assert (await client.get("/healthz")).json() == {"status": "ok", "checks": {}}
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"postgres": "ok", "kubernetes": "ok"}
        await client.get("/api/v1/workspaces/some-workspace/agents")
        metrics = await client.get("/metrics")
        # Labelled by route template, not by raw path (one series per route, not per agent).
        assert 'route="/api/v1/workspaces/{workspace}/agents",status="401"' in metrics.text
        assert (
            'arkenos_api_requests_total{method="GET",route="/readyz",status="200"}' in metrics.text
        )


async def test_request_ids_are_echoed_or_made(api: Api) -> None:
    async with api.client() as client:
        mine = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
        assert mine.headers["x-request-id"] == "abc-123"
        made = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
        assert made.headers["x-request-id"] != "bad id\twith spaces"
        assert len(made.headers["x-request-id"]) == 16


async def test_errors_share_one_format(api: Api) -> None:
    async with api.client() as client:
        missing = await client.get("/nope", headers={"X-Request-ID": "r1"})
        assert missing.status_code == 404
        assert missing.json() == {
            "code": "not_found",
            "message": "Not Found",
            "field": None,
            "errors": [],
            "requestId": "r1",
        }
        invalid = await client.post("/api/v1/auth/signup", json={"email": "x@y.z", "password": "s"})
        assert invalid.status_code == 422
        body = invalid.json()
        assert body["code"] == "validation_error"
        assert body["field"] == "password"


async def test_refuses_to_start_on_an_unmigrated_database(
    settings: Settings, spare_database: str
) -> None:
    empty = settings.model_copy(update={"database_url": SecretStr(spare_database)})
    app = create_app(empty)
    with pytest.raises(DatabaseNotMigratedError, match="arkenos-api migrate"):
        async with app.router.lifespan_context(app):
            pass


async def test_refuses_to_start_with_the_wrong_master_key(api: Api, settings: Settings) -> None:
    admin = await api.admin()
    workspace = await api.workspace(admin)
    stored = await admin.put(
        f"/api/v1/workspaces/{workspace}/keys/openai", json={"value": "sk-1234567890"}
    )
    assert stored.status_code == 200
    wrong = "k1:" + base64.b64encode(os.urandom(32)).decode()
    app = create_app(settings.model_copy(update={"master_keys": SecretStr(wrong)}))
    with pytest.raises(KeyringError, match="wrong"):
        async with app.router.lifespan_context(app):
            pass


def test_migrate_and_rotate_commands(settings: Settings, spare_database: str) -> None:
    env = {
        **os.environ,
        "ARKENOS_DATABASE_URL": spare_database,
        "ARKENOS_MASTER_KEYS": settings.master_keys_text(),
    }
    command = [sys.executable, "-m", "arkenos_api"]
    migrated = subprocess.run(
        [*command, "migrate"], env=env, capture_output=True, text=True, check=False, timeout=120
    )
    assert migrated.returncode == 0, migrated.stderr
    asyncio.run(_check(spare_database))
    rotated = subprocess.run(
        [*command, "rotate-master-key"], env=env, capture_output=True, text=True, check=False
    )
    assert rotated.returncode == 0, rotated.stderr
    assert "re-wrapped 0 data key(s) with master key k1" in rotated.stdout


async def _check(url: str) -> None:
    engine = create_engine(url, 1)
    try:
        await check_migrated(engine)
    finally:
        await engine.dispose()
