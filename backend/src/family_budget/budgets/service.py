"""Budget rules: the month view, setting and moving amounts, targets and quick assign.

The month view is four small queries whatever the size of the history: the household's
categories, its accounts (opening balances; foreign-currency accounts are left out), the budget
assignments grouped by category and month, and the monthly activity totals
(family_budget.models.activity_total) grouped by category and month. The months are then walked
in Python (family_budget.budgets.carryover), because what carries over depends on the sign of
each month's end. The rules are written for people in docs/budgeting.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Date,
    String,
    Uuid,
    bindparam,
    literal,
    not_,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from family_budget.accounts.service import visible_account_ids_filter
from family_budget.budgets.activity import total
from family_budget.budgets.carryover import CategoryMonth, CategoryMonthKey, walk_to
from family_budget.budgets.targets import (
    Target,
    TargetProgress,
    progress,
    target_of,
)
from family_budget.categories.service import (
    categories_in_display_order,
    get_category,
    household_categories,
    require_category_in_household,
)
from family_budget.errors import Unprocessable
from family_budget.households.context import HouseholdContext
from family_budget.models import (
    Account,
    ActivityTotal,
    BudgetAssignment,
    Category,
    CategoryGroup,
    TargetKind,
)
from family_budget.models.base import utcnow
from family_budget.months import add_months, month_of


@dataclass(frozen=True, slots=True)
class BudgetLine:
    category_id: uuid.UUID
    name: str
    hidden: bool
    carry_overspending: bool
    carried_in_minor: int
    assigned_minor: int
    activity_minor: int
    available_minor: int
    target: Target | None
    target_progress: TargetProgress

    @property
    def has_money(self) -> bool:
        return any(
            (self.carried_in_minor, self.assigned_minor, self.activity_minor, self.available_minor)
        )


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
    opening_balances_minor: int
    overspending_covered_minor: int
    left_to_assign_minor: int
    uncategorized_activity_minor: int


@dataclass(frozen=True, slots=True)
class BudgetMonth:
    month: date
    currency: str
    groups: list[BudgetGroup]
    totals: BudgetTotals


@dataclass(frozen=True, slots=True)
class _Ledger:
    """Everything the month math reads, through `month`."""

    categories: Sequence[tuple[Category, CategoryGroup]]
    opening_balances_minor: int
    assigned: dict[CategoryMonthKey, int]
    activity: dict[CategoryMonthKey, int]
    uncategorized: dict[date, int]


# The month view's statements, built once (household_id and month are parameters): building
# them for every request cost more than running them.
_HOUSEHOLD = bindparam("household_id", type_=Uuid())
_CURRENCY = bindparam("currency", type_=String())
# Over the tables, not the mapped classes: a statement without ORM entities skips the ORM's
# per-execution compile step, a measurable share of a request this size.
_accounts = Account.__table__.c
_assignments = BudgetAssignment.__table__.c
_totals = ActivityTotal.__table__.c
_MONTH = bindparam("month", type_=Date())


def _money_through_month(
    visible: Callable[[InstrumentedAttribute[uuid.UUID]], ColumnElement[bool]] | None = None,
) -> CompoundSelect[*tuple[Any, ...]]:
    """Everything the month math reads but the categories, in one round trip, as rows
    (kind, category_id, month, amount):
    - ("opening", None, None, sum): the opening balances of the household's on-budget accounts
      in its currency opened before `next_month`;
    - ("assigned", category, month, sum) for every month through `month`;
    - ("activity", category or None, month, sum) for every month through `month`, of the
      accounts in the household's currency (the others' money cannot be added up with it).
    Parameters: household_id, currency, month, next_month. `visible` narrows the accounts (a
    teen's: those shared with them)."""
    opening = select(
        literal("opening"),
        literal(None, Uuid()),
        literal(None, Date()),
        total(_accounts.opening_balance_minor),
    ).where(
        _accounts.household_id == _HOUSEHOLD,
        _accounts.on_budget.is_(True),
        _accounts.currency == _CURRENCY,
        _accounts.opened_on < bindparam("next_month", type_=Date()),
    )
    assigned = (
        select(
            literal("assigned"),
            _assignments.category_id,
            _assignments.month,
            total(_assignments.assigned_minor),
        )
        .where(_assignments.household_id == _HOUSEHOLD, _assignments.month <= _MONTH)
        .group_by(_assignments.category_id, _assignments.month)
    )
    activity = (
        select(literal("activity"), _totals.category_id, _totals.month, total(_totals.amount_minor))
        .join(Account.__table__, _accounts.id == _totals.account_id)
        .where(
            _totals.household_id == _HOUSEHOLD,
            _totals.month <= _MONTH,
            _accounts.currency == _CURRENCY,
        )
        .group_by(_totals.category_id, _totals.month)
    )
    if visible is not None:
        opening = opening.where(visible(Account.id))
        activity = activity.where(visible(ActivityTotal.account_id))
    return union_all(opening, assigned, activity)


# Built once for owners and adults, who see every account; a teen's is built per request.
_MONEY_THROUGH_MONTH = _money_through_month()


async def _load(session: AsyncSession, household: HouseholdContext, month: date) -> _Ledger:
    categories = await categories_in_display_order(session, household)
    statement = _MONEY_THROUGH_MONTH
    if household.is_teen:
        # A teen's budget counts the money of the accounts shared with them, nothing else.
        statement = _money_through_month(
            lambda account_id: visible_account_ids_filter(household, account_id)
        )
    rows = await session.execute(
        statement,
        {
            "household_id": household.id,
            "currency": household.currency,
            "month": month,
            "next_month": add_months(month, 1),
        },
    )
    opening = 0
    assigned: dict[CategoryMonthKey, int] = {}
    activity: dict[CategoryMonthKey, int] = {}
    uncategorized: dict[date, int] = {}
    # .all(): a month late in the year reads hundreds of rows; one fetch beats one call per row.
    for kind, category_id, row_month, amount in rows.all():
        if kind == "opening":
            opening = amount
        elif kind == "assigned":
            assigned[(category_id, row_month)] = amount
        elif category_id is None:
            uncategorized[row_month] = amount
        else:
            activity[(category_id, row_month)] = amount
    return _Ledger(categories, opening, assigned, activity, uncategorized)


def _month_from_ledger(household: HouseholdContext, month: date, ledger: _Ledger) -> BudgetMonth:
    spending = [(c, g) for c, g in ledger.categories if not c.is_income]
    spending_ids = {c.id for c, _ in spending}
    income_ids = {c.id for c, _ in ledger.categories if c.is_income}
    # The walk reads only the spending categories' entries; the others can at most start it at
    # an earlier month, whose zeros change nothing.
    walk = walk_to(
        month,
        {c.id: c.carry_overspending for c, _ in spending},
        ledger.assigned,
        ledger.activity,
    )
    income_through = sum(v for (c, _), v in ledger.activity.items() if c in income_ids)
    assigned_through = sum(v for (c, _), v in ledger.assigned.items() if c in spending_ids)
    groups: dict[uuid.UUID, BudgetGroup] = {}
    for category, group in spending:
        line = walk.lines.get(category.id, CategoryMonth(0, 0, 0))
        target = target_of(category)
        budget_group = groups.setdefault(
            group.id,
            BudgetGroup(group.id, group.name, group.hidden, []),
        )
        budget_group.categories.append(
            BudgetLine(
                category_id=category.id,
                name=category.name,
                hidden=category.hidden or group.hidden,
                carry_overspending=category.carry_overspending,
                carried_in_minor=line.carried_in_minor,
                assigned_minor=line.assigned_minor,
                activity_minor=line.activity_minor,
                available_minor=line.available_minor,
                target=target,
                target_progress=progress(target, month, line.carried_in_minor, line.assigned_minor),
            )
        )
    lines = [line for g in groups.values() for line in g.categories]
    return BudgetMonth(
        month=month,
        currency=household.currency,
        groups=list(groups.values()),
        totals=BudgetTotals(
            income_minor=sum(ledger.activity.get((c, month), 0) for c in income_ids),
            assigned_minor=sum(line.assigned_minor for line in lines),
            spent_minor=-sum(line.activity_minor for line in lines),
            opening_balances_minor=ledger.opening_balances_minor,
            overspending_covered_minor=-walk.absorbed_overspending_minor,
            left_to_assign_minor=ledger.opening_balances_minor
            + income_through
            - assigned_through
            + walk.absorbed_overspending_minor,
            uncategorized_activity_minor=ledger.uncategorized.get(month, 0),
        ),
    )


async def compute_month(
    session: AsyncSession, household: HouseholdContext, month: date
) -> BudgetMonth:
    """The budget of one month for every spending category, hidden ones included.

    Totals:
    - income: the month's activity in income categories;
    - assigned: what is assigned this month to spending categories;
    - spent: minus the month's activity in spending categories (positive when money went out);
    - left to assign (money to assign): the opening balances of the on-budget accounts opened by
      the end of the month, plus every income category's activity through the month, minus
      everything assigned to spending categories through the month, minus the overspending of
      earlier months that was not carried in its category. Future months' assignments are not
      subtracted, so planning ahead never makes the current month look short.
    """
    return _month_from_ledger(household, month, await _load(session, household, month))


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
    _require_spending(category)
    return category


def _require_spending(category: Category) -> None:
    if category.is_income:
        raise Unprocessable(
            "Income categories are not budgeted; assign money to spending categories",
            code="income_category",
        )


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
    await _upsert_assignments(session, household, month, {category.id: assigned_minor})
    return await _line(session, household, month, category.id)


async def _line(
    session: AsyncSession, household: HouseholdContext, month: date, category_id: uuid.UUID
) -> BudgetLine:
    view = await compute_month(session, household, month)
    return next(
        line
        for group in view.groups
        for line in group.categories
        if line.category_id == category_id
    )


async def _upsert_assignments(
    session: AsyncSession,
    household: HouseholdContext,
    month: date,
    amounts: dict[uuid.UUID, int],
    *,
    add: bool = False,
) -> None:
    """Set the month's assigned amounts of categories, or with `add` add to them, in one
    statement: two people changing the same amount at once cannot collide on the
    (household, category, month) unique constraint, and adding never loses a concurrent add."""
    if not amounts:
        return
    now = utcnow()
    statement = _insert_assignments(session).values(
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
            for category_id, amount in sorted(amounts.items())
        ]
    )
    new_amount = (
        BudgetAssignment.assigned_minor + statement.excluded.assigned_minor
        if add
        else statement.excluded.assigned_minor
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[
                BudgetAssignment.household_id,
                BudgetAssignment.category_id,
                BudgetAssignment.month,
            ],
            set_={"assigned_minor": new_amount, "updated_at": now},
        )
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


