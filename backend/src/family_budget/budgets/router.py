"""The monthly budget: everyone in the household reads it, adults and owners change it."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path

from family_budget.budgets import service
from family_budget.budgets.schemas import (
    BudgetAssignmentSet,
    BudgetCategoryRead,
    BudgetCopyRead,
    BudgetMonthRead,
)
from family_budget.deps import AdultHouseholdDep, HouseholdDep, SessionDep
from family_budget.errors import Unprocessable
from family_budget.schemas import parse_month

router = APIRouter(prefix="/budgets", tags=["budgets"])


def _month(
    month: Annotated[str, Path(description="The month, written YYYY-MM", examples=["2024-03"])],
) -> date:
    try:
        return parse_month(month)
    except ValueError as error:
        raise Unprocessable(f"month {error}", code="invalid_month") from None


MonthDep = Annotated[date, Depends(_month)]


@router.get("/{month}", response_model=BudgetMonthRead)
async def get_budget_month(
    household: HouseholdDep, session: SessionDep, month: MonthDep
) -> BudgetMonthRead:
    """Show a month's budget: assigned, activity and available per category, and totals."""
    view = await service.get_month_view(session, household.household, month)
    return BudgetMonthRead.model_validate(view)


@router.put("/{month}/{category_id}", response_model=BudgetCategoryRead)
async def set_budget_assignment(
    household: AdultHouseholdDep,
    session: SessionDep,
    month: MonthDep,
    category_id: uuid.UUID,
    body: BudgetAssignmentSet,
) -> BudgetCategoryRead:
    """Set what is assigned to a spending category in a month."""
    line = await service.set_assignment(
        session, household.household, month, category_id, body.assigned_minor
    )
    return BudgetCategoryRead.model_validate(line)


@router.post("/{month}/copy-previous", response_model=BudgetCopyRead)
async def copy_previous_budget(
    household: AdultHouseholdDep, session: SessionDep, month: MonthDep
) -> BudgetCopyRead:
    """Copy last month's amounts into categories that have none this month yet."""
    copied = await service.copy_previous_month(session, household.household, month)
    return BudgetCopyRead(month=month, copied_count=copied)
