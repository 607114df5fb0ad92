"""Reports for adults and owners: spending by category, income against expenses, net worth."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from family_budget.deps import AdultHouseholdDep, SessionDep
from family_budget.errors import Unprocessable
from family_budget.months import MONTH_SCHEMA_PATTERN, month_argument, trailing_months
from family_budget.reports import service
from family_budget.reports.schemas import IncomeVsExpensesRead, NetWorthRead, SpendingReportRead
from family_budget.schemas import EARLIEST_DATE, SaneDate

router = APIRouter(prefix="/reports", tags=["reports"])


async def _report_months(
    months: Annotated[
        int, Query(ge=1, le=60, description="How many months, ending with `end`")
    ] = 12,
    end: Annotated[
        str | None,
        Query(
            description="Last month, YYYY-MM (default: the current month, UTC)",
            examples=["2024-03"],
            json_schema_extra={"pattern": MONTH_SCHEMA_PATTERN},
        ),
    ] = None,
) -> list[date]:
    last = datetime.now(UTC).date() if end is None else month_argument(end, "end")
    report_months = trailing_months(last, months)
    if report_months[0] < EARLIEST_DATE:
        # Months before 1900 are outside what any date here may be (and what the answer says).
        raise Unprocessable(
            f"The months may not start before {EARLIEST_DATE:%Y-%m}", code="invalid_range"
        )
    return report_months


ReportMonths = Annotated[list[date], Depends(_report_months)]


@router.get("/spending-by-category", response_model=SpendingReportRead)
async def get_spending_by_category(
    household: AdultHouseholdDep,
    session: SessionDep,
    starts_on: Annotated[SaneDate, Query(alias="from", description="First day, YYYY-MM-DD")],
    ends_on: Annotated[SaneDate, Query(alias="to", description="Last day (included), YYYY-MM-DD")],
) -> SpendingReportRead:
    """Report net spending per category and group between two days (at most five years);
    categories whose money nets to nothing in the range are left out."""
    report = await service.spending_by_category(session, household, starts_on, ends_on)
    return SpendingReportRead.model_validate(report)


@router.get("/income-vs-expenses", response_model=IncomeVsExpensesRead)
async def get_income_vs_expenses(
    household: AdultHouseholdDep, session: SessionDep, months: ReportMonths
) -> IncomeVsExpensesRead:
    """Report income, expenses and their difference per month."""
    flows = await service.income_vs_expenses(session, household, months)
    return IncomeVsExpensesRead.model_validate(
        {"currency": household.household.currency, "months": flows}
    )


@router.get("/net-worth", response_model=NetWorthRead)
async def get_net_worth(
    household: AdultHouseholdDep, session: SessionDep, months: ReportMonths
) -> NetWorthRead:
    """Report assets, liabilities and net worth at each month end."""
    report = await service.net_worth(session, household, months)
    return NetWorthRead.model_validate(report)
