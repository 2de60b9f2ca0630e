"""The file operations of the code routes: read, write, rename and delete one file."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.code.models import Manifest
from arkenos_api.code.paths import checked_path
from arkenos_api.code.schemas import FileOut
from arkenos_api.code.storage import CodeStore
from arkenos_api.code.tree import (
    Draft,
    Limits,
    check_limits,
    check_no_folder_clash,
    commit_change,
    draft,
    encoded,
    file_version,
    stale,
)
from arkenos_api.core.errors import not_found


def current_version(manifest: Manifest, path: str) -> str | None:
    entry = manifest.get(path)
    return file_version(entry["sha256"]) if entry else None


async def read_file(
    *, db_session: AsyncSession, store: CodeStore, workspace_id: uuid.UUID, agent: str, path: str
) -> FileOut:
    checked_path(path)
    current = await draft(db_session=db_session, workspace_id=workspace_id, agent=agent)
    entry = current.manifest.get(path)
    if entry is None:
        raise not_found(f"file {path}")
    data = await store.get_blob(entry["sha256"])
    return FileOut(
        path=path,
        version=file_version(entry["sha256"]),
        size=len(data),
        content=data.decode("utf-8"),
        tree_version=current.tree.head,
    )


async def write_file(
    *,
    db_session: AsyncSession,
    store: CodeStore,
    limits: Limits,
    workspace_id: uuid.UUID,
    agent: str,
    path: str,
    content: str,
    base_version: str | None,
    author_id: uuid.UUID | None,
) -> FileOut:
    """Create ``path`` (no base version) or replace it (the version it was edited from)."""
    checked_path(path)
    data = encoded(content, path, limits)
    hex_digest = await store.put_blob(data)
    current = await draft(db_session=db_session, workspace_id=workspace_id, agent=agent, lock=True)
    existing = current_version(current.manifest, path)
    if existing != base_version:
        raise stale(path, base_version, existing)
    if existing is None:
        check_no_folder_clash(current.manifest, path)
    manifest = {**current.manifest, path: {"sha256": hex_digest, "size": len(data)}}
    check_limits(manifest, limits)
    change = f"{'update' if existing else 'create'} {path}"
    updated = await _commit(db_session, current, manifest, change, author_id, existing, hex_digest)
    return FileOut(
        path=path,
        version=file_version(hex_digest),
        size=len(data),
        content=content,
        tree_version=updated.tree.head,
    )


async def _commit(
    db_session: AsyncSession,
    current: Draft,
    manifest: Manifest,
    change: str,
    author_id: uuid.UUID | None,
    existing: str | None,
    hex_digest: str,
) -> Draft:
    if existing == file_version(hex_digest):
        return current  # the same content again: nothing changed, no new version
    return await commit_change(
        db_session=db_session,
        current=current,
        manifest=manifest,
        change=change,
        author_id=author_id,
    )


async def delete_file(
    *,
    db_session: AsyncSession,
    workspace_id: uuid.UUID,
    agent: str,
    path: str,
    base_version: str,
    author_id: uuid.UUID | None,
) -> int:
    checked_path(path)
    current = await draft(db_session=db_session, workspace_id=workspace_id, agent=agent, lock=True)
    existing = current_version(current.manifest, path)
    if existing is None:
        raise not_found(f"file {path}")
    if existing != base_version:
        raise stale(path, base_version, existing)
    manifest = {p: e for p, e in current.manifest.items() if p != path}
    updated = await commit_change(
        db_session=db_session,
        current=current,
        manifest=manifest,
        change=f"delete {path}",
        author_id=author_id,
    )
    return updated.tree.head


async def rename_file(
    *,
    db_session: AsyncSession,
    workspace_id: uuid.UUID,
    agent: str,
    from_path: str,
    to_path: str,
    base_version: str,
    author_id: uuid.UUID | None,
) -> int:
    checked_path(from_path, "from")
    checked_path(to_path, "to")
    current = await draft(db_session=db_session, workspace_id=workspace_id, agent=agent, lock=True)
    existing = current_version(current.manifest, from_path)
    if existing is None:
        raise not_found(f"file {from_path}")
    if existing != base_version:
        raise stale(from_path, base_version, existing)
    if to_path in current.manifest:
        raise stale(to_path, None, current_version(current.manifest, to_path))
    rest = {p: e for p, e in current.manifest.items() if p != from_path}
    check_no_folder_clash(rest, to_path)
    manifest = {**rest, to_path: current.manifest[from_path]}
    updated = await commit_change(
        db_session=db_session,
        current=current,
        manifest=manifest,
        change=f"rename {from_path} to {to_path}",
        author_id=author_id,
    )
    return updated.tree.head
