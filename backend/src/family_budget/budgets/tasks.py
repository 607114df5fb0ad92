"""The budgets domain's job: raising the budget alert a write queued (budgets.alerts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.budgets.alerts import ALERT_JOB, raise_budget_alert
from family_budget.worker.jobs import JobContext, job


@job(ALERT_JOB)
async def budget_alert(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    await raise_budget_alert(session, ctx.settings, payload)
