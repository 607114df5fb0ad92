"""Rollover through the production path: budget assignments and transactions in the database,
the month view computed by SQL (compute_month), checked against the month-by-month reference
(tests/budgets/reference.py), with another household's money in the same months."""

from __future__ import annotations

import uuid
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.budgets.rollover import CategorySums, available_from_sums
from family_budget.budgets.service import compute_month
from family_budget.models import BudgetAssignment, Category, Transaction, TransactionSplit
from family_budget.months import add_months
from tests.arrange import Family
from tests.budgets.reference import available

AMOUNT = st.integers(min_value=-(10**9), max_value=10**9)
# Six months across a year end, so December -> January is crossed in most examples.
MONTHS = [add_months(date(2023, 10, 1), i) for i in range(6)]
MONTH = st.sampled_from(MONTHS)
PER_MONTH = st.dictionaries(MONTH, AMOUNT, max_size=6)
# How an activity amount reaches the category: a plain transaction, or a line of a split.
HOW = st.sampled_from(["whole", "split"])
ACTIVITY = st.dictionaries(MONTH, st.tuples(AMOUNT, HOW), max_size=6)


async def _store(
    session: AsyncSession,
    family: Family,
    category: Category,
    assigned: dict[date, int],
    activity: dict[date, tuple[int, str]],
) -> None:
    rows: list[object] = []
    for month, amount in assigned.items():
        rows.append(
            BudgetAssignment(
                household_id=family.household.id,
                category_id=category.id,
                month=month,
                assigned_minor=max(amount, 0),
            )
        )
    for month, (amount, how) in activity.items():
        day = month.replace(day=28 if month.month == 12 else 1)
        parent = Transaction(
            id=uuid.uuid4(),
            household_id=family.household.id,
            account_id=family.private.id,
            posted_on=day,
            amount_minor=amount,
            category_id=category.id if how == "whole" else None,
            is_split=how == "split",
        )
        rows.append(parent)
        if how == "split":
            # Two lines: the category's and an uncategorized remainder of zero.
            for line_category, line_amount in ((category.id, amount), (None, 0)):
                rows.append(
                    TransactionSplit(
                        transaction_id=parent.id,
                        household_id=family.household.id,
                        category_id=line_category,
                        posted_on=day,
                        amount_minor=line_amount,
                    )
                )
    session.add_all(rows)
    await session.flush()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(assigned=PER_MONTH, activity=ACTIVITY, rollover=st.booleans())
async def test_month_view_matches_the_month_by_month_reference(
    session: AsyncSession,
    family: Family,
    assigned: dict[date, int],
    activity: dict[date, tuple[int, str]],
    rollover: bool,
) -> None:
    category = family.groceries
    # A rolled-back example leaves the category expired; load it again outside any lazy load.
    await session.refresh(category)
    assigned_minor = {month: max(amount, 0) for month, amount in assigned.items()}
    activity_minor = {month: amount for month, (amount, _) in activity.items()}
    savepoint = await session.begin_nested()
    try:
        category.rollover = rollover
        await _store(session, family, category, assigned, activity)
        for month in [*MONTHS, add_months(MONTHS[-1], 1)]:
            view = await compute_month(session, family.context(), month)
            [line] = [
                line
                for group in view.groups
                for line in group.categories
                if line.category_id == category.id
            ]
            expected = available(assigned_minor, activity_minor, rollover, month)
            assert (line.assigned_minor, line.activity_minor, line.available_minor) == (
                assigned_minor.get(month, 0),
                activity_minor.get(month, 0),
                expected,
            ), month
            # A category without any money stays at zero whatever its neighbours do.
            [untouched] = [
                line
                for group in view.groups
                for line in group.categories
                if line.category_id == family.dining.id
            ]
            assert (
                untouched.assigned_minor,
                untouched.activity_minor,
                untouched.available_minor,
            ) == (0, 0, 0)
    finally:
        await savepoint.rollback()


class TestAvailableFromSums:
    """The closed form compute_month applies to its grouped SQL sums."""

    def test_examples(self) -> None:
        sums = CategorySums(
            assigned_month=100, activity_month=-30, assigned_through=500, activity_through=-450
        )
        assert available_from_sums(sums, rollover=False) == 70
        assert available_from_sums(sums, rollover=True) == 50

    def test_december_overspending_reaches_january_in_the_reference(self) -> None:
        december, january = date(2023, 12, 1), date(2024, 1, 1)
        assert available({}, {december: -700}, True, january) == -700
        assert available({}, {december: -700}, False, january) == 0
