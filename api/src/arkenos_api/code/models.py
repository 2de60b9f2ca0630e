"""Tables of custom agent code: one tree per agent, an immutable manifest per version of the
tree (path → blob sha256 and size; the blobs live in object storage), the deployed revisions,
and the coding assistant's conversation and proposed edits."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from arkenos_api.core.db import Base, utcnow

#: path → {"sha256": <hex>, "size": <bytes>}
Manifest = dict[str, dict[str, Any]]


class CodeTree(Base):
    __tablename__ = "code_trees"
    __table_args__ = (UniqueConstraint("workspace_id", "agent_name"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    agent_name: Mapped[str] = mapped_column(String(63))
    #: Number of the newest version: the draft.
    head: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CodeVersion(Base):
    __tablename__ = "code_versions"
    __table_args__ = (UniqueConstraint("tree_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tree_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("code_trees.id", ondelete="CASCADE"))
    number: Mapped[int]
    manifest: Mapped[Manifest] = mapped_column(JSONB)
    change: Mapped[str] = mapped_column(String(300))
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CodeRevision(Base):
    """One deploy: the bundle digest written into the VoiceAgent, from which tree version."""

    __tablename__ = "code_revisions"
    __table_args__ = (UniqueConstraint("tree_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tree_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("code_trees.id", ondelete="CASCADE"))
    number: Mapped[int]
    version_number: Mapped[int]
    digest: Mapped[str] = mapped_column(String(71))
    message: Mapped[str] = mapped_column(String(500))
    rollback_of: Mapped[int | None]
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AssistantMessage(Base):
    __tablename__ = "assistant_messages"
    __table_args__ = (Index("ix_assistant_messages_tree_created", "tree_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tree_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("code_trees.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(String(128))
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AssistantProposal(Base):
    """An edit the assistant proposed: checked when offered, applied only by a person."""

    __tablename__ = "assistant_proposals"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tree_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("code_trees.id", ondelete="CASCADE"))
    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assistant_messages.id", ondelete="CASCADE")
    )
    path: Mapped[str] = mapped_column(String(256))
    #: sha256 of the file the edit was made against; None for a new file.
    base_sha256: Mapped[str | None] = mapped_column(String(64))
    #: None deletes the file.
    content: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(String(500))
    problems: Mapped[list[str]] = mapped_column(JSONB, default=list)
    applied_version: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
