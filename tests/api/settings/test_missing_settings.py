"""``arkenos-api`` without settings says what is missing in words, every problem in one
message, and exits 2 without a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from arkenos_api.settings import SettingsError, load_settings


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ARKENOS_")}
    return subprocess.run(
        [sys.executable, "-m", "arkenos_api", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_serve_without_settings_names_what_is_missing() -> None:
    result = _run("serve", env={})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(
        "arkenos-api: Invalid API settings: ARKENOS_DATABASE_URL is required"
    )
    assert "postgresql+asyncpg://" in result.stderr  # what the value looks like


def test_every_problem_is_listed_in_one_message(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("ARKENOS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("ARKENOS_DATABASE_POOL_SIZE", "many")
    monkeypatch.setenv("ARKENOS_SESSION_TTL_SECONDS", "5")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert "ARKENOS_DATABASE_URL is required" in message
    assert "ARKENOS_DATABASE_POOL_SIZE: Input should be a valid integer" in message
    assert "ARKENOS_SESSION_TTL_SECONDS: Input should be greater than or equal to 60" in message


def test_placeholders_refused_outside_development_are_listed_together(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ARKENOS_DATABASE_URL", "postgresql+asyncpg://u:p@127.0.0.1:1/db")
    monkeypatch.setenv("ARKENOS_COOKIE_SECURE", "false")
    monkeypatch.delenv("ARKENOS_MASTER_KEYS", raising=False)
    monkeypatch.delenv("ARKENOS_MASTER_KEYS_FILE", raising=False)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert str(raised.value) == (
        "Invalid API settings: set ARKENOS_MASTER_KEYS or ARKENOS_MASTER_KEYS_FILE (outside "
        "development); ARKENOS_COOKIE_SECURE=false is refused outside development"
    )
