from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from family_budget.models.base import Base, IdMixin, Money, TimestampMixin


class BudgetAssignment(IdMixin, TimestampMixin, Base):
    """The amount assigned to one category for one month (`month` is the month's first day)."""

    __tablename__ = "budget_assignments"
    __table_args__ = (
        UniqueConstraint("household_id", "category_id", "month"),
        Index("ix_budget_assignments_household_month", "household_id", "month"),
    )

    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    category_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    month: Mapped[date]
    assigned_minor: Mapped[int] = mapped_column(Money, default=0)
