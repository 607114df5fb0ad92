from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from family_budget.models.base import Base, IdMixin, Money, TimestampMixin


class CategoryGroup(IdMixin, TimestampMixin, Base):
    __tablename__ = "category_groups"

    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(default=0)
    hidden: Mapped[bool] = mapped_column(default=False)


class TargetKind(StrEnum):
    MONTHLY = "monthly"  # assign target_amount_minor every month
    BY_DATE = "by_date"  # have target_amount_minor available by the end of target_month


class Category(IdMixin, TimestampMixin, Base):
    __tablename__ = "categories"
    __table_args__ = (
        # A target is all three columns (by_date) or kind and amount (monthly), or nothing.
        CheckConstraint(
            "(target_kind IS NULL AND target_amount_minor IS NULL AND target_month IS NULL)"
            " OR (target_kind = 'monthly' AND target_amount_minor > 0 AND target_month IS NULL)"
            " OR (target_kind = 'by_date' AND target_amount_minor > 0"
            " AND target_month IS NOT NULL)",
            name="target_shape",
        ),
    )

    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("category_groups.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    is_income: Mapped[bool] = mapped_column(default=False)
    hidden: Mapped[bool] = mapped_column(default=False)
    # What is left at a month end always carries into the next month; overspending is taken
    # from the next month's money to assign unless this is on, when it carries in the category
    # (family_budget.budgets.carryover).
    carry_overspending: Mapped[bool] = mapped_column(default=False)
    target_kind: Mapped[str | None] = mapped_column(String(16))
    target_amount_minor: Mapped[int | None] = mapped_column(Money)
    target_month: Mapped[date | None]
    sort_order: Mapped[int] = mapped_column(default=0)
