"""Log-in limits: counted atomically (parallel guesses cannot outrun the count), per account
and per address independently (a success resets neither the other account's nor the
address's count), and X-Forwarded-For believed only from configured proxies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from arkenos_api.app import create_app
from arkenos_api.settings import Settings
from tests.api.helpers import PASSWORD, Api

LOGIN = "/api/v1/auth/login"


@pytest.fixture(autouse=True)
async def _no_earlier_attempts(database_url: str) -> None:
    """Every in-process client is 127.0.0.1: start each test with that address's slate clean."""
    engine = create_async_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM login_attempts"))
    await engine.dispose()


async def _log_in(api: Api, email: str, password: str, **headers: str) -> httpx.Response:
    async with api.client() as client:
        return await client.post(
            LOGIN, json={"email": email, "password": password}, headers=headers
        )


async def test_parallel_wrong_passwords_are_evaluated_at_most_the_limit(api: Api) -> None:
    person = await api.person()
    limit = api.app.state.settings.login_max_failures
    results = await asyncio.gather(
        *(_log_in(api, person.email, f"wrong guess {n}") for n in range(30))
    )
    statuses = [r.status_code for r in results]
    assert set(statuses) <= {401, 429}
    # Every 401 is a password that was checked; no more than the limit may be.
    assert statuses.count(401) <= limit, statuses
    assert statuses.count(429) >= 30 - limit


async def test_a_success_does_not_reset_the_address_for_other_accounts(api: Api) -> None:
    settings = api.app.state.settings
    per_address = settings.login_max_failures * settings.login_address_factor
    attacker = await api.person()  # their own account, to log into between guesses
    victims = [await api.person() for _ in range(per_address // settings.login_max_failures)]
    guesses = 0
    for victim in victims:
        for _ in range(settings.login_max_failures - 1):
            assert (await _log_in(api, victim.email, "wrong guess")).status_code == 401
            guesses += 1
        assert (await _log_in(api, attacker.email, PASSWORD)).status_code == 200
    fresh = await api.person()
    remaining = per_address - guesses
    for _ in range(remaining):
        assert (await _log_in(api, fresh.email, "wrong guess")).status_code == 401
    # The address used up its window although it logged in successfully in between.
    refused = await _log_in(api, fresh.email, PASSWORD)
    assert refused.status_code == 429, refused.text


async def test_the_account_window_counts_failures_since_the_last_success(api: Api) -> None:
    person = await api.person()
    limit = api.app.state.settings.login_max_failures
    for _ in range(limit - 1):
        assert (await _log_in(api, person.email, "wrong guess")).status_code == 401
    # The owner logs in: their own account's count starts again from here...
    assert (await _log_in(api, person.email, PASSWORD)).status_code == 200
    for _ in range(limit - 1):
        assert (await _log_in(api, person.email, "wrong guess")).status_code == 401
    assert (await _log_in(api, person.email, PASSWORD)).status_code == 200
    # ...but failures after the last success count in full: `limit` of them lock it.
    for _ in range(limit):
        assert (await _log_in(api, person.email, "wrong guess")).status_code == 401
    assert (await _log_in(api, person.email, PASSWORD)).status_code == 429


async def test_forwarded_for_is_ignored_by_default(api: Api) -> None:
    settings = api.app.state.settings
    assert settings.trusted_proxies == []
    per_address = settings.login_max_failures * settings.login_address_factor
    people = [await api.person() for _ in range(per_address // settings.login_max_failures + 1)]
    failures = 0
    for n, person in enumerate(people):
        for _ in range(settings.login_max_failures - 1):
            if failures == per_address:
                break
            # A new forged address each time: if it were believed, nothing would add up.
            forged = f"203.0.113.{failures}"
            response = await _log_in(api, person.email, "wrong", **{"X-Forwarded-For": forged})
            assert response.status_code == 401, (n, response.text)
            failures += 1
    last = people[-1]
    refused = await _log_in(api, last.email, PASSWORD, **{"X-Forwarded-For": "198.51.100.7"})
    assert refused.status_code == 429


@pytest.fixture
async def behind_proxy(settings: Settings) -> AsyncIterator[Api]:
    app = create_app(settings.model_copy(update={"trusted_proxies": ["127.0.0.0/8"]}))
    async with app.router.lifespan_context(app):
        yield Api(app)


async def test_forwarded_for_is_believed_from_a_configured_proxy(behind_proxy: Api) -> None:
    api = behind_proxy
    settings = api.app.state.settings
    per_address = settings.login_max_failures * settings.login_address_factor
    people = [
        await api.person() for _ in range(-(-per_address // (settings.login_max_failures - 1)))
    ]
    client_hop = {"X-Forwarded-For": "198.51.100.9, 127.0.0.1"}
    for person in people:
        for _ in range(settings.login_max_failures - 1):
            assert (await _log_in(api, person.email, "wrong", **client_hop)).status_code == 401
    locked_out = await api.person()
    # 198.51.100.9 (the hop the proxy saw) has failed enough; another client has not.
    refused = await _log_in(api, locked_out.email, PASSWORD, **client_hop)
    assert refused.status_code == 429
    other = await _log_in(api, locked_out.email, PASSWORD, **{"X-Forwarded-For": "192.0.2.1"})
    assert other.status_code == 200
