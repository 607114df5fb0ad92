from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from family_budget.models.base import Base, IdMixin, Money, TimestampMixin


class ImportStatus(StrEnum):
    # Rows are staged and can be reviewed; nothing is in the ledger yet.
    PREVIEW = "preview"
    # A big file waits for (or is being read by) the worker.
    PARSING = "parsing"
    # The worker is writing a big import's transactions.
    COMMITTING = "committing"
    COMMITTED = "committed"
    UNDONE = "undone"
    FAILED = "failed"


class ImportRowStatus(StrEnum):
    NEW = "new"
    DUPLICATE = "duplicate"
    ERROR = "error"


def _enum(cls: type[StrEnum], name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


class Import(IdMixin, TimestampMixin, Base):
    """One bank file brought into one account: its bytes (so a fixed CSV mapping can re-read it),
    what was detected, the counts of its preview and, once committed, of what it added. The
    transactions it added carry its id (`transactions.import_id`), which is what undo deletes."""

    __tablename__ = "imports"
    __table_args__ = (Index("ix_imports_household_created", "household_id", "created_at"),)

    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[ImportStatus] = mapped_column(
        _enum(ImportStatus, "import_status"), default=ImportStatus.PREVIEW
    )
    # csv, ofx, qfx or qif; empty until a big file has been read by the worker.
    format: Mapped[str] = mapped_column(String(8), default="")
    filename: Mapped[str] = mapped_column(String(255), default="")
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    # The file itself: at most 20 MB, kept while the import can still be re-read or committed.
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    # The options the user gave (CSV mapping), and what was detected or given, as the API shows it.
    options: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    mapping: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # A CSV file's column names (its header, or "Column 1", ...), for the mapping form.
    columns: Mapped[list[str] | None] = mapped_column(JSON)
    # Dates that fit more than one format (03/04/2024): the formats that fit every date.
    date_format_candidates: Mapped[list[str] | None] = mapped_column(JSON)
    total_count: Mapped[int] = mapped_column(Integer, default=0)
    new_count: Mapped[int] = mapped_column(Integer, default=0)
    duplicate_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    imported_count: Mapped[int | None] = mapped_column(Integer)
    skipped_count: Mapped[int | None] = mapped_column(Integer)
    # 0..1 while the worker reads or writes a big file; 1 once a preview is ready.
    progress: Mapped[float] = mapped_column(default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    committed_at: Mapped[datetime | None]
    undone_at: Mapped[datetime | None]


class ImportRow(Base):
    """One row of an import's preview, in file order (`line` is the parser's: the file line for
    CSV and QIF, the record index for OFX). `include` is the user's override of the verdict:
    None follows `status` (new rows go in, duplicates and errors do not)."""

    __tablename__ = "import_rows"
    __table_args__ = (PrimaryKeyConstraint("import_id", "line"),)

    import_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    posted_on: Mapped[date | None]
    amount_minor: Mapped[int | None] = mapped_column(Money)
    payee: Mapped[str] = mapped_column(String(200), default="")
    payee_original: Mapped[str] = mapped_column(Text, default="")
    memo: Mapped[str] = mapped_column(Text, default="")
    external_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[ImportRowStatus] = mapped_column(_enum(ImportRowStatus, "import_row_status"))
    # The existing transaction this row repeats (None for a repeat within the file itself).
    duplicate_of: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("transactions.id", ondelete="SET NULL")
    )
    category_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    error: Mapped[str | None] = mapped_column(Text)
    include: Mapped[bool | None]
