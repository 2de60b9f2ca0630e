"""The request body size limit: a body over the setting is refused with a clear 413, whether
its Content-Length says so or it is streamed without one."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from arkenos_api.app import create_app
from arkenos_api.settings import Settings
from tests.api.helpers import Api

LIMIT = 4096


@pytest.fixture
async def small_limit_api(settings: Settings) -> AsyncIterator[Api]:
    app = create_app(settings.model_copy(update={"max_request_body_bytes": LIMIT}))
    async with app.router.lifespan_context(app):
        yield Api(app)


async def test_a_declared_large_body_is_refused_with_413(small_limit_api: Api) -> None:
    body = {"email": "ada@example.com", "password": "x" * (LIMIT * 2)}
    async with small_limit_api.client() as client:
        response = await client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"
    assert str(LIMIT) in response.json()["message"]
    assert response.headers["x-request-id"]


async def test_a_streamed_large_body_is_refused_with_413(small_limit_api: Api) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"email": "ada@example.com", "password": "'
        for _ in range(4):
            yield b"x" * 2048
        yield b'"}'

    async with small_limit_api.client() as client:
        response = await client.post(
            "/api/v1/auth/login", content=chunks(), headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "body_too_large"


async def test_a_body_under_the_limit_is_served(small_limit_api: Api) -> None:
    async with small_limit_api.client() as client:
        response = await client.post(
            "/api/v1/auth/login", json={"email": "ada@example.com", "password": "x" * 100}
        )
    assert response.status_code == 401
