"""A bank connection: one Plaid item of a household.

The access token is stored only as ciphertext (bank_connections.token_crypto, with the
connection's id as the authenticated context); the API never returns it and jobs never carry it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from family_budget.models.base import Base, IdMixin, TimestampMixin


class BankConnectionStatus(StrEnum):
    SYNCING = "syncing"  # linked; the first sync has not finished yet
    HEALTHY = "healthy"
    NEEDS_REAUTH = "needs_reauth"  # the family must sign in again (Link's update mode)
    ERROR = "error"
    DISCONNECTED = "disconnected"  # the account holder revoked access: final


# Stored as VARCHAR (no database enum type), so that a status can be added without an ALTER TYPE.
_STATUS = Enum(
    BankConnectionStatus,
    name="bank_connection_status",
    native_enum=False,
    length=20,
    values_callable=lambda e: [m.value for m in e],
)


class BankConnection(IdMixin, TimestampMixin, Base):
    __tablename__ = "bank_connections"
    __table_args__ = (
        # One live connection per institution per household: a second link is steered to update
        # mode, and two links racing each other cannot both win.
        Index(
            "uq_bank_connections_household_institution",
            "household_id",
            "institution_id",
            unique=True,
            postgresql_where=text("removed_at IS NULL"),
            sqlite_where=text("removed_at IS NULL"),
        ),
    )

    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    plaid_item_id: Mapped[str] = mapped_column(String(100), unique=True)
    institution_id: Mapped[str | None] = mapped_column(String(50))
    institution_name: Mapped[str] = mapped_column(String(200))
    # None once the item has been removed at Plaid.
    access_token_encrypted: Mapped[str | None] = mapped_column(Text)
    # Plaid's next_cursor after the last applied sync; None before the first one.
    sync_cursor: Mapped[str | None] = mapped_column(Text)
    status: Mapped[BankConnectionStatus] = mapped_column(
        _STATUS, default=BankConnectionStatus.SYNCING
    )
    sync_started_at: Mapped[datetime | None]
    sync_finished_at: Mapped[datetime | None]
    last_synced_at: Mapped[datetime | None]
    last_error_code: Mapped[str | None] = mapped_column(String(100))
    last_error_message: Mapped[str | None] = mapped_column(Text)
    consent_expires_at: Mapped[datetime | None]
    # Coalesces sync requests: a request enqueues the job keyed by the current generation, and a
    # sync bumps it before it fetches, so a request made after a fetch began gets a job of its own.
    sync_generation: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # Set by DELETE: hidden from the API at once; the row goes once Plaid has removed the item.
    removed_at: Mapped[datetime | None]
