"""Which money counts as budget activity, in one place for budgets and reports.

Activity is every transaction amount on an account in the household's currency that is not half
of a transfer, with a split transaction counted through its lines (each line carries its own
category and a copy of the parent's household and date, so lines aggregate without a join).
Pending transactions count: the money is committed. Amounts of accounts in other currencies cannot
be added to the household's numbers and are left out.

Transfers are excluded by `transfer_id` on whole transactions. Split lines are not checked for it:
the transactions service never splits (or categorizes) a transfer, and checking would cost a join
from every line to its parent. The currency rule is applied as "not on one of the household's
foreign-currency accounts", looked up first: usually there are none and the rule costs nothing.

The same definition, summed per account, category and month, is stored in the monthly totals
(family_budget.models.activity_total); budgets and reports read whole months from there and use
these raw rows only for the partial months at the edges of a date range. A change to the
definition here must change the totals' recomputation (and need a backfill) too.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date, timedelta

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    SQLColumnExpression,
    Subquery,
    cast,
    func,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.models import Account, Household, Transaction, TransactionSplit


async def foreign_account_ids(session: AsyncSession, household: Household) -> list[uuid.UUID]:
    """The household's accounts whose currency is not the household's (their money is left out)."""
    return list(
        (
            await session.scalars(
                select(Account.id).where(
                    Account.household_id == household.id, Account.currency != household.currency
                )
            )
        ).all()
    )


def activity_lines(
    household_id: uuid.UUID,
    *,
    foreign_accounts: Collection[uuid.UUID],
    end: date,
    start: date | None = None,
    category_ids: Collection[uuid.UUID] | None = None,
    before_start_for: Collection[uuid.UUID] = (),
) -> Subquery:
    """Rows (category_id, posted_on, amount_minor) of activity posted from `start` (or the
    beginning) through `end`, optionally only for `category_ids`, leaving out the accounts
    `foreign_accounts` (see foreign_account_ids). For the categories `before_start_for`, the rows
    before `start` come too, so that a month and a running total are one scan.

    Every arm of the union is one range of one index: (household_id, posted_on) for a window of
    all categories, (household_id, category_id, posted_on) for chosen categories.
    """
    arms = _arms(household_id, foreign_accounts, start, end, category_ids)
    if start is not None and before_start_for:
        before = start - timedelta(days=1)
        arms += _arms(household_id, foreign_accounts, None, before, list(before_start_for))
    return union_all(*arms).subquery("activity")


def _arms(
    household_id: uuid.UUID,
    foreign_accounts: Collection[uuid.UUID],
    first: date | None,
    last: date,
    category_ids: Collection[uuid.UUID] | None,
) -> list[Select[uuid.UUID | None, date, int]]:
    """Whole transactions and split lines posted between `first` (or the beginning) and `last`."""

    def window(posted_on: SQLColumnExpression[date]) -> list[ColumnElement[bool]]:
        return [posted_on <= last] + ([posted_on >= first] if first is not None else [])

    whole = select(
        Transaction.category_id.label("category_id"),
        Transaction.posted_on.label("posted_on"),
        Transaction.amount_minor.label("amount_minor"),
    ).where(
        Transaction.household_id == household_id,
        *window(Transaction.posted_on),
        Transaction.transfer_id.is_(None),
        Transaction.is_split.is_(False),
    )
    lines = select(
        TransactionSplit.category_id,
        TransactionSplit.posted_on,
        TransactionSplit.amount_minor,
    ).where(TransactionSplit.household_id == household_id, *window(TransactionSplit.posted_on))
    if category_ids is not None:
        whole = whole.where(Transaction.category_id.in_(list(category_ids)))
        lines = lines.where(TransactionSplit.category_id.in_(list(category_ids)))
    if foreign_accounts:
        foreign = list(foreign_accounts)
        whole = whole.where(Transaction.account_id.not_in(foreign))
        # Split parents on those accounts in the same window, found through (account_id, posted_on).
        foreign_parents = select(Transaction.id).where(
            Transaction.account_id.in_(foreign),
            Transaction.is_split.is_(True),
            *window(Transaction.posted_on),
        )
        lines = lines.where(TransactionSplit.transaction_id.not_in(foreign_parents))
    return [whole, lines]


def total(column: SQLColumnExpression[int]) -> ColumnElement[int]:
    """SUM as a BIGINT on every backend (PostgreSQL's SUM of BIGINT is NUMERIC), 0 when empty."""
    return cast(func.coalesce(func.sum(column), 0), BigInteger)
