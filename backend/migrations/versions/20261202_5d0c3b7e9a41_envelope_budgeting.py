"""envelope budgeting

Issue 12: accounts are on-budget or tracking (`accounts.on_budget`, loans and investments
tracking); a category's positive available always carries over, and `rollover` becomes
`carry_overspending` (whether overspending carries in the category instead of coming out of the
next month's money to assign); categories get an optional target. No transaction changes.

Revision ID: 5d0c3b7e9a41
Revises: a62df1c35a3d
Create Date: 2026-12-02 07:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d0c3b7e9a41"
down_revision: str | None = "a62df1c35a3d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TARGET_SHAPE = (
    "(target_kind IS NULL AND target_amount_minor IS NULL AND target_month IS NULL)"
    " OR (target_kind = 'monthly' AND target_amount_minor > 0 AND target_month IS NULL)"
    " OR (target_kind = 'by_date' AND target_amount_minor > 0"
    " AND target_month IS NOT NULL)"
)


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("on_budget", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.execute("UPDATE accounts SET on_budget = false WHERE kind IN ('loan', 'investment')")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.alter_column("on_budget", server_default=None)

    with op.batch_alter_table("categories", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("carry_overspending", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("target_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("target_amount_minor", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("target_month", sa.Date(), nullable=True))
    # A rollover category carried its overspending too; keep its numbers.
    op.execute("UPDATE categories SET carry_overspending = rollover")
    with op.batch_alter_table("categories", schema=None) as batch_op:
        batch_op.alter_column("carry_overspending", server_default=None)
        batch_op.drop_column("rollover")
        batch_op.create_check_constraint("target_shape", TARGET_SHAPE)
    # Transfers between on-budget and tracking accounts now count as activity: recompute
    # the monthly totals of the accounts on either side of such transfers.
    _refresh_activity_totals()


def _refresh_activity_totals() -> None:
    """Recompute the monthly totals from the raw rows under the new rule (the rule itself is
    family_budget.budgets.activity.activity_arms; written out here so that this revision keeps
    meaning what it meant when the models change): only on-budget accounts' money counts, and a
    transfer leg counts when its account is on-budget and the other leg's account is not."""
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        month = "CAST(date_trunc('month', {}) AS DATE)"
    else:
        month = "date({}, 'start of month')"
    op.execute("DELETE FROM activity_totals")
    # The only text put into the statement is the dialect's month expression above.
    op.execute(
        f"""
        INSERT INTO activity_totals (household_id, account_id, category_id, month, amount_minor)
        SELECT household_id, account_id, category_id, month, SUM(amount_minor)
        FROM (
            SELECT t.household_id, t.account_id, t.category_id,
                   {month.format("t.posted_on")} AS month, t.amount_minor
            FROM transactions t JOIN accounts a ON a.id = t.account_id
            WHERE a.on_budget AND t.is_split = false AND (
                t.transfer_id IS NULL OR EXISTS (
                    SELECT 1 FROM transactions o JOIN accounts oa ON oa.id = o.account_id
                    WHERE o.transfer_id = t.transfer_id AND o.id <> t.id AND NOT oa.on_budget
                )
            )
            UNION ALL
            SELECT t.household_id, t.account_id, s.category_id,
                   {month.format("s.posted_on")} AS month, s.amount_minor
            FROM transaction_splits s
            JOIN transactions t ON t.id = s.transaction_id
            JOIN accounts a ON a.id = t.account_id
            WHERE a.on_budget
        ) AS activity
        GROUP BY household_id, account_id, category_id, month
        """  # noqa: S608
    )


def downgrade() -> None:
    with op.batch_alter_table("categories", schema=None) as batch_op:
        batch_op.drop_constraint("ck_categories_target_shape", type_="check")
        batch_op.add_column(
            sa.Column("rollover", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute("UPDATE categories SET rollover = carry_overspending")
    with op.batch_alter_table("categories", schema=None) as batch_op:
        batch_op.alter_column("rollover", server_default=None)
        batch_op.drop_column("target_month")
        batch_op.drop_column("target_amount_minor")
        batch_op.drop_column("target_kind")
        batch_op.drop_column("carry_overspending")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("on_budget")
