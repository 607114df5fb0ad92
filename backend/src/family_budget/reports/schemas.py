"""Report response bodies. Amounts are in the household's currency, given beside them."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field

from family_budget.months import Month
from family_budget.schemas import ReadSchema


class SpendingCategoryRead(ReadSchema):
    category_id: uuid.UUID
    name: str
    spent_minor: int = Field(description="Outflows minus refunds (positive = money went out)")


class SpendingGroupRead(ReadSchema):
    group_id: uuid.UUID
    name: str
    spent_minor: int
    categories: list[SpendingCategoryRead]


class SpendingReportRead(ReadSchema):
    starts_on: date
    ends_on: date
    currency: str
    groups: list[SpendingGroupRead] = Field(
        description="Spending categories with activity in the range, by group, in display order"
    )
    uncategorized_minor: int = Field(description="Net outflow of activity without a category")
    total_minor: int = Field(description="Every group plus uncategorized")


class MonthFlowRead(ReadSchema):
    month: Month
    income_minor: int = Field(description="Activity in income categories")
    expenses_minor: int = Field(
        description="Minus the activity in spending categories and without a category"
    )
    net_minor: int = Field(description="income_minor - expenses_minor")


class IncomeVsExpensesRead(ReadSchema):
    currency: str
    months: list[MonthFlowRead]


class NetWorthPointRead(ReadSchema):
    month: Month
    ends_on: date = Field(description="The month's last day: balances are as of its end")
    assets_minor: int
    liabilities_minor: int = Field(
        description="Owed on credit cards and loans, as a positive amount"
    )
    net_worth_minor: int = Field(description="assets_minor - liabilities_minor")


class NetWorthRead(ReadSchema):
    currency: str
    months: list[NetWorthPointRead]
    excluded_account_ids: list[uuid.UUID] = Field(
        description="Accounts in another currency than the household's, left out of the sums"
    )
