"""Our own side tables for delivery: `notification_deliveries` (one row per push or e-mail sent, by dedupe
key, so a redelivered message sends nothing twice) and `push_tickets` (Expo tickets whose receipts are
still to be read).

Revision ID: 0007_deliveries
Revises: 0006_job_runs
Create Date: 2026-12-05 00:07:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_deliveries"
down_revision: str | None = "0006_job_runs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_deliveries",
        sa.Column("dedupe_key", sa.String(200), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("dedupe_key", name="notification_deliveries_pkey"),
    )
    op.create_index("notification_deliveries_delivered_at_index", "notification_deliveries", ["delivered_at"])
    op.create_table(
        "push_tickets",
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="push_tickets_pkey"),
    )
    op.create_index("push_tickets_created_at_index", "push_tickets", ["created_at"])


def downgrade() -> None:
    op.drop_index("push_tickets_created_at_index", table_name="push_tickets")
    op.drop_table("push_tickets")
    op.drop_index("notification_deliveries_delivered_at_index", table_name="notification_deliveries")
    op.drop_table("notification_deliveries")