# --- Moving money ------------------------------------------------------------------------------


async def _spending_category_in_body(
    session: AsyncSession, household: HouseholdContext, category_id: uuid.UUID
) -> Category:
    category = await require_category_in_household(session, household, category_id)
    _require_spending(category)
    return category


async def move_money(
    session: AsyncSession,
    household: HouseholdContext,
    month: date,
    from_category_id: uuid.UUID | None,
    to_category_id: uuid.UUID | None,
    amount_minor: int,
) -> BudgetMonth:
    """Move available money between two spending categories in `month` by changing their two
    assignments of that month (None: the money to assign, i.e. assign from it or return to it).
    The source's assignment may go below zero: that is how money carried in from earlier months
    moves. The sum of the categories' available changes only by what leaves or enters the money
    to assign."""
    if from_category_id == to_category_id:
        raise Unprocessable(
            "Money moves between two different categories (or the money to assign)",
            code="same_category",
        )
    changes: dict[uuid.UUID, int] = {}
    if from_category_id is not None:
        source = await _spending_category_in_body(session, household, from_category_id)
        changes[source.id] = -amount_minor
    if to_category_id is not None:
        destination = await _spending_category_in_body(session, household, to_category_id)
        changes[destination.id] = amount_minor
    await _upsert_assignments(session, household, month, changes, add=True)
    return await get_month_view(session, household, month)


