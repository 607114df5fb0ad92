"""Receipt rules: upload (directly, or presigned to S3 and confirmed), who sees what, attaching
to transactions, and the suggested match.

Visibility: owners and adults see every receipt of the household; a teen sees the receipts they
uploaded and those attached to transactions they can see (family_budget.transactions.queries).
Anyone who sees a receipt may attach it to a transaction they can see; deleting is for adults
and the uploader.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import difflib
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, false, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.db import after_commit
from family_budget.errors import BadRequest, Conflict, Forbidden, NotFound, Unprocessable
from family_budget.households.context import HouseholdContext
from family_budget.models import Receipt, ReceiptStatus, Transaction
from family_budget.models.base import utcnow
from family_budget.receipts.content import MAX_RECEIPT_BYTES, UnsupportedReceipt, prepare
from family_budget.storage import ObjectNotFound, Storage
from family_budget.transactions.queries import visible_transactions
from family_budget.worker.jobs import enqueue

# A receipt's date and its transaction's posting date differ by a few days at most: card
# payments post a day or two later, a weekend adds two more.
MATCH_WINDOW_DAYS = 4
# Without a date on the receipt, it was most likely bought shortly before it was photographed.
UNDATED_LOOKBACK_DAYS = 14
PRESIGNED_UPLOAD_LIFETIME = timedelta(minutes=10)
READ_JOB = "receipts.read"


@dataclass(frozen=True, slots=True)
class Suggestion:
    transaction: Transaction
    days_apart: int | None


# --- Visibility ---------------------------------------------------------------------------------


def visible_receipts(household: HouseholdContext) -> ColumnElement[bool]:
    if not household.is_teen:
        return Receipt.household_id == household.id
    attached_visible = Receipt.transaction_id.in_(
        select(Transaction.id).where(visible_transactions(household))
    )
    own = Receipt.uploaded_by_id == household.user_id if household.user_id is not None else false()
    return and_(Receipt.household_id == household.id, or_(own, attached_visible))


async def get_receipt(
    session: AsyncSession, household: HouseholdContext, receipt_id: uuid.UUID
) -> Receipt:
    receipt = (
        await session.execute(
            select(Receipt).where(Receipt.id == receipt_id, visible_receipts(household))
        )
    ).scalar_one_or_none()
    if receipt is None:
        raise NotFound("Receipt not found", code="receipt_not_found")
    return receipt


# --- Keys ---------------------------------------------------------------------------------------


def _stored_key(receipt: Receipt, extension: str) -> str:
    return f"{receipt.household_id}/{receipt.id}/receipt.{extension}"


def _thumbnail_key(receipt: Receipt) -> str:
    return f"{receipt.household_id}/{receipt.id}/thumbnail.jpg"


def _upload_key(receipt: Receipt) -> str:
    # Raw browser uploads wait under their own prefix until confirmed (and cleaned); the receipts
    # bucket expires whatever is left there after a day.
    return f"uploads/{receipt.household_id}/{receipt.id}"


def _clean_filename(filename: str) -> str:
    name = re.sub(r"[^\w .()-]+", "_", filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip()
    return name[:200]


def download_name(receipt: Receipt) -> str:
    extension = receipt.content_type.rsplit("/", 1)[-1].replace("jpeg", "jpg")
    stem = receipt.filename.rsplit(".", 1)[0] if receipt.filename else "receipt"
    return f"{stem or 'receipt'}.{extension}"


# --- Uploading ----------------------------------------------------------------------------------


async def _store(storage: Storage, receipt: Receipt, data: bytes) -> None:
    """Check and clean `data`, store the copy (and thumbnail), and fill the receipt's file
    fields. UnsupportedReceipt leaves nothing stored."""
    prepared = await asyncio.to_thread(prepare, data)
    key = _stored_key(receipt, prepared.extension)
    await asyncio.to_thread(storage.put, key, prepared.data, content_type=prepared.content_type)
    thumbnail_key = None
    if prepared.thumbnail is not None:
        thumbnail_key = _thumbnail_key(receipt)
        await asyncio.to_thread(
            storage.put, thumbnail_key, prepared.thumbnail, content_type="image/jpeg"
        )
    receipt.object_key = key
    receipt.thumbnail_key = thumbnail_key
    receipt.content_type = prepared.content_type
    receipt.size_bytes = len(prepared.data)
    receipt.status = ReceiptStatus.PROCESSING


def _unsupported(error: UnsupportedReceipt) -> Unprocessable:
    return Unprocessable(str(error), code="unsupported_receipt")


async def create_from_upload(
    session: AsyncSession,
    storage: Storage,
    household: HouseholdContext,
    data: bytes,
    filename: str,
) -> Receipt:
    if len(data) > MAX_RECEIPT_BYTES:
        raise Unprocessable(
            f"A receipt may be at most {MAX_RECEIPT_BYTES} bytes", code="receipt_too_large"
        )
    receipt = Receipt(
        id=uuid.uuid4(),
        household_id=household.id,
        uploaded_by_id=household.user_id,
        status=ReceiptStatus.PROCESSING,
        filename=_clean_filename(filename),
        content_type="",
        object_key="",
    )
    try:
        await _store(storage, receipt, data)
    except UnsupportedReceipt as error:
        raise _unsupported(error) from None
    session.add(receipt)
    await session.flush()
    await _enqueue_read(session, receipt)
    return receipt


async def start_presigned_upload(
    session: AsyncSession,
    storage: Storage,
    household: HouseholdContext,
    *,
    content_type: str,
    size_bytes: int,
    filename: str,
) -> tuple[Receipt, dict[str, object]]:
    receipt = Receipt(
        id=uuid.uuid4(),
        household_id=household.id,
        uploaded_by_id=household.user_id,
        status=ReceiptStatus.AWAITING_UPLOAD,
        filename=_clean_filename(filename),
        content_type=content_type,
        size_bytes=size_bytes,
        object_key="",
    )
    receipt.object_key = _upload_key(receipt)
    post = await asyncio.to_thread(
        storage.presigned_post,
        receipt.object_key,
        content_type=content_type,
        max_bytes=MAX_RECEIPT_BYTES,
        expires_in=PRESIGNED_UPLOAD_LIFETIME,
    )
    if post is None:
        raise Conflict(
            "Receipts are uploaded to this server directly: POST the file as multipart/form-data",
            code="presigned_upload_unavailable",
        )
    session.add(receipt)
    await session.flush()
    return receipt, {
        "url": post.url,
        "fields": post.fields,
        "expires_at": post.expires_at,
        "max_bytes": MAX_RECEIPT_BYTES,
    }


async def confirm_upload(
    session: AsyncSession, storage: Storage, household: HouseholdContext, receipt: Receipt
) -> Receipt:
    """The browser's upload is in the bucket: check it by content, store the cleaned copy."""
    if receipt.status is not ReceiptStatus.AWAITING_UPLOAD:
        raise Conflict("The receipt is already uploaded", code="receipt_already_uploaded")
    upload_key = receipt.object_key
    try:
        data = await asyncio.to_thread(storage.get, upload_key)
    except ObjectNotFound:
        raise Conflict(
            "Nothing was uploaded for this receipt yet", code="receipt_upload_missing"
        ) from None
    try:
        await _store(storage, receipt, data)
    except UnsupportedReceipt as error:
        # The raw upload is of no use: it goes, and the client may upload again.
        await asyncio.to_thread(storage.delete, upload_key)
        raise _unsupported(error) from None
    await asyncio.to_thread(storage.delete, upload_key)
    receipt.updated_at = utcnow()
    await session.flush()
    await _enqueue_read(session, receipt)
    return receipt


