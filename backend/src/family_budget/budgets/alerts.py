"""Budget alerts: a category's spending in a month crossing a threshold of what is assigned to
it (default 80% and 100%; set per category, an empty list turns them off).

**Raised by the write that crossed it.** Every write of money ends in `refresh_buckets`
(family_budget.budgets.activity: the ORM hooks, imports, bank sync); right after recomputing the
monthly totals it calls `queue_crossed_thresholds` on the same connection, which compares each
category's spending in the touched households and recent months with its thresholds and, for
each threshold reached, writes a `budgets.alert` job in the write's own transaction. The job's
key names the category, the month and the threshold, so a threshold raises one alert per month
whatever happens next: spending that drops under it (an edit, a refund) and crosses it again
adds nothing. The job (after the commit, in the worker) raises the alert through `raise_alert`
with the same kind of key, which the delivery deduplicates again.

**Which months.** Only the current month and the one before (UTC): the alert is news about
spending now; importing last year's statements must not raise a year of alerts.

**Spending** is the month's activity of the category in the household's currency (what the
budget view sums), negated: outflows count, refunds reduce it. **The limit** is the month's
assigned amount; a category with nothing assigned has no limit and raises nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.alerts.service import AlertKind, raise_alert
from family_budget.budgets.activity import total
from family_budget.categories.service import household_categories
from family_budget.config import Settings
from family_budget.errors import NotFound
from family_budget.households.context import HouseholdContext
from family_budget.models import (
    Account,
    ActivityTotal,
    BudgetAlertSetting,
    BudgetAssignment,
    Category,
    Household,
)
from family_budget.models.base import utcnow
from family_budget.months import add_months, format_month, month_of
from family_budget.worker.jobs import enqueue_in_flush

ALERT_JOB = "budgets.alert"
DEFAULT_THRESHOLDS = (80, 100)


def alert_months(today: date) -> list[date]:
    """The months whose spending raises alerts: this month and the previous one."""
    this = month_of(today)
    return [add_months(this, -1), this]


def crossed(spent_minor: int, limit_minor: int, thresholds: Collection[int]) -> list[int]:
    """The thresholds (percent of the limit) that spending has reached, lowest first."""
    if limit_minor <= 0 or spent_minor <= 0:
        return []
    return sorted(p for p in set(thresholds) if spent_minor * 100 >= p * limit_minor)


def queue_crossed_thresholds(
    connection: Connection, account_ids: Collection[uuid.UUID], months: Collection[date]
) -> int:
    """After the totals of `account_ids` in `months` were recomputed: write one alert job per
    threshold reached in their households' categories (see the module doc). Returns how many
    jobs were added (0 when all were raised before)."""
    recent = sorted(set(months) & set(alert_months(utcnow().date())))
    if not recent or not account_ids:
        return 0
    households = select(Account.household_id).where(Account.id.in_(sorted(account_ids)))
    spent = (
        select(
            ActivityTotal.household_id,
            ActivityTotal.category_id,
            ActivityTotal.month,
            total(ActivityTotal.amount_minor).label("activity"),
        )
        .join(Account, Account.id == ActivityTotal.account_id)
        .join(Household, Household.id == ActivityTotal.household_id)
        .where(
            ActivityTotal.household_id.in_(households),
            ActivityTotal.month.in_(recent),
            ActivityTotal.category_id.is_not(None),
            Account.currency == Household.currency,
        )
        .group_by(ActivityTotal.household_id, ActivityTotal.category_id, ActivityTotal.month)
        .subquery()
    )
    rows = connection.execute(
        select(
            spent.c.household_id,
            spent.c.category_id,
            spent.c.month,
            spent.c.activity,
            BudgetAssignment.assigned_minor,
            BudgetAlertSetting.thresholds,
        )
        .join(
            BudgetAssignment,
            and_(
                BudgetAssignment.household_id == spent.c.household_id,
                BudgetAssignment.category_id == spent.c.category_id,
                BudgetAssignment.month == spent.c.month,
            ),
        )
        .outerjoin(BudgetAlertSetting, BudgetAlertSetting.category_id == spent.c.category_id)
        .where(BudgetAssignment.assigned_minor > 0, spent.c.activity < 0)
    ).all()
    added = 0
    for household_id, category_id, month, activity, assigned, thresholds in rows:
        levels = DEFAULT_THRESHOLDS if thresholds is None else [int(t) for t in thresholds]
        for percent in crossed(-int(activity), int(assigned), levels):
            added += enqueue_in_flush(
                connection,
                ALERT_JOB,
                {
                    "household_id": str(household_id),
                    "category_id": str(category_id),
                    "month": format_month(month),
                    "percent": percent,
                    "spent_minor": -int(activity),
                    "limit_minor": int(assigned),
                },
                key=f"{ALERT_JOB}:{category_id}:{format_month(month)}:{percent}",
                household_id=household_id,
            )
    return added


def budget_url(settings: Settings, household_id: uuid.UUID, month: str) -> str:
    """The web app's budget page."""
    return f"{settings.public_app_url.rstrip('/')}/h/{household_id}/budget?month={month}"


