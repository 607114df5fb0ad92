"""Budget activity: which money counts, and the monthly totals that keep it summed.

**What counts.** Activity is the money of on-budget accounts (tracking accounts never count):
every transaction amount that is not half of a transfer between two on-budget accounts, with a split
transaction counted through its lines (each line carries its own category and a copy of the
parent's household and date). Pending transactions count: the money is committed. Budgets and
reports leave out the accounts whose currency is not the household's (their amounts cannot be
added to the household's numbers). `activity_arms` is that rule, written once; the monthly totals
and the reports' partial months both select from it.

**The monthly totals** (`ActivityTotal`) hold that activity summed per account, category
(NULL: uncategorized) and calendar month, so that the budget view and the reports read a few
hundred rows instead of tens of thousands of transactions. One mechanism keeps them right: after
a write, every touched (account, month) bucket is recomputed from the raw rows, in one DELETE and
one INSERT ... SELECT for the whole batch (`refresh_buckets`). Recomputing is idempotent, so a
bucket recorded once too often is harmless and only a missed bucket is a bug.
- ORM writes are seen by the session hooks `keep_activity_totals` installs on the app's session
  class (family_budget.db): before a flush they record the buckets of every new, changed or
  deleted Transaction and TransactionSplit (old and new account and month) and of every deleted
  Category (whose totals rows the database deletes with it); after the flush they recompute them.
- Bulk statements that bypass the ORM (imports, bank sync, the demo, bulk re-categorizing) call
  `refresh_buckets` (or `rebuild_household`) once for their whole batch.
- Rows go away with their account and household (ON DELETE CASCADE).

On PostgreSQL the buckets' accounts are locked (FOR NO KEY UPDATE, in id order) before the
recomputation, so two concurrent writers on one account recompute one after the other and the
second sees the first's committed rows; SQLite has a single writer anyway.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Connection,
    Date,
    Select,
    SQLColumnExpression,
    case,
    cast,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, UOWTransaction, aliased

from family_budget.households.context import HouseholdContext
from family_budget.models import (
    Account,
    ActivityTotal,
    Category,
    Transaction,
    TransactionSplit,
)
from family_budget.months import add_months, iter_months, month_of

Bucket = tuple[uuid.UUID, date]  # (account_id, first day of the month)
ActivityRow = Select[uuid.UUID, uuid.UUID, uuid.UUID | None, date, int]


# --- What counts as activity -------------------------------------------------------------------


async def foreign_account_ids(
    session: AsyncSession, household: HouseholdContext
) -> list[uuid.UUID]:
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


_counterpart = aliased(Transaction, name="counterpart")
_counterpart_account = aliased(Account, name="counterpart_account")
_leg_account = aliased(Account, name="leg_account")
_line_account = aliased(Account, name="line_account")
# A transfer leg whose other leg is on a tracking account: money entering or leaving the budget.
_leaves_or_enters_budget = (
    select(_counterpart.id)
    .join(_counterpart_account, _counterpart_account.id == _counterpart.account_id)
    .where(
        _counterpart.transfer_id == Transaction.transfer_id,
        _counterpart.id != Transaction.id,
        _counterpart_account.on_budget.is_(False),
    )
    .exists()
)


def activity_arms(
    *,
    ranges: Sequence[tuple[date | BindParameter[date], date | BindParameter[date]]],
    household_id: uuid.UUID | BindParameter[uuid.UUID] | None = None,
    account_ids: Collection[uuid.UUID] | None = None,
    exclude_account_ids: Collection[uuid.UUID] | BindParameter[uuid.UUID] = (),
) -> list[ActivityRow]:
    """The rule, once: rows (household_id, account_id, category_id, posted_on, amount_minor) of
    the money of on-budget accounts (tracking accounts' money never counts) posted within one
    of `ranges` (first and last day, both included), of one household or of some accounts,
    leaving out `exclude_account_ids`:
    - whole transactions that are not split parents and not transfer legs, and
    - split lines (with their parent's household and account), and
    - transfer legs whose other leg is on a tracking account: that money enters or leaves the
      budget (a mortgage payment from checking to the loan is spending in its category).
    A transfer between two on-budget accounts only moves money inside the budget and never
    counts.

    Split lines are not checked for being transfers: the transactions service never splits a
    transfer. Each line's date repeats its parent's, so the date condition is put on both,
    letting the planner start from either side's index.
    """
    whole = (
        select(
            Transaction.household_id.label("household_id"),
            Transaction.account_id.label("account_id"),
            Transaction.category_id.label("category_id"),
            Transaction.posted_on.label("posted_on"),
            Transaction.amount_minor.label("amount_minor"),
        )
        .join(_leg_account, _leg_account.id == Transaction.account_id)
        .where(
            _leg_account.on_budget.is_(True),
            or_(Transaction.transfer_id.is_(None), _leaves_or_enters_budget),
            Transaction.is_split.is_(False),
            _within(Transaction.posted_on, ranges),
        )
    )
    lines = (
        select(
            Transaction.household_id,
            Transaction.account_id,
            TransactionSplit.category_id,
            TransactionSplit.posted_on,
            TransactionSplit.amount_minor,
        )
        .join(Transaction, Transaction.id == TransactionSplit.transaction_id)
        .join(_line_account, _line_account.id == Transaction.account_id)
        .where(
            _line_account.on_budget.is_(True),
            _within(TransactionSplit.posted_on, ranges),
            _within(Transaction.posted_on, ranges),
        )
    )
    if household_id is not None:
        whole = whole.where(Transaction.household_id == household_id)
        lines = lines.where(TransactionSplit.household_id == household_id)
    if account_ids is not None:
        accounts = sorted(account_ids)
        whole = whole.where(Transaction.account_id.in_(accounts))
        lines = lines.where(Transaction.account_id.in_(accounts))
    if isinstance(exclude_account_ids, BindParameter) or exclude_account_ids:
        # A statement built once for many requests names the excluded accounts as an
        # expanding parameter; otherwise they are values.
        excluded = (
            exclude_account_ids
            if isinstance(exclude_account_ids, BindParameter)
            else sorted(exclude_account_ids)
        )
        whole = whole.where(Transaction.account_id.not_in(excluded))
        lines = lines.where(Transaction.account_id.not_in(excluded))
    return [whole, lines]


def _within(
    posted_on: SQLColumnExpression[date],
    ranges: Sequence[tuple[date | BindParameter[date], date | BindParameter[date]]],
) -> ColumnElement[bool]:
    return or_(*(posted_on.between(first, last) for first, last in ranges))


def total(column: SQLColumnExpression[int]) -> ColumnElement[int]:
    """SUM as a BIGINT on every backend (PostgreSQL's SUM of BIGINT is NUMERIC), 0 when empty."""
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


# --- The monthly totals ------------------------------------------------------------------------


def _month_ranges(months: Sequence[date]) -> list[tuple[date, date]]:
    """Sorted months merged into (first day, last day) runs of consecutive months."""
    runs: list[tuple[date, date]] = []
    for month in months:
        end = add_months(month, 1) - timedelta(days=1)
        if runs and runs[-1][1] + timedelta(days=1) == month:
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((month, end))
    return runs


def refresh_buckets(connection: Connection, buckets: Iterable[Bucket]) -> int:
    """Recompute the (account_id, month) buckets from the raw rows, in one DELETE and one
    INSERT ... SELECT: every month of the batch for every account of the batch (a superset of
    the buckets, which recomputing makes harmless). Returns how many budget alert jobs the new
    totals queued (family_budget.budgets.alerts)."""
    by_account: dict[uuid.UUID, set[date]] = defaultdict(set)
    for account_id, day in buckets:
        by_account[account_id].add(month_of(day))
    if not by_account:
        return 0
    accounts = sorted(by_account)
    months = sorted(set().union(*by_account.values()))
    if connection.dialect.name == "postgresql":
        connection.execute(
            select(Account.id)
            .where(Account.id.in_(accounts))
            .order_by(Account.id)
            .with_for_update(key_share=True)
        )
    connection.execute(
        delete(ActivityTotal).where(
            ActivityTotal.account_id.in_(accounts), ActivityTotal.month.in_(months)
        )
    )
    rows = union_all(*activity_arms(ranges=_month_ranges(months), account_ids=accounts)).subquery(
        "activity"
    )
    # The month of each row, as a date: the rows are within `months`, and months are sorted.
    month = case(
        *((rows.c.posted_on < add_months(m, 1), literal(m, Date)) for m in months),
    )
    dated = select(
        rows.c.household_id,
        rows.c.account_id,
        rows.c.category_id,
        month.label("month"),
        rows.c.amount_minor,
    ).subquery("dated")
    grouped = select(
        dated.c.household_id,
        dated.c.account_id,
        dated.c.category_id,
        dated.c.month,
        func.sum(dated.c.amount_minor),
    ).group_by(dated.c.household_id, dated.c.account_id, dated.c.category_id, dated.c.month)
    connection.execute(
        insert(ActivityTotal).from_select(
            ["household_id", "account_id", "category_id", "month", "amount_minor"], grouped
        )
    )
    # The write that changed these totals is the one that may have crossed a budget alert's
    # threshold (imported here: the alerts module needs the worker's, which needs this one).
    from family_budget.budgets.alerts import queue_crossed_thresholds

    return queue_crossed_thresholds(connection, accounts, months)


def rebuild_household(connection: Connection, household_id: uuid.UUID) -> None:
    """Recompute every total of a household (after a bulk load, or to repair)."""
    connection.execute(delete(ActivityTotal).where(ActivityTotal.household_id == household_id))
    accounts = list(
        connection.execute(select(Account.id).where(Account.household_id == household_id)).scalars()
    )
    if not accounts:
        return
    # The months of the household's accounts' money (every transaction is on one of them).
    first, last = connection.execute(
        select(func.min(Transaction.posted_on), func.max(Transaction.posted_on)).where(
            Transaction.account_id.in_(accounts)
        )
    ).one()
    if first is None:
        return
    months = list(iter_months(first, last))
    refresh_buckets(connection, ((a, m) for a in accounts for m in months))


def buckets_of_rows(rows: Iterable[tuple[uuid.UUID, date]]) -> set[Bucket]:
    """The buckets of (account_id, posted_on) pairs, for bulk writers."""
    return {(account_id, month_of(posted_on)) for account_id, posted_on in rows}


def buckets_of_transactions(
    connection: Connection, transaction_ids: Iterable[uuid.UUID]
) -> set[Bucket]:
    """The current buckets of transactions, read from the database."""
    ids = list(set(transaction_ids))
    if not ids:
        return set()
    return buckets_of_rows(
        connection.execute(
            select(Transaction.account_id, Transaction.posted_on).where(Transaction.id.in_(ids))
        )
    )


def buckets_of_account_money(connection: Connection, account_id: uuid.UUID) -> set[Bucket]:
    """The buckets whose activity depends on whether the account is on-budget: its own, and
    those of the other legs of its transfers."""
    transfers = select(Transaction.transfer_id).where(
        Transaction.account_id == account_id, Transaction.transfer_id.is_not(None)
    )
    return buckets_of_rows(
        connection.execute(
            select(Transaction.account_id, Transaction.posted_on)
            .where(
                or_(Transaction.account_id == account_id, Transaction.transfer_id.in_(transfers))
            )
            .distinct()
        )
    )


def buckets_of_category(connection: Connection, category_ids: Iterable[uuid.UUID]) -> set[Bucket]:
    """The buckets whose raw rows or stored totals name the categories."""
    ids = list(set(category_ids))
    if not ids:
        return set()
    whole = select(Transaction.account_id, Transaction.posted_on).where(
        Transaction.category_id.in_(ids)
    )
    lines = (
        select(Transaction.account_id, TransactionSplit.posted_on)
        .join(Transaction, Transaction.id == TransactionSplit.transaction_id)
        .where(TransactionSplit.category_id.in_(ids))
    )
    stored = select(ActivityTotal.account_id, ActivityTotal.month).where(
        ActivityTotal.category_id.in_(ids)
    )
    found: set[Bucket] = set()
    for statement in (whole.distinct(), lines.distinct(), stored.distinct()):
        found |= buckets_of_rows(connection.execute(statement))
    return found


# --- The session hooks -------------------------------------------------------------------------

_PENDING_KEY = "activity_total_buckets"
_PARENTS_KEY = "activity_total_split_parents"
_TRANSACTION_FIELDS = (
    "account_id",
    "posted_on",
    "amount_minor",
    "category_id",
    "is_split",
    "transfer_id",
)
_SPLIT_FIELDS = ("transaction_id", "posted_on", "amount_minor", "category_id")


def _values(obj: Any, name: str) -> list[Any]:
    """Every value the attribute had in this flush: old, unchanged and new."""
    history = inspect(obj).attrs[name].history
    return [v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None]


def _changed(obj: Any, names: Iterable[str]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names)


def _record_buckets(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    buckets: set[Bucket] = session.info.setdefault(_PENDING_KEY, set())
    parents: set[tuple[uuid.UUID, date]] = session.info.setdefault(_PARENTS_KEY, set())
    deleted_categories: list[uuid.UUID] = []
    transfer_legs: list[uuid.UUID] = []
    for obj, is_dirty in [
        *((o, False) for o in session.new),
        *((o, True) for o in session.dirty),
        *((o, False) for o in session.deleted),
    ]:
        if isinstance(obj, Transaction):
            if is_dirty and not _changed(obj, _TRANSACTION_FIELDS):
                continue
            for account_id in _values(obj, "account_id"):
                for posted_on in _values(obj, "posted_on"):
                    buckets.add((account_id, month_of(posted_on)))
            if is_dirty and obj.transfer_id is not None and _changed(obj, ("account_id",)):
                # Whether the other leg counts depends on this leg's account (activity_arms).
                transfer_legs.append(obj.transfer_id)
        elif isinstance(obj, TransactionSplit):
            if is_dirty and not _changed(obj, _SPLIT_FIELDS):
                continue
            for transaction_id in _values(obj, "transaction_id"):
                for posted_on in _values(obj, "posted_on"):
                    parents.add((transaction_id, month_of(posted_on)))
        elif isinstance(obj, Category) and obj in session.deleted:
            deleted_categories.append(obj.id)
    if transfer_legs:
        buckets |= buckets_of_rows(
            session.connection().execute(
                select(Transaction.account_id, Transaction.posted_on).where(
                    Transaction.transfer_id.in_(transfer_legs)
                )
            )
        )
    if deleted_categories:
        # Read before the flush: the database deletes these totals rows with the category.
        buckets |= buckets_of_category(session.connection(), deleted_categories)


def _refresh_recorded(session: Session, _flush: UOWTransaction) -> None:
    buckets: set[Bucket] = session.info.pop(_PENDING_KEY, set())
    parents: set[tuple[uuid.UUID, date]] = session.info.pop(_PARENTS_KEY, set())
    if not buckets and not parents:
        return
    connection = session.connection()
    # A parent added in this flush is in the session; only lines of older parents need a read.
    months_by_parent: dict[uuid.UUID, set[date]] = defaultdict(set)
    for transaction_id, month in parents:
        months_by_parent[transaction_id].add(month)
    known = {
        obj.id: obj.account_id
        for obj in session.identity_map.values()
        if isinstance(obj, Transaction) and obj.id in months_by_parent
    }
    unknown = [i for i in months_by_parent if i not in known]
    if unknown:
        known.update(
            connection.execute(
                select(Transaction.id, Transaction.account_id).where(Transaction.id.in_(unknown))
            )
        )
    # A parent gone in this flush was recorded with its own buckets when it was deleted.
    for transaction_id, account_id in known.items():
        buckets |= {(account_id, m) for m in months_by_parent[transaction_id]}
    if refresh_buckets(connection, buckets):
        from family_budget.worker.jobs import nudge_worker_after_commit

        nudge_worker_after_commit(session)


def keep_activity_totals(session_class: type[Session]) -> None:
    """Install the hooks that keep the monthly totals equal to the raw rows on every flush of
    sessions of `session_class` (the app's own class, see family_budget.db)."""
    event.listen(session_class, "before_flush", _record_buckets)
    event.listen(session_class, "after_flush_postexec", _refresh_recorded)


__all__ = [
    "Bucket",
    "activity_arms",
    "buckets_of_account_money",
    "buckets_of_category",
    "buckets_of_rows",
    "buckets_of_transactions",
    "foreign_account_ids",
    "keep_activity_totals",
    "rebuild_household",
    "refresh_buckets",
    "total",
]
