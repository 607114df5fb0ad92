"""Import jobs: reading a big file into its preview, and committing a big preview.

Reading writes the preview rows a chunk per transaction and records `progress` after each, so
the web app's progress bar moves; the rows are staging data, and a rerun after a crash starts
again from an empty preview. Committing is one transaction (as in the API): all or nothing."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.db import unit_of_work
from family_budget.errors import AppError
from family_budget.households.context import HouseholdContext
from family_budget.imports import service
from family_budget.imports.parsing.limits import DEFAULT_LIMITS
from family_budget.models import Account, Household, Import, ImportRow, ImportStatus
from family_budget.worker.jobs import JobContext, job, standalone_job

logger = logging.getLogger(__name__)
# Parsing is done at most this share of the way; writing the rows is the rest.
PARSED_PROGRESS = 0.3


@standalone_job(service.PARSE_JOB, lease=timedelta(minutes=30), max_attempts=3)
async def parse_import(ctx: JobContext, payload: dict[str, Any]) -> None:
    import_id = uuid.UUID(payload["import_id"])
    async with unit_of_work(ctx.session_factory) as session:
        row = (
            await session.execute(
                select(Import.content, Import.options, Account.currency)
                .join(Account, Account.id == Import.account_id)
                .where(Import.id == import_id, Import.status == ImportStatus.PARSING)
            )
        ).first()
    if row is None:
        return  # discarded meanwhile, or read already
    content, options, currency = row
    try:
        parsed = await asyncio.to_thread(
            service.parse_bytes, content or b"", options, currency, DEFAULT_LIMITS
        )
    except AppError as exc:
        await _fail(ctx, import_id, exc.detail)
        return
    async with unit_of_work(ctx.session_factory) as session:
        loaded = await _load(session, import_id)
        if loaded is None:
            return
        imported, household, account = loaded
        try:
            service.check_currency(parsed, account)
        except AppError as exc:
            imported.status = ImportStatus.FAILED
            imported.error = exc.detail
            return
        staged = await service.prepare_rows(session, household, imported, account, parsed)
        await session.execute(delete(ImportRow).where(ImportRow.import_id == import_id))
        imported.progress = PARSED_PROGRESS
    total = max(1, len(staged.rows))
    for start in range(0, len(staged.rows), service.CHUNK):
        async with unit_of_work(ctx.session_factory) as session:
            await service.write_rows(session, staged.rows[start : start + service.CHUNK])
            imported = await session.get_one(Import, import_id)
            done = min(total, start + service.CHUNK) / total
            imported.progress = PARSED_PROGRESS + (1 - PARSED_PROGRESS) * done
    async with unit_of_work(ctx.session_factory) as session:
        imported = await session.get_one(Import, import_id)
        service.finish_preview(imported, staged)


async def _load(
    session: AsyncSession, import_id: uuid.UUID
) -> tuple[Import, HouseholdContext, Account] | None:
    imported = await session.get(Import, import_id)
    if imported is None or imported.status is not ImportStatus.PARSING:
        return None
    household = await session.get_one(Household, imported.household_id)
    account = await session.get_one(Account, imported.account_id)
    return imported, HouseholdContext.for_system(household), account


async def _fail(ctx: JobContext, import_id: uuid.UUID, message: str) -> None:
    async with unit_of_work(ctx.session_factory) as session:
        imported = await session.get(Import, import_id)
        if imported is not None and imported.status is ImportStatus.PARSING:
            imported.status = ImportStatus.FAILED
            imported.error = message
            imported.content = None


@job(service.COMMIT_JOB, lease=timedelta(minutes=30), max_attempts=3)
async def commit_import(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    """One transaction, like the API's commit (the job's own)."""
    imported = await session.get(Import, uuid.UUID(payload["import_id"]))
    if imported is None or imported.status is not ImportStatus.COMMITTING:
        return
    household = await session.get_one(Household, imported.household_id)
    await service.finish_commit(session, HouseholdContext.for_system(household), imported)
    logger.info(
        "import committed",
        extra={"import_id": str(imported.id), "imported": imported.imported_count},
    )