async def raise_budget_alert(
    session: AsyncSession, settings: Settings, payload: dict[str, Any]
) -> bool:
    """The job: raise the alert a write queued (nothing when the household or the category
    is gone by now)."""
    household = await session.get(Household, uuid.UUID(payload["household_id"]))
    category = await session.get(Category, uuid.UUID(payload["category_id"]))
    if household is None or category is None or category.household_id != household.id:
        return False
    spent, limit = int(payload["spent_minor"]), int(payload["limit_minor"])
    return await raise_alert(
        session,
        kind=AlertKind.BUDGET_ALERT,
        data={
            "household_name": household.name,
            "budget_name": category.name,
            "spent": {"amount_minor": spent, "currency": household.currency},
            "limit": {"amount_minor": limit, "currency": household.currency},
            "percent_used": spent * 100 // limit,
            "budget_url": budget_url(settings, household.id, payload["month"]),
        },
        key=f"budget:{category.id}:{payload['month']}:{payload['percent']}",
        household=HouseholdContext.for_system(household),
    )


# --- The thresholds of a category ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Thresholds:
    category_id: uuid.UUID
    percents: list[int]
    is_default: bool


async def _category(
    session: AsyncSession, household: HouseholdContext, category_id: uuid.UUID
) -> Category:
    category = await session.scalar(
        household_categories(household.id).where(Category.id == category_id)
    )
    if category is None:
        raise NotFound("Category not found", code="category_not_found")
    return category


async def get_thresholds(
    session: AsyncSession, household: HouseholdContext, category_id: uuid.UUID
) -> Thresholds:
    category = await _category(session, household, category_id)
    row = await session.get(BudgetAlertSetting, category.id)
    if row is None:
        return Thresholds(category.id, list(DEFAULT_THRESHOLDS), True)
    return Thresholds(category.id, sorted(int(t) for t in row.thresholds), False)


async def set_thresholds(
    session: AsyncSession,
    household: HouseholdContext,
    category_id: uuid.UUID,
    percents: Sequence[int] | None,
) -> Thresholds:
    """Set a category's thresholds; None goes back to the defaults, [] turns alerts off."""
    category = await _category(session, household, category_id)
    row = await session.get(BudgetAlertSetting, category.id)
    if percents is None:
        if row is not None:
            await session.delete(row)
            await session.flush()
        return Thresholds(category.id, list(DEFAULT_THRESHOLDS), True)
    values = sorted(set(percents))
    if row is None:
        session.add(
            BudgetAlertSetting(
                category_id=category.id, household_id=household.id, thresholds=values
            )
        )
    else:
        row.thresholds = values
    await session.flush()
    return Thresholds(category.id, values, False)
