"""when users were last active

Set when a user signs in or refreshes a session; the active-users and active-households metrics
count it when Prometheus scrapes /metrics.

Revision ID: 59c0d3b9e3d2
Revises: 6b0cfb2904e1
Create Date: 2026-12-02 02:33:38.184765
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "59c0d3b9e3d2"
down_revision: str | None = "6b0cfb2904e1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_active_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("last_active_at")
