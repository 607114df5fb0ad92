"""Exports into S3 (moto's server): the worker stores the file there, the link is presigned,
and the daily purge deletes file and row after 30 days — not only S3's lifecycle rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.config import Settings
from family_budget.exports.schemas import ExportCreate
from family_budget.exports.service import download_url, request_export
from family_budget.households.context import HouseholdContext
from family_budget.models import Export, ExportStatus
from family_budget.storage import storages_for
from family_budget.worker.jobs import JobContext, drain
from family_budget.worker.schedule import schedule_due
from tests.exports.conftest import Ledger
from tests.notifications.conftest import REGION

BUCKET = "test-family-budget-exports"


async def test_statement_into_s3_and_purged_after_thirty_days(
    moto_endpoint: str,
    settings: Settings,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    ledger: Ledger,
) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    s3_settings = settings.model_copy(update={"exports_bucket": BUCKET, "aws_region": REGION})
    now = datetime.now(UTC)
    body = ExportCreate.model_validate(
        {"kind": "monthly_statement_pdf", "from": "2026-11-01", "to": "2026-11-30"}
    )
    export = await request_export(session, HouseholdContext.for_system(ledger.household), body, now)
    await session.commit()
    household_id = ledger.household.id
    key = f"{household_id}/{export.id}/statement-2026-11.pdf"

    await drain(JobContext(s3_settings, session_factory, now=now))

    await session.refresh(export)
    assert export.status is ExportStatus.READY
    assert export.object_key == key
    head = s3.head_object(Bucket=BUCKET, Key=key)
    assert head["ContentType"] == "application/pdf"
    assert head["ContentLength"] == export.size_bytes
    url = download_url(storages_for(s3_settings).exports, export)
    assert url is not None
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert response.headers["content-disposition"].startswith("attachment;")

    # Late on the day the export expires: the daily purge (03:27 UTC) is due by then.
    later = (export.expires_at + timedelta(minutes=1)).replace(hour=23)
    await schedule_due(session_factory, later)
    await drain(JobContext(s3_settings, session_factory, now=later))

    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
    session.expire_all()
    count = await session.scalar(select(func.count()).where(Export.household_id == household_id))
    assert count == 0
