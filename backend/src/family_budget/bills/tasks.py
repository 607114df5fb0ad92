"""The bills domain's periodic jobs: auto-posting scheduled transactions on their day, then
reminding of the bills coming up. Both are daily and idempotent (`family-budget tick`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.bills import service
from family_budget.households.context import HouseholdContext
from family_budget.worker.jobs import JobContext, job


def _today(ctx: JobContext, payload: dict[str, Any]) -> date:
    # The date of the instant the job was scheduled for (UTC: households have no time zone).
    at = payload.get("at")
    return (datetime.fromisoformat(at) if at else ctx.now).astimezone(UTC).date()


# Posting runs before reminding, so that a bill posted today is not also reminded of.
@job("bills.post_due", every="day", at=time(5, 0))
async def post_due(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    today = _today(ctx, payload)
    for household in await service.households_with_schedules(session):
        await service.post_due(session, HouseholdContext.for_system(household), today)


@job("bills.send_reminders", every="day", at=time(5, 10))
async def send_reminders(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    today = _today(ctx, payload)
    for household in await service.households_with_schedules(session):
        await service.send_reminders(
            session, ctx.settings, HouseholdContext.for_system(household), today
        )
