from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from family_budget.models.base import Base, IdMixin, Money, utcnow


class Reconciliation(IdMixin, Base):
    """An account checked against a bank statement: its cleared balance on `statement_on` matched
    `statement_balance_minor` (after `adjustment_minor`, booked as its own transaction), and every
    cleared transaction up to that day became reconciled."""

    __tablename__ = "reconciliations"
    __table_args__ = (
        Index("ix_reconciliations_account_reconciled", "account_id", "reconciled_at"),
    )

    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    statement_on: Mapped[date]
    statement_balance_minor: Mapped[int] = mapped_column(Money)
    adjustment_minor: Mapped[int] = mapped_column(Money, default=0)
    adjustment_transaction_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("transactions.id", ondelete="SET NULL")
    )
    reconciled_count: Mapped[int] = mapped_column(default=0)
    reconciled_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    reconciled_at: Mapped[datetime] = mapped_column(default=utcnow)
