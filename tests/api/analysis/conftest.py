"""Fixtures of the analysis tests: the OpenAI double as the platform's default OpenAI
endpoint, the webhook receiver of the jobs tests, and the shared model connection pool."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import openai
import pytest

from arkenos_api.settings import Settings
from tests.api.analysis._support import MODEL_KEY
from tests.api.jobs.conftest import jobs_settings, receiver, receiver_tls
from tests.doubles.openai import OpenAIDouble
from tests.doubles.server import serve_aiohttp

__all__ = ["jobs_settings", "receiver", "receiver_tls"]

pytestmark = pytest.mark.postgres


@pytest.fixture
def model() -> Iterator[tuple[OpenAIDouble, str]]:
    double = OpenAIDouble(api_key=MODEL_KEY)
    with serve_aiohttp(double.app()) as served:
        yield double, f"{served.url}/v1"


@pytest.fixture
def settings(settings: Settings, model: tuple[OpenAIDouble, str]) -> Settings:
    _, url = model
    return settings.model_copy(
        update={"openai_base_url": url, "analysis_provider_retries": 0, "analysis_max_attempts": 3}
    )


@pytest.fixture
async def http() -> AsyncIterator[openai.DefaultAsyncHttpxClient]:
    client = openai.DefaultAsyncHttpxClient()
    try:
        yield client
    finally:
        await client.aclose()
