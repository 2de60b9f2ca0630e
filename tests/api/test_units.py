"""Pure pieces of the API, tested without a database or cluster: merge patches, the master
keyring, workload identity mapping, error field paths and the bounded cache."""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from arkenos_api.agents.manifests import build_update_patch, build_voice_agent, merge_patch
from arkenos_api.core.cache import BoundedCache
from arkenos_api.core.errors import field_issues
from arkenos_api.core.observability import RequestIdLogFilter, _request_id
from arkenos_api.core.roles import Role, weakest
from arkenos_api.internal.identity import Workload, workload_for
from arkenos_api.keys.crypto import Keyring, KeyringError, open_sealed, seal
from arkenos_api.settings import Environment, Settings


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_merge_patch_removes_replaces_and_keeps() -> None:
    old = {"a": 1, "b": {"c": 2, "d": 3}, "tools": [1, 2], "gone": "x"}
    new = {"a": 1, "b": {"c": 5}, "tools": [2]}
    assert merge_patch(old, new) == {"b": {"c": 5, "d": None}, "tools": [2], "gone": None}


def test_update_patch_carries_the_resource_version() -> None:
    patch = build_update_patch({"language": "en"}, {"language": "de"}, "42")
    assert patch == {"metadata": {"resourceVersion": "42"}, "spec": {"language": "de"}}


def test_build_voice_agent() -> None:
    assert build_voice_agent("acme", "desk", {"mode": "Standard"}, {"team": "a"}) == {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": "VoiceAgent",
        "metadata": {"name": "desk", "namespace": "acme", "labels": {"team": "a"}},
        "spec": {"mode": "Standard"},
    }


def test_keyring_parses_entries_and_wraps_with_the_first() -> None:
    new, old = _key(), _key()
    keyring = Keyring.parse(f"k2:{new}\n# comment\nk1:{old}")
    assert keyring.active_id == "k2"
    key_id, wrapped = keyring.wrap(b"d" * 32, b"ctx")
    assert key_id == "k2"
    assert keyring.unwrap("k2", wrapped, b"ctx") == b"d" * 32


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no master key"),
        ("k1", "id:base64key"),
        ("k1:not base64!", "not valid base64"),
        (f"k1:{base64.b64encode(b'short').decode()}", "must be 32 bytes"),
    ],
)
def test_keyring_refuses_bad_configuration(text: str, message: str) -> None:
    with pytest.raises(KeyringError, match=message):
        Keyring.parse(text)


def test_a_wrong_master_key_fails_loudly() -> None:
    key_id, wrapped = Keyring.parse(f"k1:{_key()}").wrap(b"d" * 32, b"ctx")
    with pytest.raises(KeyringError, match="wrong"):
        Keyring.parse(f"k1:{_key()}").unwrap(key_id, wrapped, b"ctx")
    with pytest.raises(KeyringError, match="not configured"):
        Keyring.parse(f"k9:{_key()}").unwrap(key_id, wrapped, b"ctx")


def test_ciphertexts_are_bound_to_their_context() -> None:
    key = os.urandom(32)
    sealed = seal(key, b"sk-secret", b"workspace-a:openai")
    assert open_sealed(key, sealed, b"workspace-a:openai") == b"sk-secret"
    with pytest.raises(InvalidTag):
        open_sealed(key, sealed, b"workspace-b:openai")


def test_workload_mapping() -> None:
    pool = workload_for("system:serviceaccount:arkenos-system:arkenos-worker", "arkenos-system")
    assert pool == Workload(
        "system:serviceaccount:arkenos-system:arkenos-worker", "arkenos-system", None
    )
    assert pool.may_serve("acme", "desk", "Standard")
    assert not pool.may_serve("acme", "desk", "Custom")
    custom = workload_for("system:serviceaccount:acme:arkenos-agent-desk", "arkenos-system")
    assert custom is not None
    assert custom.agent == "desk"
    assert custom.may_serve("acme", "desk", "Custom")
    assert not custom.may_serve("acme", "other", "Custom")
    assert not custom.may_serve("other-ns", "desk", "Custom")
    # The pool's account name anywhere else, and unrelated identities, are nobody.
    assert workload_for("system:serviceaccount:acme:arkenos-worker", "arkenos-system") is None
    assert workload_for("system:serviceaccount:acme:default", "arkenos-system") is None
    assert workload_for("alice", "arkenos-system") is None
    assert workload_for("system:serviceaccount:acme:arkenos-agent-", "arkenos-system") is None


def test_field_issues_fold_cel_paths_in() -> None:
    issues = field_issues(
        [
            {
                "loc": ("body", "spec"),
                "msg": "Value error, custom: custom is required",
                "type": "value_error",
            },
            {
                "loc": ("body", "spec", "llm", "temperature"),
                "msg": "bad",
                "type": "string_pattern_mismatch",
            },
        ]
    )
    assert [(i.field, i.message) for i in issues] == [
        ("spec.custom", "custom is required"),
        ("spec.llm.temperature", "bad"),
    ]


def test_bounded_cache_drops_least_recent_and_expired() -> None:
    cache: BoundedCache[str, int] = BoundedCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert cache.get("b") is None
    assert cache.get("a") == 1
    assert len(cache) == 2
    expiring: BoundedCache[str, int] = BoundedCache(2, ttl_seconds=0)
    expiring.put("a", 1)
    assert expiring.get("a") is None


def test_roles_are_ordered() -> None:
    assert Role.OWNER.allows(Role.ADMIN)
    assert not Role.VIEWER.allows(Role.DEVELOPER)
    assert weakest(Role.ADMIN, Role.DEVELOPER) is Role.DEVELOPER


def test_settings_refuse_placeholders_outside_development() -> None:
    url = "postgresql+asyncpg://u@h/d"
    with pytest.raises(ValueError, match="MASTER_KEYS"):
        Settings(database_url=url)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="development master key"):
        Settings(database_url=url, master_keys="dev:abc")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="COOKIE_SECURE"):
        Settings(database_url=url, master_keys=f"k1:{_key()}", cookie_secure=False)  # type: ignore[arg-type]
    dev = Settings(database_url=url, environment=Environment.DEVELOPMENT)  # type: ignore[arg-type]
    assert Keyring.parse(dev.master_keys_text()).active_id == "dev"


def test_log_records_carry_the_request_id() -> None:
    log_filter = RequestIdLogFilter()
    outside = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    log_filter.filter(outside)
    assert outside.request_id == "-"
    token = _request_id.set("req-42")
    try:
        inside = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
        log_filter.filter(inside)
    finally:
        _request_id.reset(token)
    assert inside.request_id == "req-42"


def test_master_keys_come_from_a_mounted_file(tmp_path: Path) -> None:
    key = _key()
    path = tmp_path / "master-keys"
    path.write_text(f"# rotated 2026-01\nk2:{key}\nk1:{_key()}\n")
    settings = Settings(database_url="postgresql+asyncpg://u@h/d", master_keys_file=path)  # type: ignore[arg-type]
    keyring = Keyring.parse(settings.master_keys_text())
    assert keyring.active_id == "k2"
    assert keyring.keys["k2"] == base64.b64decode(key)
