from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from family_budget.models.base import Base, IdMixin, Money, TimestampMixin


class ReceiptStatus(StrEnum):
    # A browser was given a presigned POST; the file is not confirmed (checked, cleaned) yet.
    AWAITING_UPLOAD = "awaiting_upload"
    # Stored and cleaned; the worker is reading its text.
    PROCESSING = "processing"
    READY = "ready"


class Receipt(IdMixin, TimestampMixin, Base):
    """A photo or PDF of a receipt, with what was read from it and, once matched, the
    transaction it belongs to. The file lives in the receipts bucket (family_budget.storage)
    under `object_key`, stripped of its metadata (EXIF, GPS) before it was stored."""

    __tablename__ = "receipts"
    __table_args__ = (Index("ix_receipts_household_created", "household_id", "created_at", "id"),)

    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # Deleting the transaction keeps the receipt, back in the inbox of unmatched ones.
    transaction_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("transactions.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[ReceiptStatus] = mapped_column(
        Enum(ReceiptStatus, name="receipt_status", values_callable=lambda e: [m.value for m in e])
    )
    # The type of the stored file, decided from its bytes (HEIC photos are stored as JPEG).
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str] = mapped_column(String(255), default="")
    object_key: Mapped[str] = mapped_column(String(300))
    thumbnail_key: Mapped[str | None] = mapped_column(String(300))
    # What OCR read (None until it ran, or when it is not installed) and what was parsed from it.
    text: Mapped[str | None] = mapped_column(Text)
    merchant: Mapped[str | None] = mapped_column(String(200))
    purchased_on: Mapped[date | None]
    total_minor: Mapped[int | None] = mapped_column(Money)
