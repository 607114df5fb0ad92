"""The monthly budget: everyone in the household reads it, adults and owners change it."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from family_budget.audit import service as audit
from family_budget.audit.service import Target
from family_budget.budgets import alerts, service
from family_budget.budgets.schemas import (
    AlertThresholdsRead,
    AlertThresholdsSet,
    BudgetAssignmentSet,
    BudgetCategoryRead,
    BudgetCopyRead,
    BudgetMonthRead,
)
from family_budget.deps import AdultHouseholdDep, HouseholdDep, SessionDep
from family_budget.models import AuditAction
from family_budget.months import MonthPath

router = APIRouter(prefix="/budgets", tags=["budgets"])
# A category's budget alert thresholds (family_budget.budgets.alerts).
alert_router = APIRouter(prefix="/categories", tags=["budgets"])


@router.get("/{month}", response_model=BudgetMonthRead)
async def get_budget_month(
    household: HouseholdDep, session: SessionDep, month: MonthPath
) -> BudgetMonthRead:
    """Show a month's budget: assigned, activity and available per category, and totals."""
    view = await service.get_month_view(session, household, month)
    return BudgetMonthRead.model_validate(view)


@router.put("/{month}/{category_id}", response_model=BudgetCategoryRead)
async def set_budget_assignment(
    household: AdultHouseholdDep,
    session: SessionDep,
    month: MonthPath,
    category_id: uuid.UUID,
    body: BudgetAssignmentSet,
) -> BudgetCategoryRead:
    """Set what is assigned to a spending category in a month."""
    line = await service.set_assignment(session, household, month, category_id, body.assigned_minor)
    await audit.record(
        session,
        household,
        AuditAction.BUDGET_ASSIGNED,
        Target("category", line.category_id, line.name),
        {"month": month.isoformat(), "assigned_minor": line.assigned_minor},
    )
    return BudgetCategoryRead.model_validate(line)


@router.post("/{month}/copy-previous", response_model=BudgetCopyRead)
async def copy_previous_budget(
    household: AdultHouseholdDep, session: SessionDep, month: MonthPath
) -> BudgetCopyRead:
    """Copy last month's amounts into categories that have none this month yet."""
    copied = await service.copy_previous_month(session, household, month)
    if copied:
        await audit.record(
            session,
            household,
            AuditAction.BUDGET_COPIED,
            Target("budget", None, month.strftime("%B %Y")),
            {"month": month.isoformat(), "copied_count": copied},
        )
    return BudgetCopyRead(month=month, copied_count=copied)


@alert_router.get("/{category_id}/alert-thresholds")
async def get_alert_thresholds(
    household: HouseholdDep, session: SessionDep, category_id: uuid.UUID
) -> AlertThresholdsRead:
    """A category's budget alert thresholds (percent of the month's assigned amount)."""
    found = await alerts.get_thresholds(session, household, category_id)
    return AlertThresholdsRead(
        category_id=found.category_id, percents=found.percents, is_default=found.is_default
    )


@alert_router.put("/{category_id}/alert-thresholds")
async def set_alert_thresholds(
    household: AdultHouseholdDep,
    session: SessionDep,
    category_id: uuid.UUID,
    body: AlertThresholdsSet,
) -> AlertThresholdsRead:
    """Set a category's budget alert thresholds (null: the defaults, []: none)."""
    found = await alerts.set_thresholds(session, household, category_id, body.percents)
    return AlertThresholdsRead(
        category_id=found.category_id, percents=found.percents, is_default=found.is_default
    )
