"""`queue_outbox` keeps failures visible: `next_attempt_at` (claim lease and retry delay) and `failed_at`.

Revision ID: 0005_outbox_retries
Revises: 0004_comicseries_search
Create Date: 2026-12-01 00:06:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_outbox_retries"
down_revision: str | None = "0004_comicseries_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("queue_outbox", sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("queue_outbox", sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("queue_outbox", "failed_at")
    op.drop_column("queue_outbox", "next_attempt_at")
