from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, String, true
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column

from family_budget.models.base import Base, IdMixin, Money, TimestampMixin


class AccountKind(StrEnum):
    CHECKING = "checking"
    SAVINGS = "savings"
    CREDIT_CARD = "credit_card"
    CASH = "cash"
    LOAN = "loan"
    INVESTMENT = "investment"


TRACKING_KINDS = frozenset({AccountKind.LOAN, AccountKind.INVESTMENT})


def on_budget_by_default(kind: AccountKind) -> bool:
    return kind not in TRACKING_KINDS


def _on_budget_for_inserted_kind(context: DefaultExecutionContext) -> bool:
    parameters: dict[str, object] = context.get_current_parameters()  # type: ignore[no-untyped-call]
    return on_budget_by_default(AccountKind(str(parameters["kind"])))


class AccountSource(StrEnum):
    MANUAL = "manual"


class Account(IdMixin, TimestampMixin, Base):
    __tablename__ = "accounts"

    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AccountKind] = mapped_column(
        Enum(AccountKind, name="account_kind", values_callable=lambda e: [m.value for m in e])
    )
    currency: Mapped[str] = mapped_column(String(3))
    opening_balance_minor: Mapped[int] = mapped_column(Money, default=0)
    opened_on: Mapped[date]
    source: Mapped[AccountSource] = mapped_column(
        Enum(AccountSource, name="account_source", values_callable=lambda e: [m.value for m in e]),
        default=AccountSource.MANUAL,
    )
    archived_at: Mapped[datetime | None]
    # On-budget accounts hold the money the budget assigns; tracking accounts (loans and
    # investments by default) only show a balance, and their money is not budget activity.
    on_budget: Mapped[bool] = mapped_column(
        default=_on_budget_for_inserted_kind, server_default=true()
    )


class AccountShare(Base):
    """An account made visible to a teen member (adults and owners see every account)."""

    __tablename__ = "account_shares"
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
