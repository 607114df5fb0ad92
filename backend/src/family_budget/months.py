"""Calendar months, in one place for every domain.

A month is the `date` of its first day: that is how the database stores it (budget assignments,
monthly activity totals) and how services compare months. Month arithmetic happens here, in
Python, never in SQL (date functions differ between SQLite and PostgreSQL). On the wire a month
is written "YYYY-MM": `Month` is the type schemas use, `MonthPath` the path parameter routers use.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import Depends, Path
from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from family_budget.errors import Unprocessable
from family_budget.schemas import sane_date

MONTH_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# What the schema promises: a month in the years dates may have (1900-2199, see `sane_date`).
MONTH_SCHEMA_PATTERN = r"^(19|20|21)\d{2}-(0[1-9]|1[0-2])$"
_MONTH_JSON_SCHEMA = {"type": "string", "pattern": MONTH_SCHEMA_PATTERN, "examples": ["2024-03"]}


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


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February becomes 28 February in common years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def format_month(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def parse_month(value: str) -> date:
    """'2024-03' -> date(2024, 3, 1); raises ValueError for anything else."""
    if not MONTH_PATTERN.match(value):
        raise ValueError("must be a month written YYYY-MM")
    return sane_date(date(int(value[:4]), int(value[5:]), 1))


def month_argument(value: str, name: str) -> date:
    """A month given in a path or query parameter `name`; 422 invalid_month when it is not one."""
    try:
        return parse_month(value)
    except ValueError as error:
        raise Unprocessable(f"{name} {error}", code="invalid_month") from None


# A month in a response body (and in the OpenAPI schema): "YYYY-MM".
Month = Annotated[
    date,
    PlainSerializer(format_month, return_type=str),
    WithJsonSchema(_MONTH_JSON_SCHEMA),
]


def _parse_month_field(value: object) -> object:
    return parse_month(value) if isinstance(value, str) else value


# A month in a request body: "YYYY-MM" only (a full date or anything else is a 422).
MonthInput = Annotated[
    date,
    BeforeValidator(_parse_month_field),
    PlainSerializer(format_month, return_type=str),
    WithJsonSchema(_MONTH_JSON_SCHEMA),
]


async def _month_path(
    month: Annotated[
        str,
        # Documented, not enforced here: month_argument answers 422 invalid_month for the rest.
        Path(
            description="The month, written YYYY-MM",
            examples=["2024-03"],
            json_schema_extra={"pattern": MONTH_SCHEMA_PATTERN},
        ),
    ],
) -> date:
    return month_argument(month, "month")


# The `{month}` path parameter of a route, as the first day of that month.
MonthPath = Annotated[date, Depends(_month_path)]
