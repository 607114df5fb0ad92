from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from family_budget.months import (
    add_months,
    add_years,
    format_month,
    iter_months,
    month_end,
    parse_month,
    trailing_months,
)

MONTH = st.builds(date, st.integers(1901, 2198), st.integers(1, 12), st.just(1))


class TestMonthArithmetic:
    @pytest.mark.parametrize(
        ("month", "count", "expected"),
        [
            (date(2024, 12, 1), 1, date(2025, 1, 1)),
            (date(2024, 1, 1), -1, date(2023, 12, 1)),
            (date(2024, 3, 1), -15, date(2022, 12, 1)),
            (date(2024, 3, 1), 0, date(2024, 3, 1)),
        ],
    )
    def test_add_months(self, month: date, count: int, expected: date) -> None:
        assert add_months(month, count) == expected

    @given(month=MONTH, a=st.integers(-30, 30), b=st.integers(-30, 30))
    def test_add_months_composes(self, month: date, a: int, b: int) -> None:
        assert add_months(add_months(month, a), b) == add_months(month, a + b)

    @pytest.mark.parametrize(
        ("month", "expected"),
        [
            (date(2024, 2, 1), date(2024, 2, 29)),
            (date(2023, 2, 1), date(2023, 2, 28)),
            (date(2024, 12, 1), date(2024, 12, 31)),
        ],
    )
    def test_month_end(self, month: date, expected: date) -> None:
        assert month_end(month) == expected

    @given(month=MONTH)
    def test_month_end_is_the_day_before_the_next_month(self, month: date) -> None:
        assert month_end(month).toordinal() + 1 == add_months(month, 1).toordinal()

    def test_trailing_months_cross_the_year(self) -> None:
        assert trailing_months(date(2024, 2, 17), 3) == [
            date(2023, 12, 1),
            date(2024, 1, 1),
            date(2024, 2, 1),
        ]
        assert list(iter_months(date(2023, 12, 5), date(2024, 1, 1))) == [
            date(2023, 12, 1),
            date(2024, 1, 1),
        ]

    @given(month=MONTH)
    def test_format_round_trips(self, month: date) -> None:
        assert parse_month(format_month(month)) == month

    def test_add_years_on_a_leap_day(self) -> None:
        assert add_years(date(2024, 2, 29), 5) == date(2029, 2, 28)
        assert add_years(date(2020, 2, 29), 4) == date(2024, 2, 29)
