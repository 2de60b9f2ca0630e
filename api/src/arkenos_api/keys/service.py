"""A workspace's provider keys: store (encrypted), list (presence and last four only), read
(for the runtime config), delete, and rotate the master key."""

from __future__ import annotations

import uuid

from cryptography.exceptions import InvalidTag
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.core.db import utcnow
from arkenos_api.core.errors import ApiError
from arkenos_api.keys.crypto import Keyring, new_data_key, open_sealed, seal
from arkenos_api.keys.models import DataKey, ProviderKey
from arkenos_api.workspaces.models import Workspace
from arkenos_crds.runtime import Provider


def data_key_context(workspace_id: uuid.UUID) -> bytes:
    return b"arkenos-data-key:" + workspace_id.bytes


def provider_key_context(workspace_id: uuid.UUID, provider: str) -> bytes:
    return b"arkenos-provider-key:" + workspace_id.bytes + b":" + provider.encode()


async def _data_key(
    db_session: AsyncSession, keyring: Keyring, workspace_id: uuid.UUID, create: bool
) -> tuple[uuid.UUID, bytes] | None:
    row = await db_session.scalar(select(DataKey).where(DataKey.workspace_id == workspace_id))
    if row is None:
        if not create:
            return None
        plain = new_data_key()
        key_id, wrapped = keyring.wrap(plain, data_key_context(workspace_id))
        row = DataKey(workspace_id=workspace_id, wrapped_key=wrapped, master_key_id=key_id)
        db_session.add(row)
        await db_session.flush()
        return row.id, plain
    plain = keyring.unwrap(row.master_key_id, row.wrapped_key, data_key_context(workspace_id))
    return row.id, plain


async def _bump_keys_version(db_session: AsyncSession, workspace_id: uuid.UUID) -> None:
    await db_session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id)
        .values(keys_version=Workspace.keys_version + 1)
    )


async def store_key(
    *,
    db_session: AsyncSession,
    keyring: Keyring,
    workspace_id: uuid.UUID,
    provider: Provider,
    value: str,
) -> ProviderKey:
    found = await _data_key(db_session, keyring, workspace_id, create=True)
    assert found is not None  # created when missing
    data_key_id, data_key = found
    sealed = seal(data_key, value.encode(), provider_key_context(workspace_id, provider))
    row = await db_session.get(ProviderKey, (workspace_id, provider.value))
    if row is None:
        row = ProviderKey(workspace_id=workspace_id, provider=provider.value)
        db_session.add(row)
    row.data_key_id, row.ciphertext, row.last_four = data_key_id, sealed, value[-4:]
    row.updated_at = utcnow()
    await _bump_keys_version(db_session, workspace_id)
    await db_session.flush()
    return row


async def list_keys(*, db_session: AsyncSession, workspace_id: uuid.UUID) -> list[ProviderKey]:
    rows = await db_session.scalars(
        select(ProviderKey)
        .where(ProviderKey.workspace_id == workspace_id)
        .order_by(ProviderKey.provider)
    )
    return list(rows)


async def delete_key(
    *, db_session: AsyncSession, workspace_id: uuid.UUID, provider: Provider
) -> bool:
    row = await db_session.get(ProviderKey, (workspace_id, provider.value))
    if row is None:
        return False
    await db_session.delete(row)
    await _bump_keys_version(db_session, workspace_id)
    return True


async def read_keys(
    *,
    db_session: AsyncSession,
    keyring: Keyring,
    workspace_id: uuid.UUID,
    providers: set[Provider],
) -> dict[Provider, str]:
    """Decrypt the stored keys of exactly ``providers`` (those present)."""
    if not providers:
        return {}
    rows = list(
        await db_session.scalars(
            select(ProviderKey).where(
                ProviderKey.workspace_id == workspace_id,
                ProviderKey.provider.in_([p.value for p in providers]),
            )
        )
    )
    if not rows:
        return {}
    found = await _data_key(db_session, keyring, workspace_id, create=False)
    if found is None:  # pragma: no cover - a provider key always has a data key (FK)
        raise RuntimeError("provider keys without a data key")
    _, data_key = found
    keys: dict[Provider, str] = {}
    for row in rows:
        context = provider_key_context(workspace_id, row.provider)
        try:
            keys[Provider(row.provider)] = open_sealed(data_key, row.ciphertext, context).decode()
        except InvalidTag as exc:
            # The ciphertext was not sealed for this workspace and provider (a row copied
            # from elsewhere, or tampered with): refuse it rather than hand out another key.
            raise ApiError(
                424,
                "stored_key_unreadable",
                f"the stored {row.provider} key does not decrypt for this workspace: store it "
                "again",
                f"keys.{row.provider}",
            ) from exc
    return keys


async def rotate_master_key(*, db_session: AsyncSession, keyring: Keyring) -> int:
    """Re-wrap every data key not wrapped by the active master key; returns how many.

    Provider keys stay encrypted under the same data keys, so they need no change.
    """
    rows = list(
        await db_session.scalars(
            select(DataKey).where(DataKey.master_key_id != keyring.active_id).with_for_update()
        )
    )
    for row in rows:
        context = data_key_context(row.workspace_id)
        plain = keyring.unwrap(row.master_key_id, row.wrapped_key, context)
        row.master_key_id, row.wrapped_key = keyring.wrap(plain, context)
        row.rotated_at = utcnow()
    await db_session.flush()
    return len(rows)


async def check_keyring(*, db_session: AsyncSession, keyring: Keyring) -> None:
    """Unwrap one data key per master key id in use; raises KeyringError on a wrong key, so the
    app refuses to start rather than fail on the first call."""
    rows = await db_session.execute(
        select(DataKey.master_key_id, DataKey.workspace_id, DataKey.wrapped_key).ext(
            distinct_on(DataKey.master_key_id)
        )
    )
    for key_id, workspace_id, wrapped in rows.all():
        keyring.unwrap(key_id, wrapped, data_key_context(workspace_id))
