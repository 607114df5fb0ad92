"""covering indexes for budget and report aggregates

Revision ID: 22c7c6cbb667
Revises: f9274a9665c1
Create Date: 2026-11-25 19:30:04.647966
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "22c7c6cbb667"
down_revision: str | None = "f9274a9665c1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index(
        op.f("ix_transaction_splits_household_category_posted"), table_name="transaction_splits"
    )
    op.create_index(
        "ix_transaction_splits_activity_by_category",
        "transaction_splits",
        ["household_id", "category_id", "posted_on"],
        unique=False,
        postgresql_include=["amount_minor", "transaction_id"],
    )
    op.create_index(
        "ix_transaction_splits_activity_by_date",
        "transaction_splits",
        ["household_id", "posted_on"],
        unique=False,
        postgresql_include=["category_id", "amount_minor", "transaction_id"],
    )
    op.create_index(
        "ix_transactions_activity_by_category",
        "transactions",
        ["household_id", "category_id", "posted_on"],
        unique=False,
        postgresql_include=["amount_minor", "account_id"],
        postgresql_where=sa.text("transfer_id IS NULL AND is_split IS FALSE"),
    )
    op.create_index(
        "ix_transactions_activity_by_date",
        "transactions",
        ["household_id", "posted_on"],
        unique=False,
        postgresql_include=["category_id", "amount_minor", "account_id"],
        postgresql_where=sa.text("transfer_id IS NULL AND is_split IS FALSE"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_transactions_activity_by_date",
        table_name="transactions",
        postgresql_include=["category_id", "amount_minor", "account_id"],
        postgresql_where=sa.text("transfer_id IS NULL AND is_split IS FALSE"),
    )
    op.drop_index(
        "ix_transactions_activity_by_category",
        table_name="transactions",
        postgresql_include=["amount_minor", "account_id"],
        postgresql_where=sa.text("transfer_id IS NULL AND is_split IS FALSE"),
    )
    op.drop_index(
        "ix_transaction_splits_activity_by_date",
        table_name="transaction_splits",
        postgresql_include=["category_id", "amount_minor", "transaction_id"],
    )
    op.drop_index(
        "ix_transaction_splits_activity_by_category",
        table_name="transaction_splits",
        postgresql_include=["amount_minor", "transaction_id"],
    )
    op.create_index(
        op.f("ix_transaction_splits_household_category_posted"),
        "transaction_splits",
        ["household_id", "category_id", "posted_on"],
        unique=False,
    )
