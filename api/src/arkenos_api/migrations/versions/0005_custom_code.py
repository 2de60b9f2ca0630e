"""Custom agent code: file trees, versions, revisions and the coding assistant

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _author() -> sa.Column[uuid.UUID]:
    return sa.Column("author_id", sa.Uuid(), nullable=True)


def _author_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["author_id"], ["users.id"], name=op.f(f"fk_{table}_author_id_users"), ondelete="SET NULL"
    )


def _tree_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tree_id"],
        ["code_trees.id"],
        name=op.f(f"fk_{table}_tree_id_code_trees"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "code_trees",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("agent_name", sa.String(length=63), nullable=False),
        sa.Column("head", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_code_trees_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_trees")),
        sa.UniqueConstraint(
            "workspace_id", "agent_name", name=op.f("uq_code_trees_workspace_id_agent_name")
        ),
    )
    op.create_table(
        "code_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tree_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("manifest", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("change", sa.String(length=300), nullable=False),
        _author(),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _author_fk("code_versions"),
        _tree_fk("code_versions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_versions")),
        sa.UniqueConstraint("tree_id", "number", name=op.f("uq_code_versions_tree_id_number")),
    )
    op.create_table(
        "code_revisions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tree_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=71), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("rollback_of", sa.Integer(), nullable=True),
        _author(),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _author_fk("code_revisions"),
        _tree_fk("code_revisions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_revisions")),
        sa.UniqueConstraint("tree_id", "number", name=op.f("uq_code_revisions_tree_id_number")),
    )
    op.create_table(
        "assistant_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tree_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("model", sa.String(length=128), nullable=True),
        _author(),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _author_fk("assistant_messages"),
        _tree_fk("assistant_messages"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_messages")),
    )
    op.create_index(
        "ix_assistant_messages_tree_created",
        "assistant_messages",
        ["tree_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "assistant_proposals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tree_id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("path", sa.String(length=256), nullable=False),
        sa.Column("base_sha256", sa.String(length=64), nullable=True),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("problems", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("applied_version", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["assistant_messages.id"],
            name=op.f("fk_assistant_proposals_message_id_assistant_messages"),
            ondelete="CASCADE",
        ),
        _tree_fk("assistant_proposals"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_proposals")),
    )


def downgrade() -> None:
    op.drop_table("assistant_proposals")
    op.drop_index("ix_assistant_messages_tree_created", table_name="assistant_messages")
    op.drop_table("assistant_messages")
    op.drop_table("code_revisions")
    op.drop_table("code_versions")
    op.drop_table("code_trees")
