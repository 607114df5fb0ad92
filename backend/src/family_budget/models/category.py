from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from sqlalchemy import ForeignKey, String, false
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
    carry_overspending: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A target: kind and amount (> 0), and for by_date the month (family_budget.budgets.targets);
    # the budgets service writes all three together.
    target_kind: Mapped[str | None] = mapped_column(String(16))
    target_amount_minor: Mapped[int | None] = mapped_column(Money)
    target_month: Mapped[date | None]
    sort_order: Mapped[int] = mapped_column(default=0)
