"""The API app (in process, as in tests/api) against the real API server, authenticated as its
own ServiceAccount with the rights api/README.md lists, over the suite's PostgreSQL."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from arkenos_api.app import create_app
from arkenos_api.core.db import upgrade
from arkenos_api.settings import Settings
from arkenos_devstack.controlplane import MANIFESTS, ControlPlane
from tests.api.helpers import Api
from tests.realk8s.support import OPERATOR_NAMESPACE
from tests.substrate.postgres import PostgresDatabase

API_RBAC = MANIFESTS / "api-rbac.yaml"


@pytest.fixture(scope="module")
def api_kubeconfig(control_plane: ControlPlane, tmp_path_factory: pytest.TempPathFactory) -> Path:
    control_plane.kubectl("create", "namespace", OPERATOR_NAMESPACE, check=False)
    control_plane.kubectl("apply", "--server-side", "-f", str(API_RBAC))
    return control_plane.service_account_kubeconfig(
        OPERATOR_NAMESPACE,
        "arkenos-api",
        path=tmp_path_factory.mktemp("api") / "api.kubeconfig",
    )


@pytest.fixture(scope="module")
def settings(postgres_db: PostgresDatabase, api_kubeconfig: Path) -> Settings:
    upgrade(postgres_db.url())
    return Settings(
        database_url=postgres_db.url(),  # type: ignore[arg-type]
        kubeconfig=api_kubeconfig,
        master_keys="k1:" + base64.b64encode(os.urandom(32)).decode(),  # type: ignore[arg-type]
        platform_namespace=OPERATOR_NAMESPACE,
        public_url="https://arkenos.example.com",
        database_pool_size=5,
    )


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[Api]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield Api(app)
