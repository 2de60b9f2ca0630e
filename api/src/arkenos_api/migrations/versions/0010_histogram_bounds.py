"""Analytics histograms keep each row's least and greatest value, so that a percentile is
clamped to what was observed (one call answers its own duration, not its bucket's middle);
backfilled from the same sessions and turns as 0009's backfill

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# The least and greatest value of every histogram row, from the values 0009's backfill counted
# (analytics/histograms.py's rebuild_sql at this revision, copied: buckets of ratio 1.05).
BACKFILL = """
WITH hourly AS (
    SELECT v.workspace_id, date_trunc('hour', v.started_at, 'UTC') AS period_start, v.agent,
        v.metric, v.bucket, min(v.value) AS min_value, max(v.value) AS max_value
    FROM (
        SELECT s.workspace_id, s.agent, s.started_at, 0 AS metric, s.duration_ms AS value,
            (CASE WHEN s.duration_ms >= 1
             THEN 1 + floor(ln((s.duration_ms)::float8) / 0.04879016416943205)::int
             ELSE 0 END) AS bucket
        FROM sessions AS s
        WHERE s.ended_at IS NOT NULL AND s.duration_ms IS NOT NULL
        UNION ALL
        SELECT s.workspace_id, s.agent, s.started_at, m.metric, m.value,
            (CASE WHEN m.value >= 1
             THEN 1 + floor(ln((m.value)::float8) / 0.04879016416943205)::int
             ELSE 0 END)
        FROM sessions AS s JOIN turn_metrics AS t ON t.session_id = s.id
        CROSS JOIN LATERAL (VALUES (1, t.end_to_end_ms), (2, t.stt_ms), (3, t.llm_ms),
            (4, t.tts_ms)) AS m(metric, value)
        WHERE s.ended_at IS NOT NULL AND m.value IS NOT NULL
    ) AS v
    GROUP BY 1, 2, 3, 4, 5
), bounds AS (
    SELECT workspace_id, 1 AS hours, period_start, agent, metric, bucket, min_value, max_value
    FROM hourly
    UNION ALL
    SELECT workspace_id, 24, date_trunc('day', period_start, 'UTC'), agent, metric, bucket,
        min(min_value), max(max_value)
    FROM hourly GROUP BY 1, 3, 4, 5, 6
)
UPDATE analytics_histograms AS h SET min_value = b.min_value, max_value = b.max_value
FROM bounds AS b
WHERE (h.workspace_id, h.hours, h.period_start, h.agent, h.metric, h.bucket)
    = (b.workspace_id, b.hours, b.period_start, b.agent, b.metric, b.bucket)
"""
# A row the sessions no longer account for (none is expected: the histograms are kept exact)
# gets its bucket's own bounds, which hold every value it can have counted: its percentiles
# are then clamped no tighter than before, never wrongly.
BUCKET_BOUNDS = """
UPDATE analytics_histograms SET
    min_value = CASE WHEN bucket <= 0 THEN 0 ELSE ceil(power(1.05, bucket - 1))::bigint END,
    max_value = CASE WHEN bucket <= 0 THEN 0
        ELSE greatest(ceil(power(1.05, bucket - 1)), ceil(power(1.05, bucket)) - 1)::bigint END
WHERE min_value IS NULL
"""


def upgrade() -> None:
    op.add_column("analytics_histograms", sa.Column("min_value", sa.BigInteger(), nullable=True))
    op.add_column("analytics_histograms", sa.Column("max_value", sa.BigInteger(), nullable=True))
    op.execute(BACKFILL)
    op.execute(BUCKET_BOUNDS)
    op.alter_column("analytics_histograms", "min_value", nullable=False)
    op.alter_column("analytics_histograms", "max_value", nullable=False)
    # The bounds join the count in the key's index (index-only reads of a month's rows).
    _primary_key("count, min_value, max_value")


def _primary_key(include: str) -> None:
    op.execute(
        "ALTER TABLE analytics_histograms DROP CONSTRAINT pk_analytics_histograms,"
        " ADD CONSTRAINT pk_analytics_histograms PRIMARY KEY (workspace_id, hours,"
        f" period_start, agent, metric, bucket) INCLUDE ({include})"
    )


def downgrade() -> None:
    _primary_key("count")
    op.drop_column("analytics_histograms", "max_value")
    op.drop_column("analytics_histograms", "min_value")
