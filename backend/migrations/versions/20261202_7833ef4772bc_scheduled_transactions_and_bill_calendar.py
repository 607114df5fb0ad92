"""scheduled transactions and bill calendar

Recurring bills and scheduled transactions, the state of their occurrences (reminded, posted),
the members' private iCal feeds of the bill calendar, and per-category budget alert thresholds.

Revision ID: 7833ef4772bc
Revises: 4f8ec1ded3ee
Create Date: 2026-12-02 04:11:09.782715
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7833ef4772bc"
down_revision: str | None = "4f8ec1ded3ee"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bill_calendar_feeds",
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_bill_calendar_feeds_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_bill_calendar_feeds_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("household_id", "user_id", name=op.f("pk_bill_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_bill_calendar_feeds_token_hash")),
    )
    op.create_table(
        "budget_alert_settings",
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_budget_alert_settings_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_budget_alert_settings_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("category_id", name=op.f("pk_budget_alert_settings")),
    )
    with op.batch_alter_table("budget_alert_settings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_budget_alert_settings_household_id"), ["household_id"], unique=False
        )

    op.create_table(
        "scheduled_transactions",
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("payee", sa.String(length=200), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("rrule", sa.String(length=500), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("remind_days_before", sa.Integer(), nullable=True),
        sa.Column("auto_post", sa.Boolean(), nullable=False),
        sa.Column("assignee_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_scheduled_transactions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assignee_user_id"],
            ["users.id"],
            name=op.f("fk_scheduled_transactions_assignee_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_scheduled_transactions_category_id_categories"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_scheduled_transactions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_scheduled_transactions_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_transactions")),
    )
    with op.batch_alter_table("scheduled_transactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduled_transactions_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_scheduled_transactions_category_id"), ["category_id"], unique=False
        )
        batch_op.create_index(
            "ix_scheduled_transactions_household", ["household_id", "starts_on"], unique=False
        )

    op.create_table(
        "scheduled_occurrences",
        sa.Column("scheduled_id", sa.Uuid(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("transaction_id", sa.Uuid(), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_scheduled_occurrences_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scheduled_id"],
            ["scheduled_transactions.id"],
            name=op.f("fk_scheduled_occurrences_scheduled_id_scheduled_transactions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_scheduled_occurrences_transaction_id_transactions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("scheduled_id", "due_on", name=op.f("pk_scheduled_occurrences")),
    )
    with op.batch_alter_table("scheduled_occurrences", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduled_occurrences_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_scheduled_occurrences_transaction_id"), ["transaction_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("scheduled_occurrences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduled_occurrences_transaction_id"))
        batch_op.drop_index(batch_op.f("ix_scheduled_occurrences_household_id"))

    op.drop_table("scheduled_occurrences")
    with op.batch_alter_table("scheduled_transactions", schema=None) as batch_op:
        batch_op.drop_index("ix_scheduled_transactions_household")
        batch_op.drop_index(batch_op.f("ix_scheduled_transactions_category_id"))
        batch_op.drop_index(batch_op.f("ix_scheduled_transactions_account_id"))

    op.drop_table("scheduled_transactions")
    with op.batch_alter_table("budget_alert_settings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_alert_settings_household_id"))

    op.drop_table("budget_alert_settings")
    op.drop_table("bill_calendar_feeds")
