"""Monthly activity totals per (account, category, month), kept equal to the raw rows.

A row holds the sum of budget activity (family_budget.budgets.activity: whole transactions that
are neither transfer legs nor split parents, plus split lines) posted in one calendar month on one
account in one category (NULL: uncategorized). Budgets and reports read these few hundred rows
instead of summing tens of thousands of transactions.

One mechanism keeps them right: after a write, every touched (account, month) bucket is
recomputed from the raw rows (DELETE, then INSERT ... SELECT ... GROUP BY). Recomputing is
idempotent, so recording a bucket too many is harmless and only a missed bucket is a bug.
- ORM writes are seen by a session hook: before a flush it records the buckets of every new,
  changed or deleted Transaction and TransactionSplit (old and new account and month) and of every
  deleted Category (whose totals rows the database deletes with it); after the flush it
  recomputes them.
- Bulk statements that bypass the ORM call `refresh_buckets` (or `rebuild_household`) themselves.
- Rows go away with their account and household (ON DELETE CASCADE).

On PostgreSQL the accounts of the buckets are locked (FOR NO KEY UPDATE, in id order) before the
recomputation, so two concurrent writers on one account recompute one after the other and the
second sees the first's committed rows; SQLite has a single writer anyway.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    ForeignKey,
    Index,
    Integer,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column

from family_budget.models.account import Account
from family_budget.models.base import Base, Money
from family_budget.models.category import Category
from family_budget.models.transaction import Transaction, TransactionSplit

Bucket = tuple[uuid.UUID, date]  # (account_id, first day of the month)


class ActivityTotal(Base):
    """Sum of one month's activity of one account in one category (NULL: uncategorized)."""

    __tablename__ = "activity_totals"
    __table_args__ = (
        # One row per bucket and category. NULLs are distinct in a unique index on both backends,
        # so the uncategorized row has its own partial unique index.
        Index(
            "uq_activity_totals_account_month_category",
            "account_id",
            "month",
            "category_id",
            unique=True,
            postgresql_where=text("category_id IS NOT NULL"),
            sqlite_where=text("category_id IS NOT NULL"),
        ),
        Index(
            "uq_activity_totals_account_month_uncategorized",
            "account_id",
            "month",
            unique=True,
            postgresql_where=text("category_id IS NULL"),
            sqlite_where=text("category_id IS NULL"),
        ),
        # The readers: a household's months, everything else read from the index on PostgreSQL.
        Index(
            "ix_activity_totals_household_month",
            "household_id",
            "month",
            postgresql_include=["category_id", "account_id", "amount_minor"],
        ),
        Index("ix_activity_totals_category_id", "category_id"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    # Deleting a category deletes its rows; the session hook recomputes their buckets, which
    # puts that money back as uncategorized (the database sets the transactions' category NULL).
    category_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE")
    )
    month: Mapped[date]
    amount_minor: Mapped[int] = mapped_column(Money)


def month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _bucket_statements(month: date, account_ids: list[uuid.UUID]) -> tuple[Any, Any]:
    """DELETE and INSERT ... SELECT recomputing `month` of the accounts from the raw rows."""
    first, last = month, _next_month(month) - timedelta(days=1)
    remove = delete(ActivityTotal).where(
        ActivityTotal.account_id.in_(account_ids), ActivityTotal.month == month
    )
    whole = select(
        Transaction.household_id.label("household_id"),
        Transaction.account_id.label("account_id"),
        Transaction.category_id.label("category_id"),
        Transaction.amount_minor.label("amount_minor"),
    ).where(
        Transaction.account_id.in_(account_ids),
        Transaction.posted_on >= first,
        Transaction.posted_on <= last,
        Transaction.transfer_id.is_(None),
        Transaction.is_split.is_(False),
    )
    lines = (
        select(
            Transaction.household_id,
            Transaction.account_id,
            TransactionSplit.category_id,
            TransactionSplit.amount_minor,
        )
        .join(Transaction, Transaction.id == TransactionSplit.transaction_id)
        .where(
            Transaction.account_id.in_(account_ids),
            TransactionSplit.posted_on >= first,
            TransactionSplit.posted_on <= last,
        )
    )
    activity = union_all(whole, lines).subquery("activity")
    grouped = select(
        activity.c.household_id,
        activity.c.account_id,
        activity.c.category_id,
        literal(month, ActivityTotal.month.type),
        func.sum(activity.c.amount_minor),
    ).group_by(activity.c.household_id, activity.c.account_id, activity.c.category_id)
    add = insert(ActivityTotal).from_select(
        ["household_id", "account_id", "category_id", "month", "amount_minor"], grouped
    )
    return remove, add


def refresh_buckets(connection: Connection, buckets: Iterable[Bucket]) -> None:
    """Recompute the (account_id, month) buckets from the raw rows (sync; see the module doc)."""
    by_month: dict[date, set[uuid.UUID]] = defaultdict(set)
    for account_id, month in buckets:
        by_month[month_start(month)].add(account_id)
    if not by_month:
        return
    accounts = sorted({a for ids in by_month.values() for a in ids})
    if connection.dialect.name == "postgresql":
        connection.execute(
            select(Account.id)
            .where(Account.id.in_(accounts))
            .order_by(Account.id)
            .with_for_update(key_share=True)
        )
    for month in sorted(by_month):
        remove, add = _bucket_statements(month, sorted(by_month[month]))
        connection.execute(remove)
        connection.execute(add)


def rebuild_household(connection: Connection, household_id: uuid.UUID) -> None:
    """Recompute every total of a household (after a bulk load, or to repair)."""
    connection.execute(delete(ActivityTotal).where(ActivityTotal.household_id == household_id))
    accounts = list(
        connection.execute(select(Account.id).where(Account.household_id == household_id))
        .scalars()
        .all()
    )
    first, last = connection.execute(
        select(func.min(Transaction.posted_on), func.max(Transaction.posted_on)).where(
            Transaction.household_id == household_id
        )
    ).one()
    if not accounts or first is None:
        return
    buckets: list[Bucket] = []
    month = month_start(first)
    while month <= last:
        buckets.extend((account_id, month) for account_id in accounts)
        month = _next_month(month)
    refresh_buckets(connection, buckets)


def buckets_of_transactions(
    connection: Connection, transaction_ids: Iterable[uuid.UUID]
) -> set[Bucket]:
    """The current buckets of transactions, read from the database."""
    ids = list(set(transaction_ids))
    if not ids:
        return set()
    rows = connection.execute(
        select(Transaction.account_id, Transaction.posted_on).where(Transaction.id.in_(ids))
    )
    return {(account_id, month_start(posted_on)) for account_id, posted_on in rows}


def buckets_of_category(connection: Connection, category_ids: Iterable[uuid.UUID]) -> set[Bucket]:
    """The buckets whose raw rows name the categories (whole transactions and split lines)."""
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
        found |= {(a, month_start(d)) for a, d in connection.execute(statement)}
    return found


# --- The session hook --------------------------------------------------------------------------

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


@event.listens_for(Session, "before_flush")
def _record_buckets(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    buckets: set[Bucket] = session.info.setdefault(_PENDING_KEY, set())
    parents: set[tuple[uuid.UUID, date]] = session.info.setdefault(_PARENTS_KEY, set())
    deleted_categories: list[uuid.UUID] = []
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
                    buckets.add((account_id, month_start(posted_on)))
        elif isinstance(obj, TransactionSplit):
            if is_dirty and not _changed(obj, _SPLIT_FIELDS):
                continue
            for transaction_id in _values(obj, "transaction_id"):
                for posted_on in _values(obj, "posted_on"):
                    parents.add((transaction_id, month_start(posted_on)))
        elif isinstance(obj, Category) and obj in session.deleted:
            deleted_categories.append(obj.id)
    if deleted_categories:
        # Read before the flush: the database deletes these totals rows with the category.
        buckets |= buckets_of_category(session.connection(), deleted_categories)


@event.listens_for(Session, "after_flush_postexec")
def _refresh_recorded(session: Session, _flush: UOWTransaction) -> None:
    buckets: set[Bucket] = session.info.pop(_PENDING_KEY, set())
    parents: set[tuple[uuid.UUID, date]] = session.info.pop(_PARENTS_KEY, set())
    if not buckets and not parents:
        return
    connection = session.connection()
    if parents:
        months_by_parent: dict[uuid.UUID, set[date]] = defaultdict(set)
        for transaction_id, month in parents:
            months_by_parent[transaction_id].add(month)
        rows = connection.execute(
            select(Transaction.id, Transaction.account_id).where(
                Transaction.id.in_(list(months_by_parent))
            )
        )
        # A parent gone in this flush was recorded with its own buckets when it was deleted.
        for transaction_id, account_id in rows:
            buckets |= {(account_id, m) for m in months_by_parent[transaction_id]}
    refresh_buckets(connection, buckets)


__all__ = [
    "ActivityTotal",
    "Bucket",
    "buckets_of_category",
    "buckets_of_transactions",
    "rebuild_household",
    "refresh_buckets",
]
