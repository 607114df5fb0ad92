"""Export request and response bodies."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from family_budget.models import ExportKind, ExportStatus
from family_budget.schemas import SaneDate, Schema


class ExportCreate(Schema):
    kind: ExportKind = Field(
        description="transactions_csv: one row per transaction (per split line); budget_csv: "
        "every category of every month; monthly_statement_pdf: the month of `from` (`from` and "
        "`to` must lie in one month)"
    )
    starts_on: SaneDate = Field(alias="from", description="First day, inclusive")
    ends_on: SaneDate = Field(alias="to", description="Last day, inclusive")


class ExportQueued(BaseModel):
    id: uuid.UUID
    status: ExportStatus


class ExportRead(BaseModel):
    id: uuid.UUID
    kind: ExportKind
    starts_on: date = Field(serialization_alias="from")
    ends_on: date = Field(serialization_alias="to")
    status: ExportStatus = Field(description="queued, running, ready or failed")
    filename: str
    content_type: str
    size_bytes: int | None
    download_url: str | None = Field(description="When ready: a link that expires within minutes")
    error: str | None = Field(description="When failed: what went wrong")
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime = Field(description="The file and this export are deleted then")


class ExportList(BaseModel):
    items: list[ExportRead]
