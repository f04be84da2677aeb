"""Our own side table `taddy_entity_state`: the newest webhook applied per Taddy object, with tombstones.

It sits beside the reference tables (which stay exactly as the original built them), so a database
adopted from the original server simply upgrades onto it.

Revision ID: 0002_taddy_entity_state
Revises: 0001_baseline
Create Date: 2026-12-01 00:02:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_taddy_entity_state"
down_revision: str | None = "0001_baseline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "taddy_entity_state",
        sa.Column("taddy_type", sa.String(20), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("last_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("taddy_type", "uuid", name="taddy_entity_state_pkey"),
    )


def downgrade() -> None:
    op.drop_table("taddy_entity_state")
