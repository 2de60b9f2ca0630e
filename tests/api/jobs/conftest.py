"""Fixtures of the background-jobs tests: a TLS receiver double and settings that let the
webhooks reach it on 127.0.0.1 (the loopback setting exists for tests only)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from arkenos_api.settings import Settings
from tests.api.jobs._support import Receiver, Tls, new_secret, serve, tls


@pytest.fixture
def receiver_tls(tmp_path: Path) -> Tls:
    return tls(tmp_path)


@pytest.fixture
async def receiver(receiver_tls: Tls) -> AsyncIterator[Receiver]:
    double = Receiver(secret=new_secret())
    runner = await serve(double, receiver_tls.server)
    try:
        yield double
    finally:
        await runner.cleanup()


@pytest.fixture
def jobs_settings(settings: Settings, receiver_tls: Tls) -> Settings:
    return settings.model_copy(
        update={
            "webhook_allow_loopback": True,
            "webhook_ca_file": receiver_tls.ca_file,
            "webhook_retry_delays_seconds": [0.2, 0.2, 0.2],
            "webhook_timeout_seconds": 1.0,
            "jobs_heartbeat_timeout_seconds": 2.0,
        }
    )
