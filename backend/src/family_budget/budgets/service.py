"""Budget rules: the month view, setting amounts, copying last month's plan.

The month view is four small queries whatever the size of the history: the household's categories,
its foreign-currency accounts (whose money is left out), the budget assignments grouped by
category, and one grouped read of the monthly activity totals (family_budget.models.activity_total)
that takes the month for every category and the months before it only for the categories that
need a running total (rollover categories, and income categories for what is left to assign).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, not_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.accounts.service import visible_account_ids_filter
from family_budget.budgets.activity import foreign_account_ids, total
from family_budget.budgets.rollover import CategorySums, available_from_sums
from family_budget.categories.service import (
    categories_in_display_order,
    get_category,
    household_categories,
)
from family_budget.errors import Unprocessable
from family_budget.households.context import HouseholdContext
from family_budget.models import ActivityTotal, BudgetAssignment, Category
from family_budget.models.base import utcnow
from family_budget.months import add_months


@dataclass(frozen=True, slots=True)
class BudgetLine:
    category_id: uuid.UUID
    name: str
    hidden: bool
    rollover: bool
    assigned_minor: int
    activity_minor: int
    available_minor: int

    @property
    def has_money(self) -> bool:
        return any((self.assigned_minor, self.activity_minor, self.available_minor))


@dataclass(frozen=True, slots=True)
class BudgetGroup:
    group_id: uuid.UUID
    name: str
    hidden: bool
    categories: list[BudgetLine]

    @property
    def assigned_minor(self) -> int:
        return sum(line.assigned_minor for line in self.categories)

    @property
    def activity_minor(self) -> int:
        return sum(line.activity_minor for line in self.categories)

    @property
    def available_minor(self) -> int:
        return sum(line.available_minor for line in self.categories)


@dataclass(frozen=True, slots=True)
class BudgetTotals:
    income_minor: int
    assigned_minor: int
    spent_minor: int
    left_to_assign_minor: int
    uncategorized_activity_minor: int


@dataclass(frozen=True, slots=True)
class BudgetMonth:
    month: date
    currency: str
    groups: list[BudgetGroup]
    totals: BudgetTotals


async def _assignment_sums(
    session: AsyncSession, household: HouseholdContext, month: date
) -> dict[uuid.UUID, tuple[int, int]]:
    """category_id -> (assigned in `month`, assigned in every month up to and including it)."""
    rows = await session.execute(
        select(
            BudgetAssignment.category_id,
            total(
                case(
                    (BudgetAssignment.month == month, BudgetAssignment.assigned_minor),
                    else_=0,
                )
            ),
            total(BudgetAssignment.assigned_minor),
        )
        .where(BudgetAssignment.household_id == household.id, BudgetAssignment.month <= month)
        .group_by(BudgetAssignment.category_id)
    )
    return {category_id: (this_month, through) for category_id, this_month, through in rows}


async def _activity_sums(
    session: AsyncSession,
    household: HouseholdContext,
    month: date,
    running_ids: Collection[uuid.UUID],
) -> dict[uuid.UUID | None, tuple[int, int]]:
    """category_id (None = uncategorized) -> (activity in `month`, activity in every month up to
    and including it). The second sum is only complete for `running_ids`; one grouped read of
    the monthly totals covers the month for every category and the earlier months for those
    categories only."""
    foreign = await foreign_account_ids(session, household)
    totals = ActivityTotal
    running = list(running_ids)
    conditions = [totals.household_id == household.id, totals.month <= month]
    conditions.append(
        or_(totals.month == month, totals.category_id.in_(running))
        if running
        else totals.month == month
    )
    if foreign:
        conditions.append(totals.account_id.not_in(foreign))
    # A teen's budget counts the money of the accounts shared with them, nothing of the others.
    conditions.append(visible_account_ids_filter(household, totals.account_id))
    rows = await session.execute(
        select(
            totals.category_id,
            total(case((totals.month == month, totals.amount_minor), else_=0)),
            total(totals.amount_minor),
        )
        .where(*conditions)
        .group_by(totals.category_id)
    )
    return {category_id: (this_month, through) for category_id, this_month, through in rows}


async def compute_month(
    session: AsyncSession, household: HouseholdContext, month: date
) -> BudgetMonth:
    """The budget of one month for every spending category, hidden ones included.

    Totals:
    - income: the month's activity in income categories;
    - assigned: what is assigned this month to spending categories;
    - spent: minus the month's activity in spending categories (positive when money went out);
    - left to assign: every income category's activity in all months up to and including this
      one, minus every amount assigned to spending categories in all months up to and including
      this one. Money assigned in future months is not subtracted yet, so planning ahead never
      makes the current month look short; overspending is not subtracted either (it shows as a
      negative available in its category, and rolls over when the category does).
    """
    categories = await categories_in_display_order(session, household)
    assigned = await _assignment_sums(session, household, month)
    running_ids = [c.id for c, _ in categories if c.rollover or c.is_income]
    activity = await _activity_sums(session, household, month, running_ids)

    groups: dict[uuid.UUID, BudgetGroup] = {}
    income = assigned_total = spent = income_through = assigned_through_total = 0
    for category, group in categories:
        activity_month, activity_through = activity.get(category.id, (0, 0))
        if category.is_income:
            income += activity_month
            income_through += activity_through
            continue
        assigned_month, assigned_through = assigned.get(category.id, (0, 0))
        sums = CategorySums(
            assigned_month=assigned_month,
            activity_month=activity_month,
            assigned_through=assigned_through,
            activity_through=activity_through,
        )
        assigned_total += sums.assigned_month
        assigned_through_total += sums.assigned_through
        spent -= sums.activity_month
        budget_group = groups.setdefault(
            group.id, BudgetGroup(group.id, group.name, group.hidden, [])
        )
        budget_group.categories.append(
            BudgetLine(
                category_id=category.id,
                name=category.name,
                hidden=category.hidden or group.hidden,
                rollover=category.rollover,
                assigned_minor=sums.assigned_month,
                activity_minor=sums.activity_month,
                available_minor=available_from_sums(sums, category.rollover),
            )
        )
    return BudgetMonth(
        month=month,
        currency=household.currency,
        groups=list(groups.values()),
        totals=BudgetTotals(
            income_minor=income,
            assigned_minor=assigned_total,
            spent_minor=spent,
            left_to_assign_minor=income_through - assigned_through_total,
            uncategorized_activity_minor=activity.get(None, (0, 0))[0],
        ),
    )


async def get_month_view(
    session: AsyncSession, household: HouseholdContext, month: date
) -> BudgetMonth:
    """The month as the budget screen shows it: hidden categories only when they hold money
    (assigned, activity or available not zero this month), and groups left empty dropped.
    Totals always cover every category."""
    full = await compute_month(session, household, month)
    groups = []
    for group in full.groups:
        shown = [line for line in group.categories if not line.hidden or line.has_money]
        if shown:
            groups.append(BudgetGroup(group.group_id, group.name, group.hidden, shown))
    return BudgetMonth(full.month, full.currency, groups, full.totals)


async def _budgetable_category(
    session: AsyncSession, household: HouseholdContext, category_id: uuid.UUID
) -> Category:
    category = await get_category(session, household, category_id)
    if category.is_income:
        raise Unprocessable(
            "Income categories are not budgeted; assign money to spending categories",
            code="income_category",
        )
    return category


def _insert_assignments(session: AsyncSession) -> postgresql.Insert | sqlite.Insert:
    """INSERT with ON CONFLICT, which both backends have but SQLAlchemy spells per dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(BudgetAssignment)
    return sqlite.insert(BudgetAssignment)


