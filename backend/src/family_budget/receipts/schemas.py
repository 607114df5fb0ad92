"""Receipt request and response bodies."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal, get_args

from pydantic import BaseModel, Field, StrictInt

from family_budget.models import ReceiptStatus
from family_budget.receipts.content import ACCEPTED_TYPES, MAX_RECEIPT_BYTES
from family_budget.schemas import Schema

AcceptedType = Literal["image/jpeg", "image/png", "image/heic", "application/pdf"]
assert set(ACCEPTED_TYPES) == set(get_args(AcceptedType))  # one list, spelled twice for OpenAPI


class ReceiptUploadStart(Schema):
    """Ask for a presigned POST (when receipts are kept in S3); then confirm the receipt."""

    content_type: AcceptedType = Field(description="The type the browser will upload")
    size_bytes: StrictInt = Field(ge=1, le=MAX_RECEIPT_BYTES)
    filename: str = Field(default="", max_length=255)


class ReceiptUpdate(Schema):
    transaction_id: uuid.UUID | None = Field(
        description="The transaction to attach the receipt to; null detaches it"
    )


class SuggestedTransaction(BaseModel):
    """A transaction of the household that looks like the receipt's: same amount, date close."""

    id: uuid.UUID
    account_id: uuid.UUID
    posted_on: date
    amount_minor: int
    payee: str
    days_apart: int | None = Field(description="Between the receipt's date and the posting")


class NewTransactionDraft(BaseModel):
    """What a new transaction for the receipt would be, for the client to pre-fill a form."""

    posted_on: date
    amount_minor: int | None = Field(description="Negative: money going out")
    payee: str


class ReceiptRead(BaseModel):
    id: uuid.UUID
    status: ReceiptStatus = Field(
        description="awaiting_upload: confirm it after the upload; processing: its text is "
        "being read; ready"
    )
    content_type: str
    size_bytes: int
    filename: str
    uploaded_by_id: uuid.UUID | None
    transaction_id: uuid.UUID | None
    merchant: str | None
    purchased_on: date | None
    total_minor: int | None
    currency: str
    text: str | None = Field(description="What OCR read; only on the single receipt's read")
    download_url: str | None = Field(description="Expires within minutes; null until uploaded")
    thumbnail_url: str | None
    suggested_transaction: SuggestedTransaction | None = Field(
        description="For a receipt not attached yet: the likeliest matching transaction"
    )
    new_transaction: NewTransactionDraft | None = Field(
        description="For a receipt not attached yet, with something read from it"
    )
    created_at: datetime
    updated_at: datetime


class PresignedUpload(BaseModel):
    """POST multipart/form-data to `url` with every field of `fields`, then the file as `file`
    (last). S3 refuses other sizes and types."""

    url: str
    fields: dict[str, str]
    expires_at: datetime
    max_bytes: int


class ReceiptUploadRead(BaseModel):
    receipt: ReceiptRead
    upload: PresignedUpload


class ReceiptPage(BaseModel):
    items: list[ReceiptRead]
    next_cursor: str | None = None
    ocr_available: bool = Field(
        description="false: photos are kept but their text is not read on this server"
    )
    presigned_upload: bool = Field(
        description="true: receipts may be uploaded straight to storage (POST with JSON)"
    )
    max_bytes: int
