"""envelope budgeting

Issue 12: accounts are on-budget or tracking (`accounts.on_budget`, loans and investments
tracking); a category's positive available always carries over, and `rollover` becomes
`carry_overspending` (whether overspending carries in the category instead of coming out of the
next month's money to assign); categories get an optional target. No transaction changes.

Revision ID: 5d0c3b7e9a41
Revises: c41f6b2d9e85
Create Date: 2026-12-02 07:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d0c3b7e9a41"
down_revision: str | None = "c41f6b2d9e85"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Only plain ADD/DROP COLUMN here, never a batch "move and copy" of the table: on SQLite that
# drops and recreates accounts and categories, and with foreign keys on, dropping them deletes
# every transaction, assignment and total that cascades from them.


def _drop_column(table: str, column: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")  # SQLite 3.35+
    else:
        op.drop_column(table, column)


def upgrade() -> None:
    op.add_column(
        "accounts", sa.Column("on_budget", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    op.execute("UPDATE accounts SET on_budget = false WHERE kind IN ('loan', 'investment')")
    op.add_column(
        "categories",
        sa.Column("carry_overspending", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("categories", sa.Column("target_kind", sa.String(length=16), nullable=True))
    op.add_column("categories", sa.Column("target_amount_minor", sa.BigInteger(), nullable=True))
    op.add_column("categories", sa.Column("target_month", sa.Date(), nullable=True))
    # A rollover category carried its overspending too; keep its numbers.
    op.execute("UPDATE categories SET carry_overspending = rollover")
    _drop_column("categories", "rollover")
    # Tracking accounts' money leaves the activity, and transfers between on-budget and tracking
    # accounts enter it: recompute the monthly totals.
    _refresh_activity_totals()


def _refresh_activity_totals(*, envelope: bool = True) -> None:
    """Recompute the monthly totals from the raw rows under the new rule (the rule itself is
    family_budget.budgets.activity.activity_arms; written out here so that this revision keeps
    meaning what it meant when the models change): only on-budget accounts' money counts, and a
    transfer leg counts when its account is on-budget and the other leg's account is not.
    Without `envelope` (downgrading), the rule before: every account, no transfer leg."""
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        month = "CAST(date_trunc('month', {}) AS DATE)"
    else:
        month = "date({}, 'start of month')"
    if envelope:
        on_budget = "a.on_budget"
        crossing = (
            "EXISTS (SELECT 1 FROM transactions o JOIN accounts oa ON oa.id = o.account_id"
            " WHERE o.transfer_id = t.transfer_id AND o.id <> t.id AND NOT oa.on_budget)"
        )
    else:
        on_budget, crossing = "true", "false"
    op.execute("DELETE FROM activity_totals")
    # The only text put into the statement is the constant SQL chosen above.
    op.execute(
        f"""
        INSERT INTO activity_totals (household_id, account_id, category_id, month, amount_minor)
        SELECT household_id, account_id, category_id, month, SUM(amount_minor)
        FROM (
            SELECT t.household_id, t.account_id, t.category_id,
                   {month.format("t.posted_on")} AS month, t.amount_minor
            FROM transactions t JOIN accounts a ON a.id = t.account_id
            WHERE {on_budget} AND t.is_split = false
              AND (t.transfer_id IS NULL OR {crossing})
            UNION ALL
            SELECT t.household_id, t.account_id, s.category_id,
                   {month.format("s.posted_on")} AS month, s.amount_minor
            FROM transaction_splits s
            JOIN transactions t ON t.id = s.transaction_id
            JOIN accounts a ON a.id = t.account_id
            WHERE {on_budget}
        ) AS activity
        GROUP BY household_id, account_id, category_id, month
        """  # noqa: S608
    )


def downgrade() -> None:
    op.add_column(
        "categories",
        sa.Column("rollover", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute("UPDATE categories SET rollover = carry_overspending")
    for column in ("target_month", "target_amount_minor", "target_kind", "carry_overspending"):
        _drop_column("categories", column)
    _drop_column("accounts", "on_budget")
    _refresh_activity_totals(envelope=False)
