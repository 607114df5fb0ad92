from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from family_budget.models.base import Base, IdMixin, Money, utcnow


class BankPendingEdit(IdMixin, Base):
    """What the family had done to a bank transaction (category, payee, memo, tags, splits) that
    the bank withdrew, kept so that the edit is not lost when the same purchase posts later
    without naming the pending one (family_budget.bank_connections.sync describes the match)."""

    __tablename__ = "bank_pending_edits"
    __table_args__ = (UniqueConstraint("account_id", "external_id"),)

    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(255))
    payee_original: Mapped[str] = mapped_column(Text)
    posted_on: Mapped[date]
    amount_minor: Mapped[int] = mapped_column(Money)
    # The family's payee, when they had changed the bank's.
    payee: Mapped[str | None] = mapped_column(String(200))
    memo: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [{"category_id": str | None, "amount_minor": int, "memo": str}]
    splits: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    removed_at: Mapped[datetime] = mapped_column(default=utcnow)
