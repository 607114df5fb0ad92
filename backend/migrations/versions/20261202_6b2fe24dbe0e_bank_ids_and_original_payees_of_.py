"""bank ids and original payees of transactions

For imports and bank sync: the bank's id of a transaction (unique per account when present) and
the payee as the bank wrote it.

Revision ID: 6b2fe24dbe0e
Revises: 4df8eec6d709
Create Date: 2026-12-02 01:39:51.190668
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6b2fe24dbe0e"
down_revision: str | None = "4df8eec6d709"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("payee_original", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("external_id", sa.String(length=255), nullable=True))
        batch_op.create_index(
            "uq_transactions_account_external_id",
            ["account_id", "external_id"],
            unique=True,
            postgresql_where=sa.text("external_id IS NOT NULL"),
            sqlite_where=sa.text("external_id IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_transactions_account_external_id",
            postgresql_where=sa.text("external_id IS NOT NULL"),
            sqlite_where=sa.text("external_id IS NOT NULL"),
        )
        batch_op.drop_column("external_id")
        batch_op.drop_column("payee_original")
