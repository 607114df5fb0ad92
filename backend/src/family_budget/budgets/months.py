"""Calendar months as the date of their first day. Month arithmetic happens here, in Python,
never in SQL (date functions differ between SQLite and PostgreSQL)."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date


def month_of(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after (or before, when negative) `month`."""
    index = month.year * 12 + (month.month - 1) + count
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def iter_months(first: date, last: date) -> Iterator[date]:
    """Every month from `first` through `last` (both first days), oldest first."""
    month = month_of(first)
    while month <= last:
        yield month
        month = add_months(month, 1)


def trailing_months(end: date, count: int) -> list[date]:
    """The `count` months ending with (and including) the month of `end`, oldest first."""
    last = month_of(end)
    return [add_months(last, offset) for offset in range(1 - count, 1)]


def format_month(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February becomes 28 February in common years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
