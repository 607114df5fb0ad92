"""Recurrence rules (family_budget.bills.recurrence): dates worked out by hand, and a property
against a plain model of "the same day each month, or the month's last day"."""

from __future__ import annotations

import calendar
import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from family_budget.bills.recurrence import InvalidRule, Recurrence


class TestMonthEnds:
    def test_monthly_on_the_31st_lands_on_each_months_last_day(self) -> None:
        rule = Recurrence.parse("FREQ=MONTHLY;BYMONTHDAY=31", date(2027, 1, 31))
        assert rule.next(date(2027, 1, 1), 6) == [
            date(2027, 1, 31),
            date(2027, 2, 28),
            date(2027, 3, 31),
            date(2027, 4, 30),
            date(2027, 5, 31),
            date(2027, 6, 30),
        ]

    def test_the_day_comes_from_starts_on_when_the_rule_has_none(self) -> None:
        rule = Recurrence.parse("FREQ=MONTHLY", date(2027, 10, 31))
        assert rule.next(date(2027, 10, 1), 3) == [
            date(2027, 10, 31),
            date(2027, 11, 30),
            date(2027, 12, 31),
        ]

    def test_february_in_a_leap_year(self) -> None:
        rule = Recurrence.parse("FREQ=MONTHLY;BYMONTHDAY=30", date(2028, 1, 30))
        assert rule.between(date(2028, 2, 1), date(2028, 3, 31)) == [
            date(2028, 2, 29),
            date(2028, 3, 30),
        ]

    def test_yearly_from_february_29(self) -> None:
        rule = Recurrence.parse("FREQ=YEARLY", date(2028, 2, 29))
        assert rule.next(date(2028, 1, 1), 5) == [
            date(2028, 2, 29),
            date(2029, 2, 28),
            date(2030, 2, 28),
            date(2031, 2, 28),
            date(2032, 2, 29),
        ]

    def test_several_days_are_taken_as_written(self) -> None:
        rule = Recurrence.parse("FREQ=MONTHLY;BYMONTHDAY=1,15", date(2027, 1, 1))
        assert rule.next(date(2027, 1, 2), 3) == [
            date(2027, 1, 15),
            date(2027, 2, 1),
            date(2027, 2, 15),
        ]

    @given(
        day=st.integers(1, 31),
        start=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 1)),
        count=st.integers(1, 30),
    )
    def test_monthly_on_a_day_is_that_day_or_the_last(
        self, day: int, start: date, count: int
    ) -> None:
        first = start.replace(day=1)
        rule = Recurrence.parse(f"FREQ=MONTHLY;BYMONTHDAY={day}", first)
        expected = []
        year, month = first.year, first.month
        for _ in range(count):
            last = calendar.monthrange(year, month)[1]
            expected.append(date(year, month, min(day, last)))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        assert rule.next(first, count) == expected


class TestOtherFrequencies:
    def test_weekly(self) -> None:
        rule = Recurrence.parse("FREQ=WEEKLY", date(2027, 3, 1))
        assert rule.between(date(2027, 3, 1), date(2027, 3, 31)) == [
            date(2027, 3, 1),
            date(2027, 3, 8),
            date(2027, 3, 15),
            date(2027, 3, 22),
            date(2027, 3, 29),
        ]

    def test_every_two_weeks_on_a_weekday(self) -> None:
        rule = Recurrence.parse("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", date(2027, 1, 1))
        assert rule.next(date(2027, 1, 1), 4) == [
            date(2027, 1, 1),
            date(2027, 1, 15),
            date(2027, 1, 29),
            date(2027, 2, 12),
        ]

    def test_weekly_across_daylight_saving_changes_keeps_the_weekday(self) -> None:
        # US clocks change on 2027-03-14 and 2027-11-07, Europe's on 2027-03-28 and
        # 2027-10-31: dates are dates, every occurrence stays a Monday.
        rule = Recurrence.parse("FREQ=WEEKLY", date(2027, 3, 1))
        days = rule.between(date(2027, 3, 1), date(2027, 11, 30))
        assert {d.weekday() for d in days} == {0}
        assert days[:4] == [
            date(2027, 3, 1),
            date(2027, 3, 8),
            date(2027, 3, 15),
            date(2027, 3, 22),
        ]
        assert all(b - a == timedelta(days=7) for a, b in itertools.pairwise(days))
        assert len(days) == 40

    def test_ends_on_and_count(self) -> None:
        assert Recurrence.parse("FREQ=MONTHLY", date(2027, 1, 5), date(2027, 3, 5)).next(
            date(2027, 1, 1), 10
        ) == [date(2027, 1, 5), date(2027, 2, 5), date(2027, 3, 5)]
        assert Recurrence.parse("FREQ=MONTHLY;COUNT=2", date(2027, 1, 5)).next(
            date(2027, 1, 1), 10
        ) == [date(2027, 1, 5), date(2027, 2, 5)]

    def test_nothing_before_starts_on(self) -> None:
        rule = Recurrence.parse("FREQ=DAILY", date(2027, 1, 5))
        assert rule.between(date(2027, 1, 1), date(2027, 1, 6)) == [
            date(2027, 1, 5),
            date(2027, 1, 6),
        ]


class TestInvalid:
    @pytest.mark.parametrize(
        ("rule", "why"),
        [
            ("", "characters"),
            ("FREQ=HOURLY", "FREQ must be"),
            ("FREQ=MONTHLY;UNTIL=20280101", "use starts_on and ends_on"),
            ("DTSTART=20270101;FREQ=DAILY", "use starts_on and ends_on"),
            ("FREQ=MONTHLY;BYHOUR=3", "not supported"),
            ("FREQ=MONTHLY;FREQ=DAILY", "given twice"),
            ("FREQ=MONTHLY;BYMONTHDAY=40", "BYMONTHDAY must be"),
            ("FREQ=MONTHLY;INTERVAL=0", "INTERVAL must be"),
            ("FREQ=MONTHLY;BYMONTH=x", "whole numbers"),
            ("FREQ=WEEKLY;BYDAY=XX", "not a valid RRULE"),
            ("FREQ", "NAME=VALUE"),
        ],
    )
    def test_refused(self, rule: str, why: str) -> None:
        with pytest.raises(InvalidRule, match=why):
            Recurrence.parse(rule, date(2027, 1, 1))

    def test_ends_before_it_starts(self) -> None:
        with pytest.raises(InvalidRule, match="before starts_on"):
            Recurrence.parse("FREQ=DAILY", date(2027, 1, 2), date(2027, 1, 1))

    def test_the_rrule_prefix_is_accepted(self) -> None:
        rule = Recurrence.parse("RRULE:FREQ=YEARLY", date(2027, 6, 1))
        assert rule.next(date(2027, 1, 1), 2) == [date(2027, 6, 1), date(2028, 6, 1)]
