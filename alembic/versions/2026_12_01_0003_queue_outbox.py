"""Our own side table `queue_outbox`: follow-up messages written in the same transaction as their data.

Revision ID: 0003_queue_outbox
Revises: 0002_taddy_entity_state
Create Date: 2026-12-01 00:03:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_queue_outbox"
down_revision: str | None = "0002_taddy_entity_state"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "queue_outbox",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("queue", sa.String(80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="queue_outbox_pkey"),
    )


def downgrade() -> None:
    op.drop_table("queue_outbox")
