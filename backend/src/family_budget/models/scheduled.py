"""Scheduled transactions (recurring bills), the state of their occurrences, the private
calendar feeds of the bill calendar, and per-category budget alert thresholds."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from family_budget.models.base import Base, IdMixin, Money, TimestampMixin, utcnow


class ScheduledTransaction(IdMixin, TimestampMixin, Base):
    """A recurring bill or transaction: `rrule` (RFC 5545 RRULE, without DTSTART) expanded from
    `starts_on` to `ends_on`, on dates (never date-times, so daylight saving moves nothing)."""

    __tablename__ = "scheduled_transactions"
    __table_args__ = (Index("ix_scheduled_transactions_household", "household_id", "starts_on"),)

    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    payee: Mapped[str] = mapped_column(String(200))
    amount_minor: Mapped[int] = mapped_column(Money)
    category_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL"), index=True
    )
    rrule: Mapped[str] = mapped_column(String(500))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    # None: no reminder.
    remind_days_before: Mapped[int | None]
    auto_post: Mapped[bool] = mapped_column(default=False)
    assignee_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class ScheduledOccurrence(Base):
    """What happened to one occurrence: keyed by (schedule, due date), so a job that runs again
    finds the row and does nothing twice."""

    __tablename__ = "scheduled_occurrences"

    scheduled_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("scheduled_transactions.id", ondelete="CASCADE"), primary_key=True
    )
    due_on: Mapped[date] = mapped_column(primary_key=True)
    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    # The transaction auto_post created for it (None once that transaction is deleted).
    transaction_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("transactions.id", ondelete="SET NULL"), index=True
    )
    posted_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]


class BillCalendarFeed(Base):
    """A member's private iCal URL of the household's bill calendar; only the token's hash is
    kept. Deleting the row revokes the URL."""

    __tablename__ = "bill_calendar_feeds"

    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BudgetAlertSetting(Base):
    """A category's budget alert thresholds, in percent of the month's assigned amount; a
    category without a row uses the defaults (80 and 100), an empty list turns its alerts off."""

    __tablename__ = "budget_alert_settings"

    category_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True
    )
    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    thresholds: Mapped[list[Any]] = mapped_column(JSON)
