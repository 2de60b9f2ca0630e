"""Post-call analysis: one stored analysis per session (its own table, replacing the unused
sessions.analysis column) and whether the call asked for one

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 02:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_analyses",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("success", sa.Boolean(), nullable=True),
        sa.Column("sentiment", sa.String(length=16), nullable=True),
        sa.Column("topics", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("fields", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("model", sa.String(length=128), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=True),
        sa.Column("output_tokens", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_session_analyses_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_session_analyses")),
    )
    op.add_column(
        "sessions",
        sa.Column("analysis_requested", sa.Boolean(), server_default="false", nullable=False),
    )
    op.drop_column("sessions", "analysis")


def downgrade() -> None:
    op.add_column(
        "sessions",
        sa.Column("analysis", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.drop_column("sessions", "analysis_requested")
    op.drop_table("session_analyses")
