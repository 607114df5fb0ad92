from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import JSON, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from family_budget.models.base import Base, IdMixin, Money, TimestampMixin


class PayeeMatch(StrEnum):
    CONTAINS = "contains"
    EQUALS = "equals"


class Rule(IdMixin, TimestampMixin, Base):
    """A household's categorizing rule: conditions on a transaction's facts, and actions.

    Every condition that is set must hold (a null condition holds for every row); how ordered
    rules combine is family_budget.rules.engine's rule. A rule has at least one condition and
    one action (the service checks both)."""

    __tablename__ = "rules"
    __table_args__ = (Index("ix_rules_household_position", "household_id", "position"),)

    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    # Order of the household's rules, 0 first; ties (never written by the service) by id.
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(default=True)

    # Conditions. Text is compared on its matching key (imports.payees.normalize_payee for the
    # payee, a case-folded form for the memo), never as a regular expression.
    payee_match: Mapped[PayeeMatch | None] = mapped_column(
        Enum(PayeeMatch, name="rule_payee_match", values_callable=lambda e: [m.value for m in e])
    )
    payee_value: Mapped[str | None] = mapped_column(String(200))
    memo_contains: Mapped[str | None] = mapped_column(String(200))
    # Signed like amount_minor (negative: money out); both ends included.
    min_amount_minor: Mapped[int | None] = mapped_column(Money)
    max_amount_minor: Mapped[int | None] = mapped_column(Money)
    # A rule for one account goes with the account.
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )

    # Actions. Merging a category re-points its rules (categories.service.merge_categories).
    set_category_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL"), index=True
    )
    set_payee: Mapped[str | None] = mapped_column(String(200))
    add_tags: Mapped[list[str]] = mapped_column(JSON, default=list)
