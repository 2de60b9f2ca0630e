"""Provider keys: encrypted at rest (the database never holds one in clear), shown only by
their last four characters, readable after a master key rotation, refused loudly under a wrong
master key, and checked against the provider double."""

from __future__ import annotations

import base64
import os

import pytest
from pydantic import SecretStr
from sqlalchemy import text

from arkenos_api.app import create_app
from arkenos_api.keys.crypto import Keyring, KeyringError
from arkenos_api.keys.service import read_keys, rotate_master_key
from arkenos_api.settings import Settings
from arkenos_crds.runtime import Provider
from tests.api.helpers import Api, Person
from tests.doubles.providers import ProviderState

OPENAI_KEY = "sk-proj-THISISTHEWHOLEKEY-9f3a"
TWILIO_KEY = "AC0123456789abcdef0123456789abcdef:twilio-auth-token-1234"


def _keys(workspace: str) -> str:
    return f"/api/v1/workspaces/{workspace}/keys"


async def _all_bytes(api: Api) -> bytes:
    """Every byte of every row of every table, as PostgreSQL would dump them."""
    async with api.app.state.sessionmaker() as db:
        tables = list(
            await db.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        )
        dump = b""
        for table in tables:
            rows = await db.scalars(text(f'SELECT t::text FROM "{table}" t'))  # noqa: S608
            dump += "".join(rows).encode()
            raw = await db.execute(text(f'SELECT * FROM "{table}"'))  # noqa: S608
            for row in raw.all():
                dump += b"".join(v if isinstance(v, bytes) else str(v).encode() for v in row)
    return dump


async def test_keys_are_never_stored_in_clear(api: Api, owner: tuple[Person, str]) -> None:
    admin, workspace = owner
    put = await admin.put(f"{_keys(workspace)}/openai", json={"value": OPENAI_KEY})
    assert put.status_code == 200, put.text
    assert put.json() == {
        "provider": "openai",
        "present": True,
        "lastFour": "9f3a",
        "updatedAt": put.json()["updatedAt"],
    }
    await admin.put(f"{_keys(workspace)}/twilio", json={"value": TWILIO_KEY})
    dump = await _all_bytes(api)
    for secret in (OPENAI_KEY, TWILIO_KEY, "THISISTHEWHOLEKEY", "twilio-auth-token"):
        assert secret.encode() not in dump
        assert base64.b64encode(secret.encode()) not in dump
    listed = (await admin.get(_keys(workspace))).json()
    assert {k["provider"]: k["present"] for k in listed} == {
        "openai": True,
        "cartesia": False,
        "deepgram": False,
        "google": False,
        "twilio": True,
    }
    assert OPENAI_KEY not in str(listed)


async def test_each_ciphertext_names_its_data_key(api: Api, owner: tuple[Person, str]) -> None:
    admin, workspace = owner
    await admin.put(f"{_keys(workspace)}/deepgram", json={"value": "dg-key-12345678"})
    async with api.app.state.sessionmaker() as db:
        row = (
            await db.execute(
                text(
                    "SELECT p.data_key_id, d.master_key_id FROM provider_keys p "
                    "JOIN data_keys d ON d.id = p.data_key_id "
                    "JOIN workspaces w ON w.id = p.workspace_id WHERE w.namespace = :ns"
                ),
                {"ns": workspace},
            )
        ).one()
    assert row.master_key_id == "k1"


async def test_rotation_rewraps_and_keys_stay_readable(
    fresh_api: Api, master_keys: str, settings: Settings
) -> None:
    api = fresh_api
    admin = await api.admin()
    workspace = await api.workspace(admin)
    await admin.put(f"{_keys(workspace)}/openai", json={"value": OPENAI_KEY})
    new_entry = "k2:" + base64.b64encode(os.urandom(32)).decode()
    both = Keyring.parse(f"{new_entry},{master_keys}")
    async with api.app.state.sessionmaker() as db:
        rotated = await rotate_master_key(db_session=db, keyring=both)
        await db.commit()
    assert rotated >= 1
    only_new = Keyring.parse(new_entry)
    async with api.app.state.sessionmaker() as db:
        ws = (
            await db.execute(text("SELECT id FROM workspaces WHERE namespace=:n"), {"n": workspace})
        ).scalar_one()
        keys = await read_keys(
            db_session=db, keyring=only_new, workspace_id=ws, providers={Provider.OPENAI}
        )
        assert keys == {Provider.OPENAI: OPENAI_KEY}
        # Nothing is left wrapped by the old key, so it can be dropped.
        left = await db.scalar(text("SELECT count(*) FROM data_keys WHERE master_key_id = 'k1'"))
        assert left == 0
    # An app over the same database now starts with only the new key.
    url = api.app.state.settings.database_url
    app = create_app(
        settings.model_copy(update={"master_keys": SecretStr(new_entry), "database_url": url})
    )
    async with app.router.lifespan_context(app):
        assert app.state.keyring.active_id == "k2"


async def test_a_wrong_master_key_fails_loudly(api: Api, owner: tuple[Person, str]) -> None:
    admin, workspace = owner
    await admin.put(f"{_keys(workspace)}/openai", json={"value": OPENAI_KEY})
    impostor = Keyring.parse("k1:" + base64.b64encode(os.urandom(32)).decode())
    async with api.app.state.sessionmaker() as db:
        ws = await db.scalar(text("SELECT id FROM workspaces WHERE namespace=:n"), {"n": workspace})
        with pytest.raises(KeyringError, match="wrong"):
            await read_keys(
                db_session=db, keyring=impostor, workspace_id=ws, providers={Provider.OPENAI}
            )


async def test_key_check_uses_the_providers_auth(
    api: Api, owner: tuple[Person, str], providers: tuple[ProviderState, str]
) -> None:
    state, _ = providers
    admin, workspace = owner
    state.accept("openai", OPENAI_KEY)
    await admin.put(f"{_keys(workspace)}/openai", json={"value": OPENAI_KEY})
    await admin.put(f"{_keys(workspace)}/cartesia", json={"value": "sk_car_not-accepted"})
    good = (await admin.post(f"{_keys(workspace)}/openai/test")).json()
    assert good == {
        "provider": "openai",
        "ok": True,
        "status": 200,
        "message": "openai accepted the key",
    }
    bad = (await admin.post(f"{_keys(workspace)}/cartesia/test")).json()
    assert bad["ok"] is False
    assert bad["status"] == 401
    assert "sk_car" not in bad["message"]
    absent = await admin.post(f"{_keys(workspace)}/deepgram/test")
    assert absent.status_code == 404
    assert ("openai", "/openai/v1/models") in state.seen
    # Twilio's check runs against the Twilio double: tests/api/phone_numbers/test_key_check.py.


async def test_delete_key(api: Api, owner: tuple[Person, str]) -> None:
    admin, workspace = owner
    await admin.put(f"{_keys(workspace)}/google", json={"value": "AIza-google-key"})
    assert (await admin.delete(f"{_keys(workspace)}/google")).status_code == 204
    assert (await admin.delete(f"{_keys(workspace)}/google")).status_code == 404
    listed = {k["provider"]: k["present"] for k in (await admin.get(_keys(workspace))).json()}
    assert listed["google"] is False


async def test_short_keys_are_refused(owner: tuple[Person, str]) -> None:
    admin, workspace = owner
    short = await admin.put(f"{_keys(workspace)}/openai", json={"value": "abc"})
    assert short.status_code == 422
    assert short.json()["field"] == "value"
