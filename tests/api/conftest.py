"""Fixtures of the API tests: a migrated database per module, the emulated Kubernetes API with
TokenReview, the provider double, and the app served in-process through httpx."""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
import yaml
from kmock import ResourceInfo, Server
from pydantic import SecretStr

from arkenos_api.app import create_app
from arkenos_api.core.db import upgrade
from arkenos_api.settings import Settings
from tests.api._interim_substrate import fresh_database, serve_asgi
from tests.api.emulator import ApiEmulator
from tests.api.helpers import Api
from tests.doubles.providers import ProviderState, build_app


def migrated_database() -> str:
    url = asyncio.run(fresh_database())
    upgrade(url)
    return url


@pytest.fixture(scope="module")
def database_url() -> str:
    return migrated_database()


@pytest.fixture(scope="module")
def master_keys() -> str:
    return "k1:" + base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
async def emulator() -> AsyncIterator[ApiEmulator]:
    async with ApiEmulator() as kmock, Server(kmock):
        kmock.resources["arkenos.io/v1alpha1/voiceagents"] = ResourceInfo(
            kind="VoiceAgent", namespaced=True, verbs={"get", "list", "create", "patch", "delete"}
        )
        yield kmock


@pytest.fixture
def kubeconfig(emulator: ApiEmulator, tmp_path: Path) -> Path:
    path = tmp_path / "kubeconfig"
    server = str(emulator.servers[0].url).rstrip("/")
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "emulator", "cluster": {"server": server}}],
                "users": [{"name": "api", "user": {"token": "api-server-token"}}],
                "contexts": [
                    {"name": "emulator", "context": {"cluster": "emulator", "user": "api"}}
                ],
                "current-context": "emulator",
            }
        )
    )
    return path


@pytest.fixture
async def providers() -> AsyncIterator[tuple[ProviderState, str]]:
    state = ProviderState()
    async with serve_asgi(build_app(state)) as url:
        yield state, url


@pytest.fixture
def settings(
    database_url: str, kubeconfig: Path, master_keys: str, providers: tuple[ProviderState, str]
) -> Settings:
    _, url = providers
    return Settings(
        database_url=database_url,  # type: ignore[arg-type]
        kubeconfig=kubeconfig,
        master_keys=master_keys,  # type: ignore[arg-type]
        platform_namespace="arkenos-system",
        public_url="https://arkenos.example.com",
        openai_base_url=f"{url}/openai/v1",
        cartesia_base_url=f"{url}/cartesia",
        deepgram_base_url=f"{url}/deepgram/v1",
        google_base_url=f"{url}/google/v1beta",
        twilio_base_url=f"{url}/twilio/2010-04-01",
        database_pool_size=5,
    )


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[Api]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield Api(app)


ClientFactory = Callable[[], httpx.AsyncClient]


@pytest.fixture
async def fresh_api(settings: Settings) -> AsyncIterator[Api]:
    """The app over a database of its own (for tests that need an empty one, or that change
    every row, such as a master key rotation)."""
    url = await asyncio.to_thread(migrated_database)
    app = create_app(settings.model_copy(update={"database_url": SecretStr(url)}))
    async with app.router.lifespan_context(app):
        yield Api(app)
