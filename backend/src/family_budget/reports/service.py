"""Reports over a household's money: spending by category, income against expenses, net worth.

Spending and income use the same activity as the budget (family_budget.budgets.activity): no
transfers, split transactions through their lines, accounts in the household's currency only.
Net worth is about balances instead, so there transfers do count (each leg moves its account).
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Date,
    Integer,
    Select,
    SQLColumnExpression,
    Subquery,
    Uuid,
    bindparam,
    cast,
    extract,
    func,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.budgets.activity import activity_arms, foreign_account_ids, total
from family_budget.categories.service import categories_in_display_order
from family_budget.errors import Unprocessable
from family_budget.households.context import HouseholdContext
from family_budget.models import (
    Account,
    AccountKind,
    ActivityTotal,
    Category,
    Transaction,
)
from family_budget.months import add_months, add_years, iter_months, month_end, month_of

MAX_RANGE_YEARS = 5
# Kinds whose negative balance is money owed. A negative checking balance (an overdraft) stays a
# negative asset: the account is still an asset that happens to be below zero.
LIABILITY_KINDS = frozenset({AccountKind.CREDIT_CARD, AccountKind.LOAN})


def check_range(starts_on: date, ends_on: date) -> None:
    if starts_on > ends_on:
        raise Unprocessable("from must not be after to", code="invalid_range")
    if ends_on > add_years(starts_on, MAX_RANGE_YEARS):
        raise Unprocessable(
            f"The range may span at most {MAX_RANGE_YEARS} years", code="range_too_long"
        )


@dataclass(slots=True)
class SpendingCategory:
    category_id: uuid.UUID
    name: str
    spent_minor: int


@dataclass(slots=True)
class SpendingGroup:
    group_id: uuid.UUID
    name: str
    categories: list[SpendingCategory] = field(default_factory=list)

    @property
    def spent_minor(self) -> int:
        return sum(c.spent_minor for c in self.categories)


@dataclass(slots=True)
class SpendingReport:
    starts_on: date
    ends_on: date
    currency: str
    groups: list[SpendingGroup]
    uncategorized_minor: int

    @property
    def total_minor(self) -> int:
        return sum(g.spent_minor for g in self.groups) + self.uncategorized_minor


DayRange = tuple[date, date]


@dataclass(frozen=True, slots=True)
class RangePlan:
    """How a range of days is read: the months from `first_month` to `last_month` from the
    monthly totals (none if first_month is None), plus the raw rows of the days in `added`,
    minus the raw rows of the days in `subtracted` (first and last day, both included).

    A partial month at an edge of the range is read from whichever side has fewer days of raw
    rows: its own days, or the month's total less the days it leaves out. A rolling year
    (the 2nd of a month to the 2nd a year later) then reads a day or two of raw rows instead of
    most of a month."""

    first_month: date | None
    last_month: date | None
    added: tuple[DayRange, ...]
    subtracted: tuple[DayRange, ...]


def _days(day_range: DayRange) -> int:
    return (day_range[1] - day_range[0]).days + 1


def plan_range(starts_on: date, ends_on: date) -> RangePlan:
    first_month, last_month = month_of(starts_on), month_of(ends_on)
    in_totals: list[date] = []
    if first_month < last_month and add_months(first_month, 1) < last_month:
        in_totals += [add_months(first_month, 1), add_months(last_month, -1)]
    added: list[DayRange] = []
    subtracted: list[DayRange] = []
    for month in sorted({first_month, last_month}):
        first, last = max(starts_on, month), min(ends_on, month_end(month))
        # The days of the month outside the range (never computed past 0001-01-01 or 9999-12-31).
        left_out: list[DayRange] = []
        if first > month:
            left_out.append((month, first - timedelta(days=1)))
        if last < month_end(month):
            left_out.append((last + timedelta(days=1), month_end(month)))
        if sum(_days(r) for r in left_out) < _days((first, last)):
            in_totals.append(month)
            subtracted += left_out
        else:
            added.append((first, last))
    return RangePlan(
        min(in_totals, default=None), max(in_totals, default=None), tuple(added), tuple(subtracted)
    )


def _raw_activity(
    prefix: str,
    count: int,
    household_id: BindParameter[uuid.UUID],
    foreign: BindParameter[uuid.UUID] | None,
) -> Subquery:
    ranges = [
        (
            bindparam(f"{prefix}_first_{index}", type_=Date()),
            bindparam(f"{prefix}_last_{index}", type_=Date()),
        )
        for index in range(count)
    ]
    return union_all(
        *activity_arms(
            ranges=ranges,
            household_id=household_id,
            exclude_account_ids=foreign if foreign is not None else (),
        )
    ).subquery(prefix)


@functools.cache
def _spending_statement(
    whole_months: bool, added: int, subtracted: int, foreign_accounts: bool
) -> Select[uuid.UUID | None, int]:
    """Net activity per category of a range (RangePlan), built once per shape of range (whether
    it has months from the totals, how many day ranges added and subtracted, whether some
    accounts are left out) with the days, the household and the accounts left out as
    parameters: household_id, first_month, last_month, added_first_N / added_last_N,
    subtracted_first_N / subtracted_last_N, foreign. Building it for every request cost more
    than running it, and left hundreds of objects in reference cycles each time."""
    household_id = bindparam("household_id", type_=Uuid())
    foreign = bindparam("foreign", expanding=True, type_=Uuid()) if foreign_accounts else None
    parts: list[Select[uuid.UUID | None, int]] = []
    if whole_months:
        conditions = [
            ActivityTotal.household_id == household_id,
            ActivityTotal.month >= bindparam("first_month", type_=Date()),
            ActivityTotal.month <= bindparam("last_month", type_=Date()),
        ]
        if foreign is not None:
            conditions.append(ActivityTotal.account_id.not_in(foreign))
        parts.append(
            select(
                ActivityTotal.category_id.label("category_id"),
                ActivityTotal.amount_minor.label("amount_minor"),
            ).where(*conditions)
        )
    if added:
        raw = _raw_activity("added", added, household_id, foreign)
        parts.append(select(raw.c.category_id, raw.c.amount_minor))
    if subtracted:
        raw = _raw_activity("subtracted", subtracted, household_id, foreign)
        parts.append(select(raw.c.category_id, (-raw.c.amount_minor).label("amount_minor")))
    activity = union_all(*parts).subquery("spending") if len(parts) > 1 else parts[0].subquery()
    return select(activity.c.category_id, total(activity.c.amount_minor)).group_by(
        activity.c.category_id
    )


async def spending_by_category(
    session: AsyncSession, household: HouseholdContext, starts_on: date, ends_on: date
) -> SpendingReport:
    """Net outflow per spending category (and group) between two days, both included.

    Income categories are left out; activity without a category is its own row, net of any
    uncategorized inflows. Hidden categories count like any other: the money was spent.
    """
    check_range(starts_on, ends_on)
    foreign = await foreign_account_ids(session, household)
    plan = plan_range(starts_on, ends_on)
    parameters: dict[str, Any] = {"household_id": household.id, "foreign": foreign}
    if plan.first_month is not None:
        parameters |= {"first_month": plan.first_month, "last_month": plan.last_month}
    for prefix, day_ranges in (("added", plan.added), ("subtracted", plan.subtracted)):
        for index, (first, last) in enumerate(day_ranges):
            parameters |= {f"{prefix}_first_{index}": first, f"{prefix}_last_{index}": last}
    statement = _spending_statement(
        plan.first_month is not None, len(plan.added), len(plan.subtracted), bool(foreign)
    )
    spent = {
        category_id: -amount for category_id, amount in await session.execute(statement, parameters)
    }
    uncategorized = spent.pop(None, 0)
    categories = await categories_in_display_order(session, household)
    groups: dict[uuid.UUID, SpendingGroup] = {}
    for category, group in categories:
        amount = spent.pop(category.id, 0)
        # A category whose money nets to nothing in the range is left out, like one without
        # money: a month's total less its other days cannot tell the two apart.
        if amount == 0 or category.is_income:
            continue
        groups.setdefault(group.id, SpendingGroup(group.id, group.name)).categories.append(
            SpendingCategory(category.id, category.name, amount)
        )
    # Activity pointing at a category outside the household cannot be attributed; keep the money
    # in the total rather than losing it.
    uncategorized += sum(spent.values())
    return SpendingReport(
        starts_on, ends_on, household.currency, list(groups.values()), uncategorized
    )


@dataclass(frozen=True, slots=True)
class MonthFlow:
    month: date
    income_minor: int
    expenses_minor: int

    @property
    def net_minor(self) -> int:
        return self.income_minor - self.expenses_minor


def _year_and_month(
    column: SQLColumnExpression[date],
) -> tuple[ColumnElement[int], ColumnElement[int]]:
    # EXTRACT is rendered per dialect by SQLAlchemy (strftime on SQLite); PostgreSQL returns
    # NUMERIC, hence the casts.
    return cast(extract("year", column), Integer), cast(extract("month", column), Integer)


async def income_vs_expenses(
    session: AsyncSession, household: HouseholdContext, months: list[date]
) -> list[MonthFlow]:
    """Per month: income (activity in income categories) and expenses (minus the activity of
    spending categories and of uncategorized money), so that net is all activity of the month.
    Months without activity are listed with zeros."""
    # Whole months: the monthly totals answer alone.
    foreign = await foreign_account_ids(session, household)
    conditions = [
        ActivityTotal.household_id == household.id,
        ActivityTotal.month >= month_of(months[0]),
        ActivityTotal.month <= months[-1],
    ]
    if foreign:
        conditions.append(ActivityTotal.account_id.not_in(foreign))
    is_income = func.coalesce(Category.is_income, False)
    rows = await session.execute(
        select(ActivityTotal.month, is_income, total(ActivityTotal.amount_minor))
        .select_from(ActivityTotal)
        .outerjoin(Category, Category.id == ActivityTotal.category_id)
        .where(*conditions)
        .group_by(ActivityTotal.month, is_income)
    )
    income: dict[date, int] = defaultdict(int)
    expenses: dict[date, int] = defaultdict(int)
    for key, row_is_income, amount in rows:
        if row_is_income:
            income[key] += amount
        else:
            expenses[key] -= amount
    return [MonthFlow(m, income[m], expenses[m]) for m in months]


def classify_balance(kind: AccountKind, balance_minor: int) -> tuple[int, int]:
    """(asset, liability) for one account's balance. A credit card or loan below zero is a
    liability of that size (reported positive); every other balance, including a credit card in
    credit or an overdrawn checking account, is an asset (possibly negative)."""
    if kind in LIABILITY_KINDS and balance_minor < 0:
        return 0, -balance_minor
    return balance_minor, 0


@dataclass(frozen=True, slots=True)
class NetWorthPoint:
    month: date
    ends_on: date
    assets_minor: int
    liabilities_minor: int

    @property
    def net_worth_minor(self) -> int:
        return self.assets_minor - self.liabilities_minor


@dataclass(frozen=True, slots=True)
class NetWorthReport:
    currency: str
    months: list[NetWorthPoint]
    excluded_account_ids: list[uuid.UUID]


async def net_worth(
    session: AsyncSession, household: HouseholdContext, months: list[date]
) -> NetWorthReport:
    """Balances at each month end, summed into assets and liabilities.

    An account's balance at a day is its opening balance (once the day has reached the account's
    opened_on) plus every transaction posted up to that day, transfers and pending ones included.
    Archived accounts count with whatever balance they hold. Accounts in another currency than
    the household's cannot be added up and are listed in `excluded_account_ids` instead.
    """
    accounts = (
        await session.scalars(
            select(Account).where(Account.household_id == household.id).order_by(Account.id)
        )
    ).all()
    included = [a for a in accounts if a.currency == household.currency]
    excluded = [a.id for a in accounts if a.currency != household.currency]
    first, last_day = months[0], month_end(months[-1])
    # The household's accounts, read above with the household condition: their ids scope the
    # transactions (and lead the planner to the (account_id, posted_on) index).
    in_currency = [a.id for a in included]
    scope = (Transaction.account_id.in_(in_currency),)
    before: dict[uuid.UUID, int] = {
        account_id: amount
        for account_id, amount in await session.execute(
            select(Transaction.account_id, total(Transaction.amount_minor))
            .where(*scope, Transaction.posted_on < first)
            .group_by(Transaction.account_id)
        )
    }
    year, month = _year_and_month(Transaction.posted_on)
    flows: dict[tuple[uuid.UUID, date], int] = {}
    for account_id, row_year, row_month, amount in await session.execute(
        select(Transaction.account_id, year, month, total(Transaction.amount_minor))
        .where(*scope, Transaction.posted_on >= first, Transaction.posted_on <= last_day)
        .group_by(Transaction.account_id, year, month)
    ):
        flows[(account_id, date(int(row_year), int(row_month), 1))] = amount

    running = {a.id: before.get(a.id, 0) for a in included}
    points = []
    for month_start in iter_months(first, months[-1]):
        ends_on = month_end(month_start)
        assets = liabilities = 0
        for account in included:
            running[account.id] += flows.get((account.id, month_start), 0)
            opening = account.opening_balance_minor if account.opened_on <= ends_on else 0
            asset, liability = classify_balance(account.kind, opening + running[account.id])
            assets += asset
            liabilities += liability
        points.append(NetWorthPoint(month_start, ends_on, assets, liabilities))
    return NetWorthReport(household.currency, points, excluded)
