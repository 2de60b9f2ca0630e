"""Analytics histograms: per workspace, UTC hour or day, agent, metric (duration, turn latency
by stage) and log-spaced bucket, the ended calls' value counts, kept at session end, so that
the analytics' percentiles merge histograms instead of sorting every turn; backfilled here

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# analytics/histograms.py's rebuild_sql("true") at this revision, copied so that a later change
# of the module does not change what this migration did (buckets of ratio 1.05).
BACKFILL = """
WITH hourly AS (
    SELECT v.workspace_id, date_trunc('hour', v.started_at, 'UTC') AS period_start, v.agent,
        v.metric, v.bucket, count(*) AS count
    FROM (
        SELECT s.workspace_id, s.agent, s.started_at, 0 AS metric,
            (CASE WHEN s.duration_ms >= 1
             THEN 1 + floor(ln((s.duration_ms)::float8) / 0.04879016416943205)::int
             ELSE 0 END) AS bucket
        FROM sessions AS s
        WHERE s.ended_at IS NOT NULL AND s.duration_ms IS NOT NULL
        UNION ALL
        SELECT s.workspace_id, s.agent, s.started_at, m.metric,
            (CASE WHEN m.value >= 1
             THEN 1 + floor(ln((m.value)::float8) / 0.04879016416943205)::int
             ELSE 0 END)
        FROM sessions AS s JOIN turn_metrics AS t ON t.session_id = s.id
        CROSS JOIN LATERAL (VALUES (1, t.end_to_end_ms), (2, t.stt_ms), (3, t.llm_ms),
            (4, t.tts_ms)) AS m(metric, value)
        WHERE s.ended_at IS NOT NULL AND m.value IS NOT NULL
    ) AS v
    GROUP BY 1, 2, 3, 4, 5
), hours AS (
    INSERT INTO analytics_histograms (workspace_id, hours, period_start, agent, metric, bucket,
        count)
    SELECT workspace_id, 1, period_start, agent, metric, bucket, count FROM hourly
)
INSERT INTO analytics_histograms (workspace_id, hours, period_start, agent, metric, bucket,
    count)
SELECT workspace_id, 24, date_trunc('day', period_start, 'UTC'), agent, metric, bucket,
    sum(count)
FROM hourly GROUP BY 1, 3, 4, 5, 6
"""


def upgrade() -> None:
    op.create_table(
        "analytics_histograms",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("hours", sa.SmallInteger(), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agent", sa.String(length=253), nullable=False),
        sa.Column("metric", sa.SmallInteger(), nullable=False),
        sa.Column("bucket", sa.SmallInteger(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_analytics_histograms_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "workspace_id",
            "hours",
            "period_start",
            "agent",
            "metric",
            "bucket",
            name=op.f("pk_analytics_histograms"),
            postgresql_include=["count"],
        ),
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_table("analytics_histograms")
