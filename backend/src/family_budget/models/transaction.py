from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from sqlalchemy import BigInteger, Enum, FetchedValue, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from family_budget.models.base import Base, IdMixin, Money, TimestampMixin


class TransactionStatus(StrEnum):
    PENDING = "pending"
    POSTED = "posted"


class ClearedState(StrEnum):
    """How far the family has checked a transaction against the bank: `cleared` once it shows on
    the bank's side, `reconciled` once a statement balance confirmed it (only reconciling sets
    that)."""

    UNCLEARED = "uncleared"
    CLEARED = "cleared"
    RECONCILED = "reconciled"


class Transaction(IdMixin, TimestampMixin, Base):
    """One movement of money on one account. Negative amounts are outflows.

    A split transaction has no category of its own: its lines carry categories and sum to the
    amount.
    A transfer is two transactions (one per account) sharing `transfer_id`, with opposite amounts;
    transfers never count as spending or income.
    """

    __tablename__ = "transactions"
    __table_args__ = (
        # The lists' order and keyset (transactions.queries.ledger_order).
        Index("ix_transactions_household_posted", "household_id", "posted_on", "entry_seq"),
        Index("ix_transactions_account_posted", "account_id", "posted_on", "entry_seq"),
        Index("uq_transactions_entry_seq", "entry_seq", unique=True),
        Index(
            "ix_transactions_household_category_posted", "household_id", "category_id", "posted_on"
        ),
        # Covering indexes for the budget and report aggregates: only categorizable money
        # (no transfer legs, no split parents), with the summed columns included so that
        # PostgreSQL answers from the index alone.
        Index(
            "ix_transactions_activity_by_date",
            "household_id",
            "posted_on",
            postgresql_include=["category_id", "amount_minor", "account_id"],
            postgresql_where=text("transfer_id IS NULL AND is_split IS FALSE"),
        ),
        # A bank's own id for the transaction (an OFX FITID, a Plaid transaction_id) names at most
        # one transaction of an account: importing or syncing the same one twice cannot add it
        # twice, even from two requests at once.
        Index(
            "uq_transactions_account_external_id",
            "account_id",
            "external_id",
            unique=True,
            postgresql_where=text("external_id IS NOT NULL"),
            sqlite_where=text("external_id IS NOT NULL"),
        ),
        Index(
            "ix_transactions_activity_by_category",
            "household_id",
            "category_id",
            "posted_on",
            postgresql_include=["amount_minor", "account_id"],
            postgresql_where=text("transfer_id IS NULL AND is_split IS FALSE"),
        ),
    )

    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    posted_on: Mapped[date]
    amount_minor: Mapped[int] = mapped_column(Money)
    payee: Mapped[str] = mapped_column(String(200), default="")
    # What the bank called it, before payee cleanup ("POS 4312 AMAZON MKTP US*2K4"); empty for
    # transactions typed in by hand.
    payee_original: Mapped[str] = mapped_column(Text, default="", server_default="")
    memo: Mapped[str] = mapped_column(Text, default="")
    # The bank's id of the transaction (see the unique index above); None when typed in by hand.
    external_id: Mapped[str | None] = mapped_column(String(255))
    category_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    status: Mapped[TransactionStatus] = mapped_column(
        Enum(
            TransactionStatus,
            name="transaction_status",
            values_callable=lambda e: [m.value for m in e],
        ),
        default=TransactionStatus.POSTED,
    )
    cleared: Mapped[ClearedState] = mapped_column(
        Enum(
            ClearedState,
            name="transaction_cleared",
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ClearedState.UNCLEARED,
        server_default=ClearedState.UNCLEARED.value,
    )
    is_split: Mapped[bool] = mapped_column(default=False)
    transfer_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # The import that added it (undo deletes what it added). Imports insert version 1, so a
    # version above 1 says the transaction was edited since, and undo keeps it.
    import_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("imports.id", ondelete="SET NULL"), index=True
    )
    # Optimistic concurrency: every update bumps it; clients send it back as If-Match.
    version: Mapped[int] = mapped_column(default=1)
    # The order transactions were entered in, unique across the table: same-day transactions sort
    # by it. The database numbers every inserted row itself (a PostgreSQL identity, a SQLite
    # trigger; see migration 5e7a1c9d3b20), so no insert path sets it. It is not fetched back
    # after an INSERT (SQLite's RETURNING would report the value before its trigger ran): read it
    # with a query, never from a just-inserted object.
    entry_seq: Mapped[int] = mapped_column(BigInteger, server_default=FetchedValue())

    __mapper_args__ = {"version_id_col": version, "eager_defaults": False}


class TransactionSplit(IdMixin, Base):
    """One line of a split transaction. `household_id` and `posted_on` are copied from the parent
    so that budget and report queries aggregate lines without a join."""

    __tablename__ = "transaction_splits"
    __table_args__ = (
        # Covering indexes for the budget and report aggregates over split lines.
        Index(
            "ix_transaction_splits_activity_by_category",
            "household_id",
            "category_id",
            "posted_on",
            postgresql_include=["amount_minor", "transaction_id"],
        ),
        Index(
            "ix_transaction_splits_activity_by_date",
            "household_id",
            "posted_on",
            postgresql_include=["category_id", "amount_minor", "transaction_id"],
        ),
    )

    transaction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("transactions.id", ondelete="CASCADE"), index=True
    )
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    category_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    posted_on: Mapped[date]
    amount_minor: Mapped[int] = mapped_column(Money)
    memo: Mapped[str] = mapped_column(Text, default="")


class TransactionTag(Base):
    __tablename__ = "transaction_tags"
    __table_args__ = (Index("ix_transaction_tags_household_tag", "household_id", "tag"),)

    transaction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("transactions.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(50), primary_key=True)
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
