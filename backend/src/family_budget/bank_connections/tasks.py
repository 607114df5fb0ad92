"""The bank connection jobs (family_budget.bank_connections.sync does the work)."""

from __future__ import annotations

import uuid
from datetime import time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.bank_connections import sync
from family_budget.bank_connections.apply import forget_old_edits
from family_budget.bank_connections.service import request_sync
from family_budget.models import BankConnection, BankConnectionStatus
from family_budget.worker.jobs import JobContext, job, standalone_job


@standalone_job("bank_connections.sync", lease=sync.SYNC_LEASE, max_attempts=8)
async def sync_connection(ctx: JobContext, payload: dict[str, Any]) -> None:
    await sync.run_sync(ctx, uuid.UUID(payload["connection_id"]))


@standalone_job("bank_connections.item_event", lease=timedelta(minutes=5), max_attempts=8)
async def item_event(ctx: JobContext, payload: dict[str, Any]) -> None:
    await sync.run_item_event(ctx, payload)


@standalone_job("bank_connections.remove_item", lease=timedelta(minutes=5), max_attempts=10)
async def remove_item(ctx: JobContext, payload: dict[str, Any]) -> None:
    await sync.run_remove_item(ctx, uuid.UUID(payload["connection_id"]))


@job("bank_connections.daily_sync", every="day", at=time(5, 41))
async def daily_sync(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    """The safety net under webhooks: a sync of every healthy connection once a day (a lost
    webhook costs a day at most), and kept edits nobody claimed are dropped."""
    connections = await session.scalars(
        select(BankConnection).where(
            BankConnection.status == BankConnectionStatus.HEALTHY,
            BankConnection.removed_at.is_(None),
        )
    )
    for connection in connections.all():
        await request_sync(session, connection)
    await forget_old_edits(session, ctx.now)
    await sync.recount_statuses(session)
