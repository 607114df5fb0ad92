"""Budget request and response bodies. Months travel as "YYYY-MM"."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import BaseModel, Field, StrictInt, model_validator

from family_budget.budgets.service import QuickAssignStrategy
from family_budget.budgets.targets import TargetStatus
from family_budget.models import TargetKind
from family_budget.months import Month, MonthInput
from family_budget.schemas import (
    NonNegativeAmountMinor,
    PositiveAmountMinor,
    ReadSchema,
    Schema,
)


class BudgetAssignmentSet(Schema):
    assigned_minor: NonNegativeAmountMinor = Field(
        description="What to assign to the category this month; 0 records an explicit zero"
    )


class TargetRead(ReadSchema):
    kind: TargetKind = Field(
        description="monthly: assign amount_minor every month; by_date: have amount_minor "
        "available by the end of `month`"
    )
    amount_minor: int
    month: Month | None = Field(description="The month of a by_date target; null for monthly")


class TargetSet(Schema):
    kind: TargetKind
    amount_minor: PositiveAmountMinor
    month: MonthInput | None = Field(
        default=None, description="Required for by_date (the month to reach the amount by)"
    )


class BudgetCategoryRead(ReadSchema):
    category_id: uuid.UUID
    name: str
    hidden: bool
    carry_overspending: bool = Field(
        description="Overspending carries into the category's next month instead of coming out "
        "of the next month's money to assign"
    )
    carried_in_minor: int = Field(
        description="Available at the start of the month: what was left last month, or last "
        "month's overspending when carry_overspending is on"
    )
    assigned_minor: int
    activity_minor: int = Field(description="Signed sum of the month's activity (outflows < 0)")
    available_minor: int = Field(description="carried_in + assigned + activity")
    target: TargetRead | None
    target_status: TargetStatus = Field(
        description="none: no target; funded: this month's assignment meets what the target "
        "needs this month; underfunded: it falls short by underfunded_minor"
    )
    target_needed_minor: int = Field(
        description="What the target needs assigned this month (monthly: the amount; by_date: "
        "(amount - carried_in) / months left including this one, rounded up)"
    )
    underfunded_minor: int = Field(description="needed - assigned when positive, else 0")

    @model_validator(mode="before")
    @classmethod
    def _from_line(cls, value: Any) -> Any:
        progress = getattr(value, "target_progress", None)
        if progress is None:
            return value
        return {
            **{name: getattr(value, name) for name in cls.model_fields if hasattr(value, name)},
            "target_status": progress.status,
            "target_needed_minor": progress.needed_minor,
            "underfunded_minor": progress.underfunded_minor,
        }


class BudgetGroupRead(ReadSchema):
    group_id: uuid.UUID
    name: str
    hidden: bool
    assigned_minor: int
    activity_minor: int
    available_minor: int
    categories: list[BudgetCategoryRead]


class BudgetTotalsRead(ReadSchema):
    income_minor: int = Field(description="The month's activity in income categories")
    assigned_minor: int = Field(description="Assigned this month, over all spending categories")
    spent_minor: int = Field(
        description="Minus the month's activity in spending categories (positive = money out)"
    )
    opening_balances_minor: int = Field(
        description="Opening balances of the on-budget accounts opened by the end of this month"
    )
    overspending_covered_minor: int = Field(
        description="Overspending of earlier months (in categories without carry_overspending) "
        "that the money to assign has covered"
    )
    left_to_assign_minor: int = Field(
        description="Money to assign: opening_balances + all income through this month - "
        "everything assigned through this month - overspending_covered. Later months' "
        "assignments are not subtracted"
    )
    uncategorized_activity_minor: int = Field(
        description="The month's activity without a category (not part of spent_minor)"
    )


class BudgetMonthRead(ReadSchema):
    month: Month
    currency: str
    groups: list[BudgetGroupRead] = Field(
        description="Spending categories by group; income categories are summed in totals only"
    )
    totals: BudgetTotalsRead


class BudgetCopyRead(ReadSchema):
    month: Month
    copied_count: int = Field(description="Categories that received last month's amount")


class BudgetMove(Schema):
    from_category_id: uuid.UUID | None = Field(
        description="The spending category the money leaves; null: the money to assign"
    )
    to_category_id: uuid.UUID | None = Field(
        description="The spending category the money goes to; null: back to the money to assign"
    )
    amount_minor: PositiveAmountMinor


class QuickAssign(Schema):
    strategy: QuickAssignStrategy = Field(
        description="fund_targets: assigned += underfunded; last_month: assigned = last month's "
        "assigned; average_3_months: assigned = average spent in the 3 previous months "
        "(rounded half up to the minor unit; a month with net refunds counts as 0)"
    )
    category_ids: list[uuid.UUID] | None = Field(
        default=None,
        max_length=500,
        description="Spending categories to change; null: every spending category",
    )


class AssignmentChangeRead(ReadSchema):
    category_id: uuid.UUID
    previous_assigned_minor: int
    assigned_minor: int


class QuickAssignRead(BaseModel):
    month: Month
    changes: list[AssignmentChangeRead] = Field(description="Only the categories that changed")


class AlertThresholdsSet(Schema):
    percents: list[Annotated[StrictInt, Field(ge=1, le=1000)]] | None = Field(
        max_length=10,
        description="Percent of the month's assigned amount at which spending raises a budget "
        "alert, once each per month; null: the defaults (80 and 100); []: no alerts",
    )


class AlertThresholdsRead(BaseModel):
    category_id: uuid.UUID
    percents: list[int]
    is_default: bool
