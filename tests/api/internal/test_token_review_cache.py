"""The TokenReview cache's bound: a workload token the cluster stops accepting (its pod was
deleted) keeps working for at most ``token_review_cache_seconds``, then is refused. The
default bound is short and capped."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from pydantic import ValidationError

from arkenos_api.app import create_app
from arkenos_api.settings import Settings
from arkenos_crds.runtime import WORKLOAD_TOKEN_AUDIENCE
from tests.api.helpers import Api, Cluster
from tests.api.internal._support import SELF_HOSTED, runtime_config

BOUND = 0.5


@pytest.fixture
async def short_cache_api(settings: Settings) -> AsyncIterator[Api]:
    app = create_app(settings.model_copy(update={"token_review_cache_seconds": BOUND}))
    async with app.router.lifespan_context(app):
        yield Api(app)


async def test_a_token_the_cluster_rejects_stops_working_after_the_bound(
    short_cache_api: Api, cluster: Cluster
) -> None:
    api = short_cache_api
    admin = await api.admin()
    workspace = await api.workspace(admin)
    created = await admin.post(
        f"/api/v1/workspaces/{workspace}/agents", json={"name": "std", "spec": SELF_HOSTED}
    )
    assert created.status_code == 201, created.text
    token = cluster.authority.issue("arkenos-system", "arkenos-worker", (WORKLOAD_TOKEN_AUDIENCE,))
    assert (await runtime_config(api, workspace, "std", token)).status_code == 200
    del cluster.authority.tokens[token]  # the cluster no longer accepts it
    await asyncio.sleep(BOUND * 2)
    refused = await runtime_config(api, workspace, "std", token)
    assert refused.status_code == 401


def test_the_default_bound_is_short_and_capped(settings: Settings) -> None:
    assert Settings.model_fields["token_review_cache_seconds"].default <= 5
    with pytest.raises(ValidationError):
        settings.model_validate({**settings.model_dump(), "token_review_cache_seconds": 3600})
