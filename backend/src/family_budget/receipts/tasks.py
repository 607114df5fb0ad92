"""Receipt jobs: reading a receipt's text, and clearing uploads that were never confirmed."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.db import unit_of_work
from family_budget.models import Household, Receipt, ReceiptStatus
from family_budget.models.base import utcnow
from family_budget.receipts.ocr import OcrUnavailable, read_text
from family_budget.receipts.parsing import parse_receipt_text
from family_budget.receipts.service import READ_JOB
from family_budget.storage import ObjectNotFound, storages_for
from family_budget.worker.jobs import JobContext, job, standalone_job

logger = logging.getLogger(__name__)
# A presigned upload lives ten minutes; a receipt still waiting a day later was abandoned.
ABANDONED_AFTER = timedelta(days=1)


@standalone_job(READ_JOB, lease=timedelta(minutes=5), max_attempts=3)
async def read_receipt(ctx: JobContext, payload: dict[str, Any]) -> None:
    """OCR runs outside any transaction (it takes seconds, and on SQLite a write transaction
    would hold the database's one write lock all that time); the result is saved in a short one.
    Running it twice reads the same text again: idempotent."""
    receipt_id = uuid.UUID(payload["receipt_id"])
    async with unit_of_work(ctx.session_factory) as session:
        row = (
            await session.execute(
                select(Receipt.object_key, Receipt.content_type, Household.currency)
                .join(Household, Household.id == Receipt.household_id)
                .where(Receipt.id == receipt_id, Receipt.status == ReceiptStatus.PROCESSING)
            )
        ).first()
    if row is None:
        return  # deleted meanwhile, or read already
    object_key, content_type, currency = row
    storage = storages_for(ctx.settings).receipts
    try:
        data = await asyncio.to_thread(storage.get, object_key)
    except ObjectNotFound:
        logger.warning("receipt file missing", extra={"receipt_id": str(receipt_id)})
        data = None
    text: str | None = None
    if data is not None:
        try:
            text = await asyncio.to_thread(read_text, data, content_type)
        except OcrUnavailable:
            text = None
    parsed = parse_receipt_text(text, currency) if text else None
    async with unit_of_work(ctx.session_factory) as session:
        receipt = await session.get(Receipt, receipt_id)
        if receipt is None or receipt.status is not ReceiptStatus.PROCESSING:
            return
        receipt.text = text
        if parsed is not None:
            receipt.merchant = parsed.merchant
            receipt.purchased_on = parsed.purchased_on
            receipt.total_minor = parsed.total_minor
        receipt.status = ReceiptStatus.READY
        receipt.updated_at = utcnow()


@job("receipts.purge_abandoned", every="day", at=time(3, 37))
async def purge_abandoned(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    now = datetime.fromisoformat(payload["at"])
    abandoned = list(
        (
            await session.execute(
                select(Receipt).where(
                    Receipt.status == ReceiptStatus.AWAITING_UPLOAD,
                    Receipt.created_at < now - ABANDONED_AFTER,
                )
            )
        ).scalars()
    )
    storage = storages_for(ctx.settings).receipts
    for receipt in abandoned:
        await asyncio.to_thread(storage.delete, receipt.object_key)
        await session.delete(receipt)
