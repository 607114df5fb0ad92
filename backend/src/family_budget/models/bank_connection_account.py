from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from family_budget.models.account import AccountKind
from family_budget.models.base import Base, IdMixin


class BankConnectionAccount(IdMixin, Base):
    """A Plaid account of a connection and the household account its transactions go to."""

    __tablename__ = "bank_connection_accounts"
    __table_args__ = (UniqueConstraint("connection_id", "plaid_account_id"),)

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bank_connections.id", ondelete="CASCADE"), index=True
    )
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    # A household account is fed by at most one bank account.
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
    plaid_account_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    mask: Mapped[str | None] = mapped_column(String(10))
    kind: Mapped[AccountKind] = mapped_column(
        Enum(
            AccountKind,
            name="bank_account_kind",
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    # Bank transactions dated before this day are not imported: the family typed those into the
    # existing account it picked. None for an account the link created.
    imports_from: Mapped[date | None]
    # The link created the account: its opening balance is set from the bank's balance by each
    # sync until Plaid reports the whole history in.
    opening_balance_from_bank: Mapped[bool] = mapped_column(default=False)
