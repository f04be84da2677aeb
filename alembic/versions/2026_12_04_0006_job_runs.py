"""Our own side table `job_runs`: one row per run of a scheduled job.

Revision ID: 0006_job_runs
Revises: 0005_outbox_retries
Create Date: 2026-12-04 00:06:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_job_runs"
down_revision: str | None = "0005_outbox_retries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="job_runs_pkey"),
    )
    op.create_index("job_runs_name_scheduled_for_index", "job_runs", ["name", "scheduled_for"])


def downgrade() -> None:
    op.drop_index("job_runs_name_scheduled_for_index", table_name="job_runs")
    op.drop_table("job_runs")