async def _enqueue_read(session: AsyncSession, receipt: Receipt) -> None:
    await enqueue(
        session,
        READ_JOB,
        {"receipt_id": str(receipt.id)},
        key=f"{READ_JOB}:{receipt.id}",
        household_id=receipt.household_id,
    )


# --- Attaching, deleting ------------------------------------------------------------------------


async def attach(
    session: AsyncSession,
    household: HouseholdContext,
    receipt: Receipt,
    transaction_id: uuid.UUID | None,
) -> Receipt:
    if transaction_id is not None:
        found = (
            await session.execute(
                select(Transaction.id).where(
                    Transaction.id == transaction_id, visible_transactions(household)
                )
            )
        ).first()
        if found is None:
            raise Unprocessable(
                "transaction_id does not name a transaction you can see in this household",
                code="unknown_transaction",
            )
    receipt.transaction_id = transaction_id
    receipt.updated_at = utcnow()
    await session.flush()
    return receipt


async def delete_receipt(
    session: AsyncSession, storage: Storage, household: HouseholdContext, receipt: Receipt
) -> None:
    if household.is_teen and receipt.uploaded_by_id != household.user_id:
        raise Forbidden(
            "A teen can delete only the receipts they uploaded", code="insufficient_role"
        )
    keys = [key for key in (receipt.object_key, receipt.thumbnail_key) if key]
    await session.delete(receipt)
    await session.flush()

    async def remove_files() -> None:
        for key in keys:
            await asyncio.to_thread(storage.delete, key)

    # Only once the row is gone for good: a rolled-back delete must still find its file.
    after_commit(session, remove_files)


