"""Export jobs: making a requested file, and deleting what is older than 30 days."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.exports.service import RUN_JOB, purge_expired, run_export
from family_budget.worker.jobs import JobContext, job, standalone_job


@standalone_job(RUN_JOB, lease=timedelta(minutes=15), max_attempts=3)
async def run_export_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    await run_export(ctx, uuid.UUID(payload["export_id"]))


@job("exports.purge_expired", every="day", at=time(3, 27))
async def purge_expired_job(
    ctx: JobContext, session: AsyncSession, payload: dict[str, Any]
) -> None:
    await purge_expired(ctx, session, datetime.fromisoformat(payload["at"]))