# --- Targets -----------------------------------------------------------------------------------


async def set_target(
    session: AsyncSession,
    household: HouseholdContext,
    category_id: uuid.UUID,
    kind: TargetKind,
    amount_minor: int,
    target_month: date | None,
) -> Category:
    category = await _budgetable_category(session, household, category_id)
    if (kind is TargetKind.BY_DATE) != (target_month is not None):
        raise Unprocessable(
            "A by_date target needs a month; a monthly target has none",
            code="invalid_target",
        )
    category.target_kind = kind.value
    category.target_amount_minor = amount_minor
    category.target_month = month_of(target_month) if target_month is not None else None
    await session.flush()
    return category


async def clear_target(
    session: AsyncSession, household: HouseholdContext, category_id: uuid.UUID
) -> Category | None:
    """Remove a category's target; returns the category if it had one (None: nothing changed)."""
    category = await get_category(session, household, category_id)
    if category.target_kind is None:
        return None
    category.target_kind = None
    category.target_amount_minor = None
    category.target_month = None
    await session.flush()
    return category


# --- Quick assign ------------------------------------------------------------------------------


class QuickAssignStrategy(StrEnum):
    FUND_TARGETS = "fund_targets"
    LAST_MONTH = "last_month"
    AVERAGE_3_MONTHS = "average_3_months"


