"""Fixtures of the API tests: a migrated database per module (the substrate's PostgreSQL), the
substrate's emulated Kubernetes API with a TokenReview responder, the provider double, and the
app served in-process through httpx."""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import strategies as st
from pydantic import SecretStr

from arkenos_api.app import create_app
from arkenos_api.core.db import upgrade
from arkenos_api.settings import Settings
from tests.api.helpers import Api, Cluster, Person
from tests.api.token_reviews import TokenAuthority
from tests.doubles.providers import ProviderState, build_app
from tests.doubles.server import serve_asgi
from tests.substrate.kubernetes import RunningEmulator
from tests.substrate.postgres import PostgresDatabase, PostgresServer

# Artifact uploads (application/gzip) are bytes, not a schema'd model: the schemathesis and
# property tests send them arbitrary bytes.
schemathesis.openapi.media_type("application/gzip", st.binary(max_size=4096))


@pytest.fixture(scope="module")
def database_url(postgres_db: PostgresDatabase) -> str:
    """The module's database, migrated to the latest revision."""
    url = postgres_db.url()
    upgrade(url)
    return url


@pytest.fixture(scope="module")
def master_keys() -> str:
    return "k1:" + base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def cluster(k8s: RunningEmulator) -> Cluster:
    authority = TokenAuthority()
    authority.install(k8s)
    return Cluster(k8s, authority)


@pytest.fixture
def providers() -> Iterator[tuple[ProviderState, str]]:
    state = ProviderState()
    with serve_asgi(build_app(state)) as served:
        yield state, served.url


@pytest.fixture
def settings(
    database_url: str,
    kubeconfig: Path,
    cluster: Cluster,
    master_keys: str,
    providers: tuple[ProviderState, str],
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


@pytest.fixture
async def owner(api: Api) -> tuple[Person, str]:
    """A platform admin and a new workspace they own."""
    admin = await api.admin()
    return admin, await api.workspace(admin)


@pytest.fixture
def spare_database(postgres_server: PostgresServer) -> Iterator[str]:
    """Another empty database, not migrated."""
    database = postgres_server.create_database(prefix="api_spare")
    try:
        yield database.url()
    finally:
        postgres_server.drop_database(database.dbname)


@pytest.fixture
async def fresh_api(settings: Settings, spare_database: str) -> AsyncIterator[Api]:
    """The app over a database of its own (for tests that need an empty one, or that change
    every row, such as a master key rotation)."""
    await asyncio.to_thread(upgrade, spare_database)
    app = create_app(settings.model_copy(update={"database_url": SecretStr(spare_database)}))
    async with app.router.lifespan_context(app):
        yield Api(app)