# --- Listing ------------------------------------------------------------------------------------


def _encode_cursor(created_at: datetime, receipt_id: uuid.UUID) -> str:
    raw = f"{created_at.isoformat()}|{receipt_id.hex}".encode("ascii")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        created_at, receipt_id = raw.decode("ascii").split("|")
        return datetime.fromisoformat(created_at), uuid.UUID(hex=receipt_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest("The cursor is not valid", code="invalid_cursor") from None


async def list_receipts(
    session: AsyncSession,
    household: HouseholdContext,
    *,
    unmatched: bool,
    transaction_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Receipt], str | None]:
    """Newest first. `unmatched`: only receipts not attached to a transaction."""
    statement = select(Receipt).where(
        visible_receipts(household), Receipt.status != ReceiptStatus.AWAITING_UPLOAD
    )
    if unmatched:
        statement = statement.where(Receipt.transaction_id.is_(None))
    if transaction_id is not None:
        statement = statement.where(Receipt.transaction_id == transaction_id)
    if cursor is not None:
        statement = statement.where(tuple_(Receipt.created_at, Receipt.id) < _decode_cursor(cursor))
    rows = list(
        (
            await session.execute(
                statement.order_by(Receipt.created_at.desc(), Receipt.id.desc()).limit(limit + 1)
            )
        ).scalars()
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _encode_cursor(rows[-1].created_at, rows[-1].id)
    return rows, next_cursor


# --- Matching -----------------------------------------------------------------------------------


def _payee_likeness(merchant: str | None, payee: str) -> float:
    if not merchant or not payee:
        return 0.0
    return difflib.SequenceMatcher(None, merchant.lower(), payee.lower()).ratio()


async def suggest_transaction(
    session: AsyncSession, household: HouseholdContext, receipt: Receipt
) -> Suggestion | None:
    """The visible transaction that most likely is this receipt's: the same amount spent
    (a receipt's total is money going out), posted within MATCH_WINDOW_DAYS of the receipt's
    date; the closest date wins, then the payee most like the merchant. Transfers and
    transactions that already have a receipt are not candidates."""
    if receipt.total_minor is None or receipt.transaction_id is not None:
        return None
    if receipt.purchased_on is not None:
        anchor: date | None = receipt.purchased_on
        first = receipt.purchased_on - timedelta(days=MATCH_WINDOW_DAYS)
        last = receipt.purchased_on + timedelta(days=MATCH_WINDOW_DAYS)
    else:
        anchor = None
        uploaded_on = receipt.created_at.date()
        first = uploaded_on - timedelta(days=UNDATED_LOOKBACK_DAYS)
        last = uploaded_on + timedelta(days=MATCH_WINDOW_DAYS)
    with_receipt = select(Receipt.transaction_id).where(
        Receipt.household_id == household.id, Receipt.transaction_id.is_not(None)
    )
    candidates = (
        await session.execute(
            select(Transaction).where(
                visible_transactions(household),
                Transaction.amount_minor == -receipt.total_minor,
                Transaction.posted_on >= first,
                Transaction.posted_on <= last,
                Transaction.transfer_id.is_(None),
                Transaction.id.not_in(with_receipt),
            )
        )
    ).scalars()

    def rank(transaction: Transaction) -> tuple[int, float, str]:
        distance = abs((transaction.posted_on - anchor).days) if anchor else 0
        return (
            distance,
            -_payee_likeness(receipt.merchant, transaction.payee),
            str(transaction.id),
        )

    best = min(candidates, key=rank, default=None)
    if best is None:
        return None
    return Suggestion(best, abs((best.posted_on - anchor).days) if anchor else None)