async def set_assignment(
    session: AsyncSession,
    household: HouseholdContext,
    month: date,
    category_id: uuid.UUID,
    assigned_minor: int,
) -> BudgetLine:
    """Set (insert or replace) what is assigned to a spending category in a month.

    Zero is stored, not deleted: an explicit zero is a decision ("nothing for this month") that
    copying last month's plan must not overwrite. Returns the category's updated line.
    """
    category = await _budgetable_category(session, household, category_id)
    now = utcnow()
    statement = _insert_assignments(session).values(
        id=uuid.uuid4(),
        household_id=household.id,
        category_id=category.id,
        month=month,
        assigned_minor=assigned_minor,
        created_at=now,
        updated_at=now,
    )
    # One statement, so two people setting the same amount at once cannot collide on the
    # (household, category, month) unique constraint.
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[
                BudgetAssignment.household_id,
                BudgetAssignment.category_id,
                BudgetAssignment.month,
            ],
            set_={"assigned_minor": assigned_minor, "updated_at": now},
        )
    )
    view = await compute_month(session, household, month)
    return next(
        line
        for group in view.groups
        for line in group.categories
        if line.category_id == category.id
    )


async def copy_previous_month(
    session: AsyncSession, household: HouseholdContext, month: date
) -> int:
    """Copy last month's amounts into `month` for spending categories that have no amount in
    `month` yet (an amount already there, even zero, is kept). Returns how many were copied."""
    previous = add_months(month, -1)
    this_month = select(BudgetAssignment.category_id).where(
        BudgetAssignment.household_id == household.id, BudgetAssignment.month == month
    )
    spending = household_categories(household.id).where(Category.is_income.is_(False))
    candidates = (
        await session.execute(
            select(BudgetAssignment.category_id, BudgetAssignment.assigned_minor).where(
                BudgetAssignment.household_id == household.id,
                BudgetAssignment.month == previous,
                BudgetAssignment.category_id.in_(spending.with_only_columns(Category.id)),
                not_(BudgetAssignment.category_id.in_(this_month)),
            )
        )
    ).all()
    if not candidates:
        return 0
    now = utcnow()
    statement = (
        _insert_assignments(session)
        .values(
            [
                {
                    "id": uuid.uuid4(),
                    "household_id": household.id,
                    "category_id": category_id,
                    "month": month,
                    "assigned_minor": amount,
                    "created_at": now,
                    "updated_at": now,
                }
                for category_id, amount in candidates
            ]
        )
        .on_conflict_do_nothing(
            index_elements=[
                BudgetAssignment.household_id,
                BudgetAssignment.category_id,
                BudgetAssignment.month,
            ]
        )
        .returning(BudgetAssignment.id)
    )
    return len((await session.execute(statement)).all())
