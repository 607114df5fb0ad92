"""activity totals by account and month

Every money write replaces the monthly totals of its (account, month) buckets with one DELETE
by account and month; the two partial unique indexes cannot serve it, so it scanned the table.

Revision ID: 9b4e2d61c0aa
Revises: 7833ef4772bc
Create Date: 2026-12-02 05:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "9b4e2d61c0aa"
down_revision: str | None = "7833ef4772bc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_activity_totals_account_id_month", "activity_totals", ["account_id", "month"]
    )


def downgrade() -> None:
    op.drop_index("ix_activity_totals_account_id_month", table_name="activity_totals")
