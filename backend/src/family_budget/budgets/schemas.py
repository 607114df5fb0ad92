"""Budget request and response bodies. Months travel as "YYYY-MM"."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, Field, StrictInt

from family_budget.months import Month
from family_budget.schemas import NonNegativeAmountMinor, ReadSchema, Schema


class BudgetAssignmentSet(Schema):
    assigned_minor: NonNegativeAmountMinor = Field(
        description="What to assign to the category this month; 0 records an explicit zero"
    )


class BudgetCategoryRead(ReadSchema):
    category_id: uuid.UUID
    name: str
    hidden: bool
    rollover: bool
    assigned_minor: int
    activity_minor: int = Field(description="Signed sum of the month's activity (outflows < 0)")
    available_minor: int


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
    left_to_assign_minor: int = Field(
        description="All income through this month minus everything assigned through this month"
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
