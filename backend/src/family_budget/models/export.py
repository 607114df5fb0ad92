from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from family_budget.models.base import Base, IdMixin, utcnow


class ExportKind(StrEnum):
    TRANSACTIONS_CSV = "transactions_csv"
    BUDGET_CSV = "budget_csv"
    MONTHLY_STATEMENT_PDF = "monthly_statement_pdf"


class ExportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


class Export(IdMixin, Base):
    """A file the worker makes on request (job "exports.run") into the exports bucket. Both the
    file and this row are gone `expires_at` (30 days) after the request: the exports bucket's
    lifecycle deletes the file in S3, and a daily job deletes both everywhere."""

    __tablename__ = "exports"
    __table_args__ = (
        Index("ix_exports_household_created", "household_id", "created_at"),
        Index("ix_exports_expires_at", "expires_at"),
    )

    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    kind: Mapped[ExportKind] = mapped_column(
        Enum(ExportKind, name="export_kind", values_callable=lambda e: [m.value for m in e])
    )
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    status: Mapped[ExportStatus] = mapped_column(
        Enum(ExportStatus, name="export_status", values_callable=lambda e: [m.value for m in e]),
        default=ExportStatus.QUEUED,
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    object_key: Mapped[str | None] = mapped_column(String(300))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]
