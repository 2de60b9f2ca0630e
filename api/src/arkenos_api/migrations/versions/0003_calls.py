"""Calls: call control and call-log columns on sessions, transcript full-text search, cost,
webhook receipts, per-workspace call policies and price overrides

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("sessions", "job_id", existing_type=sa.String(length=256), nullable=True)
    op.add_column(
        "sessions",
        sa.Column("status", sa.String(length=16), server_default="Active", nullable=False),
    )
    op.add_column("sessions", sa.Column("phone_number", sa.String(length=16), nullable=True))
    op.add_column(
        "sessions", sa.Column("variables", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.add_column(
        "sessions",
        sa.Column(
            "duration_ms",
            sa.BigInteger(),
            sa.Computed(
                "(extract(epoch from (ended_at - started_at)) * 1000)::bigint", persisted=True
            ),
            nullable=True,
        ),
    )
    op.add_column("sessions", sa.Column("sip_call_id", sa.String(length=64), nullable=True))
    op.add_column("sessions", sa.Column("sip_identity", sa.String(length=128), nullable=True))
    op.add_column("sessions", sa.Column("cost_micros", sa.BigInteger(), nullable=True))
    op.add_column(
        "sessions", sa.Column("cost", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.add_column("sessions", sa.Column("pricing_version", sa.String(length=32), nullable=True))
    op.add_column(
        "sessions", sa.Column("analysis", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.create_index(
        op.f("ix_sessions_workspace_id_started_at_id"),
        "sessions",
        ["workspace_id", "started_at", "id"],
    )
    op.create_index(op.f("ix_sessions_room"), "sessions", ["room"])
    op.create_index(
        "ix_sessions_live",
        "sessions",
        ["workspace_id"],
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.add_column(
        "transcript_segments",
        sa.Column(
            "search",
            postgresql.TSVECTOR(),
            sa.Computed("to_tsvector('simple', text)", persisted=True),
            nullable=True,
        ),
    )
    op.create_index(
        op.f("ix_transcript_segments_search"),
        "transcript_segments",
        ["search"],
        postgresql_using="gin",
    )
    op.create_table(
        "tool_calls",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("arguments", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_tool_calls_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "seq", name=op.f("pk_tool_calls")),
    )
    op.create_table(
        "webhook_receipts",
        sa.Column("id", sa.String(length=256), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_receipts")),
    )
    op.create_table(
        "call_policies",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("allowed_countries", postgresql.ARRAY(sa.String(length=2)), nullable=True),
        sa.Column("allow_premium", sa.Boolean(), nullable=False),
        sa.Column("max_concurrent_calls", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_call_policies_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_call_policies")),
    )
    op.create_table(
        "price_overrides",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("item", sa.String(length=256), nullable=False),
        sa.Column("micros", sa.BigInteger(), nullable=False),
        sa.Column("per", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_price_overrides_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "item", name=op.f("pk_price_overrides")),
    )


def downgrade() -> None:
    op.drop_table("price_overrides")
    op.drop_table("call_policies")
    op.drop_table("webhook_receipts")
    op.drop_table("tool_calls")
    op.drop_index(op.f("ix_transcript_segments_search"), table_name="transcript_segments")
    op.drop_column("transcript_segments", "search")
    op.drop_index("ix_sessions_live", table_name="sessions")
    op.drop_index(op.f("ix_sessions_room"), table_name="sessions")
    op.drop_index(op.f("ix_sessions_workspace_id_started_at_id"), table_name="sessions")
    for column in (
        "analysis",
        "pricing_version",
        "cost",
        "cost_micros",
        "sip_identity",
        "sip_call_id",
        "duration_ms",
        "variables",
        "phone_number",
        "status",
    ):
        op.drop_column("sessions", column)
    op.execute("DELETE FROM sessions WHERE job_id IS NULL")
    op.alter_column("sessions", "job_id", existing_type=sa.String(length=256), nullable=False)
