"""An agent's file tree: reading the draft, and every change as a new immutable version.

A change locks the tree's row, so concurrent edits of one agent are serialised; each file's
version is the sha256 of its content, and a write must name the version it was made from, so
an edit made on stale content gets 409 instead of silently overwriting someone's work.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.code.models import CodeTree, CodeVersion, Manifest
from arkenos_api.code.paths import checked_path
from arkenos_api.code.storage import CodeStore
from arkenos_api.core.db import utcnow
from arkenos_api.core.errors import ApiError
from arkenos_api.settings import Settings


@dataclass(frozen=True)
class Limits:
    file_bytes: int
    files: int
    total_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            settings.code_max_file_bytes, settings.code_max_files, settings.code_max_tree_bytes
        )

    def as_dict(self) -> dict[str, int]:
        return {"fileBytes": self.file_bytes, "files": self.files, "totalBytes": self.total_bytes}


@dataclass(frozen=True)
class Draft:
    tree: CodeTree
    version: CodeVersion

    @property
    def manifest(self) -> Manifest:
        return self.version.manifest


def file_version(hex_digest: str) -> str:
    return f"sha256:{hex_digest}"


def encoded(content: str, path: str, limits: Limits) -> bytes:
    """The UTF-8 bytes of a file's text; 4xx for binary content or a file over the limit."""
    try:
        data = content.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ApiError(
            422, "not_text", f"{path}: only UTF-8 text can be stored ({exc.reason})", "content"
        ) from exc
    if "\x00" in content:
        raise ApiError(
            422, "not_text", f"{path}: binary files are not supported, only UTF-8 text", "content"
        )
    if len(data) > limits.file_bytes:
        raise ApiError(
            413,
            "file_too_large",
            f"{path} has {len(data)} bytes; a file may have at most {limits.file_bytes}",
            "content",
        )
    return data


def check_limits(manifest: Manifest, limits: Limits) -> None:
    if len(manifest) > limits.files:
        raise ApiError(422, "limit_exceeded", f"an agent may have at most {limits.files} files")
    total = sum(int(entry["size"]) for entry in manifest.values())
    if total > limits.total_bytes:
        raise ApiError(
            422,
            "limit_exceeded",
            f"the agent's files would have {total} bytes; at most {limits.total_bytes} allowed",
        )


def check_no_folder_clash(manifest: Mapping[str, object], path: str) -> None:
    """A path cannot be both a file and a folder of the tree."""
    if any(existing.startswith(path + "/") for existing in manifest):
        raise ApiError(409, "path_conflict", f"{path} is a folder of the agent", "path")
    parts = path.split("/")
    for depth in range(1, len(parts)):
        folder = "/".join(parts[:depth])
        if folder in manifest:
            raise ApiError(409, "path_conflict", f"{folder} is a file, not a folder", "path")


def stale(path: str, sent: str | None, current: str | None) -> ApiError:
    if current is None:
        return ApiError(409, "conflict", f"{path} does not exist (any more)", "baseVersion")
    if sent is None:
        return ApiError(
            409, "file_exists", f"{path} exists: send its version to change it", "baseVersion"
        )
    return ApiError(
        409,
        "conflict",
        f"{path} changed since version {sent} (now {current}): read it again and retry",
        "baseVersion",
    )


async def find_tree(
    *, db_session: AsyncSession, workspace_id: uuid.UUID, agent: str, lock: bool = False
) -> CodeTree | None:
    query = select(CodeTree).where(
        CodeTree.workspace_id == workspace_id, CodeTree.agent_name == agent
    )
    if lock:
        query = query.with_for_update()
    tree: CodeTree | None = await db_session.scalar(query)
    return tree


async def version_of(
    *, db_session: AsyncSession, tree: CodeTree, number: int | None = None
) -> CodeVersion:
    wanted = tree.head if number is None else number
    version = await db_session.scalar(
        select(CodeVersion).where(CodeVersion.tree_id == tree.id, CodeVersion.number == wanted)
    )
    if version is None:
        raise ApiError(
            404, "not_found", f"version {wanted} of agent {tree.agent_name}'s code not found"
        )
    return version


async def draft(
    *, db_session: AsyncSession, workspace_id: uuid.UUID, agent: str, lock: bool = False
) -> Draft:
    tree = await find_tree(db_session=db_session, workspace_id=workspace_id, agent=agent, lock=lock)
    if tree is None:
        raise ApiError(
            404,
            "not_found",
            f"agent {agent} has no code yet: create it from a template first",
        )
    return Draft(tree, await version_of(db_session=db_session, tree=tree))


async def create_tree(
    *,
    db_session: AsyncSession,
    store: CodeStore,
    limits: Limits,
    workspace_id: uuid.UUID,
    agent: str,
    files: Mapping[str, str],
    author_id: uuid.UUID,
    change: str,
) -> Draft:
    if await find_tree(db_session=db_session, workspace_id=workspace_id, agent=agent):
        raise ApiError(409, "code_exists", f"agent {agent} already has code")
    manifest: Manifest = {}
    for path, text in files.items():
        data = encoded(text, checked_path(path), limits)
        manifest[path] = {"sha256": await store.put_blob(data), "size": len(data)}
    check_limits(manifest, limits)
    tree = CodeTree(workspace_id=workspace_id, agent_name=agent, head=1)
    db_session.add(tree)
    await db_session.flush()
    version = CodeVersion(
        tree_id=tree.id, number=1, manifest=manifest, change=change, author_id=author_id
    )
    db_session.add(version)
    await db_session.flush()
    return Draft(tree, version)


async def commit_change(
    *,
    db_session: AsyncSession,
    current: Draft,
    manifest: Manifest,
    change: str,
    author_id: uuid.UUID | None,
) -> Draft:
    """Record ``manifest`` as the tree's next version (the caller holds the tree's lock)."""
    tree = current.tree
    tree.head += 1
    tree.updated_at = utcnow()
    version = CodeVersion(
        tree_id=tree.id,
        number=tree.head,
        manifest=manifest,
        change=change[:300],
        author_id=author_id,
    )
    db_session.add(version)
    await db_session.flush()
    return Draft(tree, version)
