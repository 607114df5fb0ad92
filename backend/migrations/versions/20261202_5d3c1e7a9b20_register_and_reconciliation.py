"""register and reconciliation

Account register and reconciliation (issue 12): how far each transaction was checked against the
bank (`transactions.cleared`; every existing row starts uncleared) and the statements an account
was reconciled against (`reconciliations`).

Revision ID: 5d3c1e7a9b20
Revises: 5d0c3b7e9a41
Create Date: 2026-12-02 07:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "5d3c1e7a9b20"
down_revision: str | None = "5d0c3b7e9a41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRANSACTION_CLEARED = sa.Enum("uncleared", "cleared", "reconciled", name="transaction_cleared")


def upgrade() -> None:
    TRANSACTION_CLEARED.create(op.get_bind(), checkfirst=True)
    # A plain ADD COLUMN with a server default: existing rows read 'uncleared' without the table
    # being copied (SQLite) or rewritten row by row, and no transaction's version moves.
    op.add_column(
        "transactions",
        sa.Column(
            "cleared",
            # The type was created just above (add_column would not create it).
            postgresql.ENUM(name="transaction_cleared", create_type=False)
            if op.get_bind().dialect.name == "postgresql"
            else TRANSACTION_CLEARED,
            server_default="uncleared",
            nullable=False,
        ),
    )
    op.create_table(
        "reconciliations",
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("statement_on", sa.Date(), nullable=False),
        sa.Column("statement_balance_minor", sa.BigInteger(), nullable=False),
        sa.Column("adjustment_minor", sa.BigInteger(), nullable=False),
        sa.Column("adjustment_transaction_id", sa.Uuid(), nullable=True),
        sa.Column("reconciled_count", sa.Integer(), nullable=False),
        sa.Column("reconciled_by_id", sa.Uuid(), nullable=True),
        sa.Column("reconciled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_reconciliations_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["adjustment_transaction_id"],
            ["transactions.id"],
            name=op.f("fk_reconciliations_adjustment_transaction_id_transactions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_reconciliations_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reconciled_by_id"],
            ["users.id"],
            name=op.f("fk_reconciliations_reconciled_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliations")),
    )
    with op.batch_alter_table("reconciliations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reconciliations_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(
            "ix_reconciliations_account_reconciled", ["account_id", "reconciled_at"], unique=False
        )


def downgrade() -> None:
    op.drop_index("ix_reconciliations_account_reconciled", table_name="reconciliations")
    op.drop_index("ix_reconciliations_household_id", table_name="reconciliations")
    op.drop_table("reconciliations")
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_column("cleared")
    TRANSACTION_CLEARED.drop(op.get_bind(), checkfirst=True)
