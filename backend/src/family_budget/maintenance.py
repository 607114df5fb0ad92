"""Housekeeping the worker runs every day: expired tokens and invitations, finished jobs,
idempotency keys past their 24 hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget import idempotency
from family_budget.backups import RECORDED_JOB
from family_budget.db import affected_rows
from family_budget.models import Invitation, Job, OneTimeToken, RefreshToken
from family_budget.worker.jobs import JobContext, job

# Expired rows are kept a little while so that a reuse or a late click can still be told apart
# from a token that never existed (useful when reading logs), then removed.
GRACE = timedelta(days=7)
# Finished jobs are kept a while for whoever investigates a problem; failed ones longer.
DONE_JOBS_KEPT = timedelta(days=7)
FAILED_JOBS_KEPT = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class PurgeResult:
    refresh_tokens: int
    one_time_tokens: int
    invitations: int
    jobs: int
    idempotency_keys: int


async def purge_expired(session: AsyncSession, now: datetime) -> PurgeResult:
    cutoff = now - GRACE
    refresh = await session.execute(delete(RefreshToken).where(RefreshToken.expires_at < cutoff))
    one_time = await session.execute(delete(OneTimeToken).where(OneTimeToken.expires_at < cutoff))
    invitations = await session.execute(
        delete(Invitation).where(Invitation.expires_at < cutoff, Invitation.accepted_at.is_(None))
    )
    done_jobs = await session.execute(delete(Job).where(Job.done_at < now - DONE_JOBS_KEPT))
    failed_jobs = await session.execute(delete(Job).where(Job.failed_at < now - FAILED_JOBS_KEPT))
    idempotency_keys = await idempotency.purge(session, now)
    return PurgeResult(
        refresh_tokens=affected_rows(refresh),
        one_time_tokens=affected_rows(one_time),
        invitations=affected_rows(invitations),
        jobs=affected_rows(done_jobs) + affected_rows(failed_jobs),
        idempotency_keys=idempotency_keys,
    )


@job(RECORDED_JOB)
async def backup_recorded(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    """Nothing to do: the row itself records a backup `family-budget backup` stored
    (family_budget.backups.record_backup); the worker's tick reads the newest one."""


@job("maintenance.purge_expired", every="day", at=time(3, 17))
async def purge_expired_job(
    ctx: JobContext, session: AsyncSession, payload: dict[str, Any]
) -> None:
    await purge_expired(session, datetime.fromisoformat(payload["at"]))
