"""The monthly budget: everyone in the household reads it, adults and owners change it.

The rules (docs/budgeting.md): money to assign for a month is the opening balances of on-budget
accounts plus all income through the month, minus everything assigned through the month, minus
overspending of earlier months not carried in its category. What is left in a category always
carries into the next month; overspending does only when the category has carry_overspending.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from family_budget.audit import service as audit
from family_budget.audit.service import Target
from family_budget.budgets import alerts, service
from family_budget.budgets.schemas import (
    AlertThresholdsRead,
    AlertThresholdsSet,
    AssignmentChangeRead,
    BudgetAssignmentSet,
    BudgetCategoryRead,
    BudgetCopyRead,
    BudgetMonthRead,
    BudgetMove,
    QuickAssign,
    QuickAssignRead,
    TargetRead,
    TargetSet,
)
from family_budget.deps import AdultHouseholdDep, HouseholdDep, SessionDep
from family_budget.models import AuditAction
from family_budget.months import MonthPath

router = APIRouter(prefix="/budgets", tags=["budgets"])
# How the audit log names the money not yet assigned to a category.
TO_ASSIGN = "To assign"
# A category's budget alert thresholds (family_budget.budgets.alerts).
alert_router = APIRouter(prefix="/categories", tags=["budgets"])


@router.get("/{month}", response_model=BudgetMonthRead)
async def get_budget_month(
    household: HouseholdDep, session: SessionDep, month: MonthPath
) -> BudgetMonthRead:
    """Show a month's budget: carried in, assigned, activity, available and target status per
    category, and totals with the money to assign.

    available = carried in + assigned + activity. A positive available carries into the next
    month (across years too); a negative one (overspending) comes out of the next month's money
    to assign, and the category starts at 0, unless the category has carry_overspending, when it
    carries in the category. Only on-budget accounts' money counts; a transfer between an
    on-budget and a tracking account is activity of its category."""
    view = await service.get_month_view(session, household, month)
    return BudgetMonthRead.model_validate(view)


@router.put("/{month}/{category_id:uuid}", response_model=BudgetCategoryRead)
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


@router.post(
    "/{month}/move",
    response_model=BudgetMonthRead,
    responses={404: {"description": "Not a member of the household"}},
)
async def move_budget_money(
    household: AdultHouseholdDep, session: SessionDep, month: MonthPath, body: BudgetMove
) -> BudgetMonthRead:
    """Move available money between two spending categories in one step.

    Changes the two categories' assignments of the month in one transaction: the source's goes
    down by amount_minor (below zero if the money was carried in), the destination's up. A null
    from_category_id assigns from the money to assign; a null to_category_id returns money to
    it. Returns the month after the move."""
    view = await service.move_money(
        session, household, month, body.from_category_id, body.to_category_id, body.amount_minor
    )
    names = {line.category_id: line.name for group in view.groups for line in group.categories}
    source = names.get(body.from_category_id, TO_ASSIGN) if body.from_category_id else TO_ASSIGN
    destination = names.get(body.to_category_id, TO_ASSIGN) if body.to_category_id else TO_ASSIGN
    await audit.record(
        session,
        household,
        AuditAction.BUDGET_MOVED,
        Target("budget", None, f"{source} → {destination}"),
        {"month": month.isoformat(), "amount_minor": body.amount_minor},
    )
    return BudgetMonthRead.model_validate(view)


@router.post("/{month}/quick-assign", response_model=QuickAssignRead)
async def quick_assign(
    household: AdultHouseholdDep, session: SessionDep, month: MonthPath, body: QuickAssign
) -> QuickAssignRead:
    """Set the month's assigned amounts in one step and return what changed.

    fund_targets: assigned += what the target is underfunded by; last_month: assigned = last
    month's assigned (0 when none); average_3_months: assigned = the average spent in the
    three previous months, rounded half up to the minor unit."""
    changes = await service.quick_assign(
        session, household, month, body.strategy, body.category_ids
    )
    if changes:
        await audit.record(
            session,
            household,
            AuditAction.BUDGET_QUICK_ASSIGNED,
            Target("budget", None, month.strftime("%B %Y")),
            {"month": month.isoformat(), "strategy": body.strategy, "changed_count": len(changes)},
        )
    return QuickAssignRead(
        month=month, changes=[AssignmentChangeRead.model_validate(c) for c in changes]
    )


@alert_router.put("/{category_id}/target", response_model=TargetRead)
async def set_category_target(
    household: AdultHouseholdDep, session: SessionDep, category_id: uuid.UUID, body: TargetSet
) -> TargetRead:
    """Set a spending category's target: a monthly amount, or an amount by a month.

    A by_date target needs (amount - available at the start of the month) / months left
    including the current one, rounded up, each month; the month view says funded or
    underfunded."""
    category = await service.set_target(
        session, household, category_id, body.kind, body.amount_minor, body.month
    )
    await audit.record(
        session,
        household,
        AuditAction.TARGET_SET,
        Target("category", category.id, category.name),
        {
            "kind": body.kind,
            "amount_minor": body.amount_minor,
            "month": body.month.isoformat() if body.month else None,
        },
    )
    return TargetRead(
        kind=body.kind, amount_minor=category.target_amount_minor or 0, month=category.target_month
    )


@alert_router.delete("/{category_id}/target", status_code=204)
async def clear_category_target(
    household: AdultHouseholdDep, session: SessionDep, category_id: uuid.UUID
) -> None:
    """Remove a category's target (nothing happens when it has none)."""
    category = await service.clear_target(session, household, category_id)
    if category is not None:
        await audit.record(
            session,
            household,
            AuditAction.TARGET_CLEARED,
            Target("category", category.id, category.name),
        )


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
