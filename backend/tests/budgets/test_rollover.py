"""Property tests of the budget month math, against a reference written the long way."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from family_budget.budgets.rollover import (
    CategorySums,
    available_by_month,
    available_from_sums,
    sums_for_month,
)
from family_budget.months import add_months

AMOUNT = st.integers(min_value=-(10**13), max_value=10**13)
# Months around a few year ends, so December -> January is crossed often.
MONTH = st.builds(date, st.integers(2022, 2025), st.integers(1, 12), st.just(1))
PER_MONTH = st.dictionaries(MONTH, AMOUNT, max_size=12)


def reference(
    assigned: dict[date, int], activity: dict[date, int], rollover: bool, month: date
) -> int:
    """available(month) by walking every calendar month from the earliest number, the way a
    person would on paper: start at zero, add each month's assigned and activity, and reset to
    zero at each month start unless the category rolls over."""
    firsts = [m for m in [*assigned, *activity] if m <= month]
    if not firsts:
        return 0
    year, number = min(firsts).year, min(firsts).month
    balance = 0
    while (year, number) <= (month.year, month.month):
        current = date(year, number, 1)
        if not rollover:
            balance = 0
        balance += assigned.get(current, 0) + activity.get(current, 0)
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return balance


class TestAvailableByMonth:
    @given(assigned=PER_MONTH, activity=PER_MONTH, rollover=st.booleans(), through=MONTH)
    def test_matches_the_reference_for_every_month(
        self, assigned: dict[date, int], activity: dict[date, int], rollover: bool, through: date
    ) -> None:
        result = available_by_month(assigned, activity, rollover, through)
        for month, value in result.items():
            assert value == reference(assigned, activity, rollover, month)
        months = sorted(result)
        if months:
            # Every month from the first number through `through`, none skipped, none after.
            assert months == [add_months(months[0], i) for i in range(len(months))]
            assert months[-1] == through

    @given(assigned=PER_MONTH, activity=PER_MONTH, through=MONTH)
    def test_with_rollover_it_is_everything_so_far(
        self, assigned: dict[date, int], activity: dict[date, int], through: date
    ) -> None:
        for month, value in available_by_month(assigned, activity, True, through).items():
            assert value == sum(v for m, v in assigned.items() if m <= month) + sum(
                v for m, v in activity.items() if m <= month
            )

    @given(assigned=PER_MONTH, activity=PER_MONTH, through=MONTH)
    def test_without_rollover_each_month_stands_alone(
        self, assigned: dict[date, int], activity: dict[date, int], through: date
    ) -> None:
        for month, value in available_by_month(assigned, activity, False, through).items():
            assert value == assigned.get(month, 0) + activity.get(month, 0)

    @given(
        assigned=PER_MONTH,
        activity=PER_MONTH,
        rollover=st.booleans(),
        through=MONTH,
        later=PER_MONTH,
    )
    def test_later_months_do_not_change_the_past(
        self,
        assigned: dict[date, int],
        activity: dict[date, int],
        rollover: bool,
        through: date,
        later: dict[date, int],
    ) -> None:
        future = {m: v for m, v in later.items() if m > through}
        before = available_by_month(assigned, activity, rollover, through)
        after = available_by_month(
            {**assigned, **future}, {**activity, **future}, rollover, through
        )
        assert before == after

    @given(
        amount=st.integers(min_value=1, max_value=10**9),
        year=st.integers(2000, 2100),
    )
    def test_december_overspending_reaches_january(self, amount: int, year: int) -> None:
        december, january = date(year, 12, 1), date(year + 1, 1, 1)
        activity = {december: -amount}
        rolled = available_by_month({}, activity, True, january)
        reset = available_by_month({}, activity, False, january)
        assert rolled == {december: -amount, january: -amount}
        assert reset == {december: -amount, january: 0}

    def test_nothing_yet_is_empty(self) -> None:
        month = date(2024, 3, 1)
        assert available_by_month({}, {}, True, month) == {}
        assert available_by_month({date(2024, 4, 1): 5}, {}, True, month) == {}


class TestAvailableFromSums:
    """The closed form the month view computes from grouped SQL sums."""

    @given(assigned=PER_MONTH, activity=PER_MONTH, rollover=st.booleans(), month=MONTH)
    def test_equals_the_month_by_month_walk(
        self, assigned: dict[date, int], activity: dict[date, int], rollover: bool, month: date
    ) -> None:
        sums = sums_for_month(assigned, activity, month)
        expected = available_by_month(assigned, activity, rollover, month).get(month, 0)
        assert available_from_sums(sums, rollover) == expected
        assert available_from_sums(sums, rollover) == reference(assigned, activity, rollover, month)

    def test_examples(self) -> None:
        sums = CategorySums(
            assigned_month=100, activity_month=-30, assigned_through=500, activity_through=-450
        )
        assert available_from_sums(sums, rollover=False) == 70
        assert available_from_sums(sums, rollover=True) == 50
