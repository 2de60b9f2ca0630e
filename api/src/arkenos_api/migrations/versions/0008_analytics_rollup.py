"""Analytics rollup: ended calls per workspace, agent, UTC hour and end reason, kept at session
end and cost recompute, backfilled here from the sessions

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-02 07:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

# The rollup's definition at this revision (analytics/rollup.py's REBUILD_SELECT), copied so
# that a later change of the module does not change what this migration did.
BACKFILL = """
INSERT INTO analytics_rollup (workspace_id, agent, hour, end_reason, calls, total_ms,
    cost_micros, unpriced_calls)
SELECT workspace_id, agent, date_trunc('hour', started_at, 'UTC'), coalesce(end_reason, ''),
    count(*), coalesce(sum(duration_ms), 0), coalesce(sum(cost_micros), 0),
    count(*) FILTER (WHERE cost_micros IS NULL)
FROM sessions WHERE ended_at IS NOT NULL
GROUP BY workspace_id, agent, date_trunc('hour', started_at, 'UTC'), coalesce(end_reason, '')
"""


def upgrade() -> None:
    op.create_table(
        "analytics_rollup",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("agent", sa.String(length=253), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_reason", sa.String(length=32), nullable=False),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.Column("total_ms", sa.BigInteger(), nullable=False),
        sa.Column("cost_micros", sa.BigInteger(), nullable=False),
        sa.Column("unpriced_calls", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_analytics_rollup_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "workspace_id", "agent", "hour", "end_reason", name=op.f("pk_analytics_rollup")
        ),
    )
    op.create_index(
        op.f("ix_analytics_rollup_workspace_id_hour"), "analytics_rollup", ["workspace_id", "hour"]
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_index(op.f("ix_analytics_rollup_workspace_id_hour"), table_name="analytics_rollup")
    op.drop_table("analytics_rollup")
