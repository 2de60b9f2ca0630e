"""Bound values never reach a log line: asyncpg quotes them in its own messages ("invalid input
for query argument $1: 9223372036854775808"), which SQLAlchemy's hide_parameters does not
remove. The error is provoked for real and every captured log line is inspected."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text

from arkenos_api.app import create_app
from arkenos_api.deps import SessionDep
from arkenos_api.settings import Settings

#: One past bigint's range: asyncpg refuses to encode it and names it in the message.
OVERFLOWING = 2**63
SECRETISH = "bound-value-that-must-not-be-logged"


@pytest.fixture
async def app_with_a_failing_route(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)

    async def overflow(db_session: SessionDep) -> None:
        await db_session.execute(
            text("SELECT CAST(:value AS bigint), CAST(:label AS int)"),
            {"value": OVERFLOWING, "label": SECRETISH},
        )

    app.add_api_route("/test/overflow", overflow, methods=["POST"])
    async with app.router.lifespan_context(app):
        # raise_app_exceptions stays on: the error must be answered inside the app, not
        # re-raised to the server (uvicorn would log it, message and all).
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            yield client


async def test_a_database_error_logs_no_bound_value(
    app_with_a_failing_route: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await app_with_a_failing_route.post("/test/overflow")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert str(OVERFLOWING) not in response.text
    records = [r for r in caplog.records if r.name.startswith("arkenos_api")]
    assert any("database error" in r.getMessage() for r in records), caplog.text
    # caplog.text holds every record with its formatted traceback, from every logger.
    assert str(OVERFLOWING) not in caplog.text
    assert SECRETISH not in caplog.text
    for record in caplog.records:
        assert str(OVERFLOWING) not in record.getMessage()
        assert record.exc_info is None or str(OVERFLOWING) not in str(record.exc_info[1])
