"""Monthly activity totals per (account, category, month), kept equal to the raw rows.

A row holds the sum of budget activity posted in one calendar month on one account in one
category (NULL: uncategorized). What counts as activity, and how these rows are kept right, is
family_budget.budgets.activity.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, text
from sqlalchemy.orm import Mapped, mapped_column

from family_budget.models.base import Base, Money


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
        # The writer: every money write replaces its (account, month) buckets, whatever their
        # category; the partial indexes above cannot serve a condition without category_id.
        Index("ix_activity_totals_account_id_month", "account_id", "month"),
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
