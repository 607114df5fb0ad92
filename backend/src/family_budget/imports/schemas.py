"""Import request and response bodies (the Contract of issue 8: keep these names)."""

from __future__ import annotations

import codecs
import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, StrictBool, field_validator

from family_budget.models import ImportRowStatus, ImportStatus
from family_budget.schemas import Schema

Column = int | str


class ImportOptions(Schema):
    """The CSV mapping (every field optional: what is left out is detected). Columns are 0-based
    indexes or header names. `encoding` and `date_format` apply to QIF too."""

    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    encoding: str | None = Field(default=None, max_length=40)
    header_row: int | None = Field(
        default=None, ge=0, le=1000, description="1-based line of the header; 0: no header"
    )
    date_column: Column | None = None
    date_format: str | None = Field(
        default=None, max_length=40, description="strftime style, e.g. %d/%m/%Y"
    )
    amount_column: Column | None = None
    inflow_column: Column | None = None
    outflow_column: Column | None = None
    debit_credit_column: Column | None = None
    payee_column: Column | None = None
    memo_column: Column | None = None
    decimal_separator: Literal[".", ","] | None = None
    invert_sign: StrictBool | None = None

    # The delimiter is one character, and whitespace stripping would turn a tab into nothing.
    model_config = {**Schema.model_config, "str_strip_whitespace": False}

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return codecs.lookup(value).name
        except LookupError:
            raise ValueError(f"unknown encoding {value!r}") from None


class RowOverride(Schema):
    line: int = Field(ge=0)
    include: StrictBool | None = Field(
        description="true: import this row even if it looks like a duplicate; false: skip it; "
        "null: follow the preview's verdict"
    )


class ImportUpdate(Schema):
    """New options re-read the file; rows override the duplicate decisions of their lines."""

    options: ImportOptions | None = None
    rows: list[RowOverride] | None = Field(default=None, max_length=100_000)


class ImportCounts(BaseModel):
    total: int
    new: int
    duplicates: int
    errors: int
    imported: int | None = Field(default=None, description="Once committed")
    skipped: int | None = Field(default=None, description="Once committed")


class ImportRead(BaseModel):
    id: uuid.UUID
    status: ImportStatus
    format: Literal["csv", "ofx", "qfx", "qif", ""] = Field(
        description="Empty while a big file waits for the worker"
    )
    account_id: uuid.UUID
    filename: str
    mapping: dict[str, object] | None = Field(
        description="The CSV mapping that was detected or given (null for OFX/QFX)"
    )
    columns: list[str] = Field(description="A CSV file's column names, in column order")
    counts: ImportCounts
    progress: float = Field(ge=0, le=1)
    date_order_ambiguous: bool = Field(
        description="The dates fit more than one format: ask the user which "
        "(date_format_candidates) and PATCH options.date_format"
    )
    date_format_candidates: list[str]
    error: str | None
    created_at: datetime
    committed_at: datetime | None
    undone_at: datetime | None


class DuplicateMatch(BaseModel):
    """The existing transaction a duplicate row repeats, to show beside it."""

    id: uuid.UUID
    posted_on: date
    amount_minor: int
    payee: str


class ImportRowRead(BaseModel):
    line: int
    posted_on: date | None
    amount_minor: int | None = Field(description="Positive: money in")
    payee: str
    payee_original: str
    memo: str
    external_id: str | None
    status: ImportRowStatus
    duplicate_of: uuid.UUID | None = Field(
        description="The existing transaction this row repeats (null for a row repeating an "
        "earlier row of the same file)"
    )
    duplicate: DuplicateMatch | None = Field(
        default=None, description="The transaction `duplicate_of` names"
    )
    category_id: uuid.UUID | None = Field(description="The suggested category")
    error: str | None
    include: bool = Field(description="Whether commit imports the row (verdict or override)")


class ImportRowPage(BaseModel):
    items: list[ImportRowRead]
    next_cursor: str | None = None


class ImportPage(BaseModel):
    items: list[ImportRead]


class CommitCounts(BaseModel):
    imported: int
    skipped: int


class CommitResult(BaseModel):
    status: Literal["committed", "committing"]
    counts: CommitCounts | None = Field(description="null while the worker commits a big import")


class KeptTransaction(BaseModel):
    id: uuid.UUID
    posted_on: date
    amount_minor: int
    payee: str


class UndoResult(BaseModel):
    status: Literal["discarded", "undone"]
    removed: int = Field(description="Transactions the undo deleted")
    kept: list[KeptTransaction] = Field(
        description="Transactions of the import edited since, which stay"
    )


class PayeeRead(BaseModel):
    payee: str
    uses: int = Field(description="Transactions with this payee")
    category_id: uuid.UUID | None = Field(description="The category used most for this payee")


class PayeePage(BaseModel):
    items: list[PayeeRead]