@dataclass(frozen=True, slots=True)
class AssignmentChange:
    category_id: uuid.UUID
    previous_assigned_minor: int
    assigned_minor: int


def average_spent(spent_minor: Sequence[int]) -> int:
    """The average of what was spent (clamped at zero per month: refunds do not make a negative
    plan), rounded half up to the minor unit with integer math."""
    if not spent_minor:
        return 0
    count = len(spent_minor)
    return (2 * sum(max(amount, 0) for amount in spent_minor) + count) // (2 * count)


async def quick_assign(
    session: AsyncSession,
    household: HouseholdContext,
    month: date,
    strategy: QuickAssignStrategy,
    category_ids: Collection[uuid.UUID] | None,
) -> list[AssignmentChange]:
    """Set the month's assigned amounts of the spending categories (all, or `category_ids`) by
    `strategy`; returns the categories whose amount changed.
    - fund_targets: assigned += what the category's target is underfunded by;
    - last_month: assigned = last month's assigned;
    - average_3_months: assigned = the average spent in the three previous months."""
    ledger = await _load(session, household, month)
    spending = {c.id: c for c, _ in ledger.categories if not c.is_income}
    if category_ids is not None:
        unknown = set(category_ids) - spending.keys()
        if unknown:
            raise Unprocessable(
                "Some category_ids do not name spending categories of this household",
                code="unknown_category",
                extra={"category_ids": sorted(str(i) for i in unknown)},
            )
        wanted = [i for i in spending if i in set(category_ids)]
    else:
        wanted = list(spending)
    view = _month_from_ledger(household, month, ledger)
    lines = {line.category_id: line for g in view.groups for line in g.categories}
    previous = add_months(month, -1)
    new_amounts: dict[uuid.UUID, int] = {}
    for category_id in wanted:
        line = lines[category_id]
        if strategy is QuickAssignStrategy.FUND_TARGETS:
            amount = line.assigned_minor + line.target_progress.underfunded_minor
        elif strategy is QuickAssignStrategy.LAST_MONTH:
            amount = ledger.assigned.get((category_id, previous), 0)
        else:
            amount = average_spent(
                [-ledger.activity.get((category_id, add_months(month, -k)), 0) for k in (1, 2, 3)]
            )
        if amount != line.assigned_minor:
            new_amounts[category_id] = amount
    await _upsert_assignments(session, household, month, new_amounts)
    return [
        AssignmentChange(category_id, lines[category_id].assigned_minor, amount)
        for category_id, amount in new_amounts.items()
    ]
