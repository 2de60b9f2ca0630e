"""Every ciphertext is bound to its workspace and provider by AES-GCM's associated data: a
stored key moved to another provider's row, or to another workspace's, does not decrypt (the
API answers with a clear error instead of handing out the wrong key)."""

from __future__ import annotations

import uuid

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import select, update

from arkenos_api.keys.crypto import KeyringError, new_data_key, open_sealed, seal
from arkenos_api.keys.models import DataKey, ProviderKey
from arkenos_api.keys.service import provider_key_context, read_keys
from arkenos_api.workspaces.models import Workspace
from arkenos_crds.runtime import Provider
from tests.api.helpers import Api, Person

OPENAI_KEY = "sk-openai-0123456789-aaaa"
CARTESIA_KEY = "sk-cartesia-0123456789-bbbb"


def test_the_context_binds_workspace_and_provider() -> None:
    data_key = new_data_key()
    here, there = uuid.uuid4(), uuid.uuid4()
    sealed = seal(data_key, b"sk-secret", provider_key_context(here, "openai"))
    assert open_sealed(data_key, sealed, provider_key_context(here, "openai")) == b"sk-secret"
    # Same data key: only the associated data tells these apart.
    with pytest.raises(InvalidTag):
        open_sealed(data_key, sealed, provider_key_context(there, "openai"))
    with pytest.raises(InvalidTag):
        open_sealed(data_key, sealed, provider_key_context(here, "cartesia"))


async def _workspace_id(api: Api, namespace: str) -> uuid.UUID:
    async with api.app.state.sessionmaker() as db:
        return (
            await db.scalars(select(Workspace.id).where(Workspace.namespace == namespace))
        ).one()


async def test_a_ciphertext_moved_to_another_providers_row_does_not_decrypt(
    api: Api, owner: tuple[Person, str]
) -> None:
    admin, workspace = owner
    keys = f"/api/v1/workspaces/{workspace}/keys"
    assert (await admin.put(f"{keys}/openai", json={"value": OPENAI_KEY})).status_code == 200
    assert (await admin.put(f"{keys}/cartesia", json={"value": CARTESIA_KEY})).status_code == 200
    workspace_id = await _workspace_id(api, workspace)
    async with api.app.state.sessionmaker() as db:
        cartesia = await db.get_one(ProviderKey, (workspace_id, "cartesia"))
        # The openai row now holds cartesia's ciphertext, under the same data key.
        await db.execute(
            update(ProviderKey)
            .where(ProviderKey.workspace_id == workspace_id, ProviderKey.provider == "openai")
            .values(ciphertext=cartesia.ciphertext)
        )
        await db.commit()
    checked = await admin.post(f"{keys}/openai/test")
    assert checked.status_code == 424, checked.text
    assert checked.json()["code"] == "stored_key_unreadable"
    assert CARTESIA_KEY not in checked.text


async def test_a_key_moved_to_another_workspace_does_not_decrypt(
    api: Api, owner: tuple[Person, str]
) -> None:
    admin, source = owner
    target = await api.workspace(admin)
    for namespace, value in ((source, OPENAI_KEY), (target, "sk-target-key-0000")):
        stored = await admin.put(
            f"/api/v1/workspaces/{namespace}/keys/openai", json={"value": value}
        )
        assert stored.status_code == 200
    source_id, target_id = await _workspace_id(api, source), await _workspace_id(api, target)
    keyring = api.app.state.keyring
    async with api.app.state.sessionmaker() as db:
        source_key = await db.scalar(select(DataKey).where(DataKey.workspace_id == source_id))
        source_row = await db.get_one(ProviderKey, (source_id, "openai"))
        assert source_key is not None
        # Copy the source's data key and ciphertext into the target's rows, as someone with
        # write access to the database (not to the master key) could.
        await db.execute(
            update(DataKey)
            .where(DataKey.workspace_id == target_id)
            .values(wrapped_key=source_key.wrapped_key, master_key_id=source_key.master_key_id)
        )
        await db.execute(
            update(ProviderKey)
            .where(ProviderKey.workspace_id == target_id, ProviderKey.provider == "openai")
            .values(ciphertext=source_row.ciphertext)
        )
        await db.commit()
        with pytest.raises(KeyringError):
            await read_keys(
                db_session=db, keyring=keyring, workspace_id=target_id, providers={Provider.OPENAI}
            )
        # The source still reads its own key.
        own = await read_keys(
            db_session=db, keyring=keyring, workspace_id=source_id, providers={Provider.OPENAI}
        )
    assert own == {Provider.OPENAI: OPENAI_KEY}
