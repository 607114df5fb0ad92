"""Export rules: asking for a file, running the job that makes it, and the 30-day expiry.

A request adds an Export row and an "exports.run" job in one transaction (the worker makes the
file); the row says queued, running, ready or failed. Files and rows live 30 days: reads treat an
expired export as gone at once, and the daily "exports.purge_expired" job deletes the files and
rows (S3's lifecycle rule deletes the files too, but the promise holds in every storage).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.db import unit_of_work
from family_budget.errors import NotFound, Unprocessable
from family_budget.exports.csv_files import budget_csv, transactions_csv
from family_budget.exports.schemas import ExportCreate
from family_budget.exports.statement import collect_statement
from family_budget.households.context import HouseholdContext
from family_budget.models import Export, ExportKind, ExportStatus, Household
from family_budget.models.base import utcnow
from family_budget.months import format_month, month_of
from family_budget.reports.service import check_range
from family_budget.storage import Storage, storages_for
from family_budget.worker.jobs import JobContext, PermanentJobError, enqueue

logger = logging.getLogger(__name__)

EXPORT_LIFETIME = timedelta(days=30)
RUN_JOB = "exports.run"
LIST_LIMIT = 50

_CONTENT_TYPES = {
    ExportKind.TRANSACTIONS_CSV: "text/csv; charset=utf-8",
    ExportKind.BUDGET_CSV: "text/csv; charset=utf-8",
    ExportKind.MONTHLY_STATEMENT_PDF: "application/pdf",
}


def export_filename(kind: ExportKind, starts_on: date, ends_on: date) -> str:
    if kind is ExportKind.TRANSACTIONS_CSV:
        return f"transactions-{starts_on.isoformat()}-to-{ends_on.isoformat()}.csv"
    if kind is ExportKind.BUDGET_CSV:
        return f"budget-{format_month(starts_on)}-to-{format_month(ends_on)}.csv"
    return f"statement-{format_month(starts_on)}.pdf"


async def request_export(
    session: AsyncSession, household: HouseholdContext, data: ExportCreate, now: datetime
) -> Export:
    check_range(data.starts_on, data.ends_on)
    if data.kind is ExportKind.MONTHLY_STATEMENT_PDF and month_of(data.starts_on) != month_of(
        data.ends_on
    ):
        raise Unprocessable(
            "A monthly statement covers one month: from and to must lie in the same month",
            code="statement_spans_months",
        )
    export = Export(
        id=uuid.uuid4(),
        household_id=household.id,
        requested_by_id=household.user_id,
        kind=data.kind,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        status=ExportStatus.QUEUED,
        filename=export_filename(data.kind, data.starts_on, data.ends_on),
        content_type=_CONTENT_TYPES[data.kind],
        created_at=now,
        expires_at=now + EXPORT_LIFETIME,
    )
    session.add(export)
    await session.flush()
    await enqueue(
        session,
        RUN_JOB,
        {"export_id": str(export.id)},
        key=f"{RUN_JOB}:{export.id}",
        household_id=household.id,
    )
    return export


async def get_export(
    session: AsyncSession, household: HouseholdContext, export_id: uuid.UUID, now: datetime
) -> Export:
    export = (
        await session.execute(
            select(Export).where(
                Export.id == export_id,
                Export.household_id == household.id,
                Export.expires_at > now,
            )
        )
    ).scalar_one_or_none()
    if export is None:
        raise NotFound("Export not found (exports are kept 30 days)", code="export_not_found")
    return export


async def list_exports(
    session: AsyncSession, household: HouseholdContext, now: datetime
) -> list[Export]:
    return list(
        (
            await session.execute(
                select(Export)
                .where(Export.household_id == household.id, Export.expires_at > now)
                .order_by(Export.created_at.desc(), Export.id)
                .limit(LIST_LIMIT)
            )
        ).scalars()
    )


def download_url(storage: Storage, export: Export) -> str | None:
    if export.status is not ExportStatus.READY or export.object_key is None:
        return None
    return storage.download_url(
        export.object_key,
        filename=export.filename,
        content_type=export.content_type,
        disposition="attachment",
    )


# --- The job ------------------------------------------------------------------------------------

Builder = Callable[[AsyncSession, HouseholdContext, date, date], Awaitable[bytes]]
_CSV_BUILDERS: dict[ExportKind, Builder] = {
    ExportKind.TRANSACTIONS_CSV: transactions_csv,
    ExportKind.BUDGET_CSV: budget_csv,
}


async def run_export(ctx: JobContext, export_id: uuid.UUID) -> None:
    """Make the export's file and store it. Idempotent: a rerun (a worker that died mid-way)
    makes the same file under the same key again. A failure marks the export failed for the
    client to see and ask again; it is not retried (a fresh request is one click)."""
    async with unit_of_work(ctx.session_factory) as session:
        export = await session.get(Export, export_id)
        if export is None or export.status in (ExportStatus.READY, ExportStatus.FAILED):
            return
        household = await session.get(Household, export.household_id)
        if household is None:
            return
        export.status = ExportStatus.RUNNING
        kind, starts_on, ends_on = export.kind, export.starts_on, export.ends_on
        key = f"{export.household_id}/{export.id}/{export.filename}"
        content_type = export.content_type
    storage = storages_for(ctx.settings).exports
    try:
        # The data is read in one transaction, so the file is one consistent snapshot; the PDF
        # is drawn after it (rendering takes a while, and no transaction should wait for it).
        async with unit_of_work(ctx.session_factory) as session:
            context = HouseholdContext.for_system(household)
            if kind is ExportKind.MONTHLY_STATEMENT_PDF:
                statement = await collect_statement(session, context, month_of(starts_on))
            else:
                content = await _CSV_BUILDERS[kind](session, context, starts_on, ends_on)
        if kind is ExportKind.MONTHLY_STATEMENT_PDF:
            # ReportLab is imported by the job that needs it, not by every API process at start.
            from family_budget.exports.statement_pdf import render_statement

            content = await asyncio.to_thread(render_statement, statement)
        await asyncio.to_thread(storage.put, key, content, content_type=content_type)
    except Exception as error:
        logger.exception("export failed", extra={"export_id": str(export_id)})
        async with unit_of_work(ctx.session_factory) as session:
            failed = await session.get(Export, export_id)
            if failed is not None:
                failed.status = ExportStatus.FAILED
                failed.error = "The file could not be made; please ask for it again"
                failed.finished_at = utcnow()
        raise PermanentJobError(f"export {export_id} failed: {type(error).__name__}") from error
    async with unit_of_work(ctx.session_factory) as session:
        done = await session.get(Export, export_id)
        if done is None:
            # Deleted (with its household) while the file was made: the file goes too.
            await asyncio.to_thread(storage.delete, key)
            return
        done.status = ExportStatus.READY
        done.object_key = key
        done.size_bytes = len(content)
        done.finished_at = utcnow()
        done.error = None


async def purge_expired(ctx: JobContext, session: AsyncSession, now: datetime) -> int:
    """Delete every expired export's file and row, and any file in the exports storage older
    than the lifetime that no row names (left by a crash between storing and recording)."""
    storage = storages_for(ctx.settings).exports
    expired = (
        await session.execute(select(Export.id, Export.object_key).where(Export.expires_at <= now))
    ).all()
    for _, key in expired:
        if key:
            await asyncio.to_thread(storage.delete, key)
    if expired:
        await session.execute(
            delete(Export)
            .where(Export.id.in_([export_id for export_id, _ in expired]))
            .execution_options(synchronize_session=False)
        )
    stale = [
        stored.key
        for stored in await asyncio.to_thread(storage.list)
        if stored.modified_at <= now - EXPORT_LIFETIME
    ]
    for key in stale:
        await asyncio.to_thread(storage.delete, key)
    return len(expired)
