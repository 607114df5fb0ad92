"""What is available in a budget category, month by month.

For a category and a month M:

    available(M) = assigned(M) + activity(M) + (available(M - 1) if the category rolls over else 0)

`activity` is the signed sum of the month's transactions (outflows negative), so spending lowers
what is available and refunds raise it. With rollover on, whatever is left at a month end, positive
(unspent) or negative (overspent), carries into the next month, across year ends (December into
January) like any other month boundary. With rollover off, every month starts from zero.

Unrolling the recursion gives the closed form the month view uses: with rollover on,
available(M) = sum of assigned + sum of activity over every month up to and including M, which is
two grouped sums in SQL instead of a walk through the months.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from family_budget.months import iter_months


@dataclass(frozen=True, slots=True)
class CategorySums:
    """The four sums the month view needs for one category and one month M."""

    assigned_month: int = 0
    activity_month: int = 0
    assigned_through: int = 0
    activity_through: int = 0


def available_by_month(
    assigned: Mapping[date, int], activity: Mapping[date, int], rollover: bool, through: date
) -> dict[date, int]:
    """available(M) for every month from the first month with a number through `through`.

    Keys of both mappings are months (first days); missing months count as zero. Numbers after
    `through` are ignored. Returns {} when nothing happened up to `through`.
    """
    months = [m for m in (*assigned, *activity) if m <= through]
    if not months:
        return {}
    available: dict[date, int] = {}
    carried = 0
    for month in iter_months(min(months), through):
        value = assigned.get(month, 0) + activity.get(month, 0) + (carried if rollover else 0)
        available[month] = value
        carried = value
    return available


def sums_for_month(
    assigned: Mapping[date, int], activity: Mapping[date, int], month: date
) -> CategorySums:
    """The sums SQL computes for `month`, computed from per-month numbers instead."""
    return CategorySums(
        assigned_month=assigned.get(month, 0),
        activity_month=activity.get(month, 0),
        assigned_through=sum(v for m, v in assigned.items() if m <= month),
        activity_through=sum(v for m, v in activity.items() if m <= month),
    )


def available_from_sums(sums: CategorySums, rollover: bool) -> int:
    """available(M) from the month's sums: the closed form of `available_by_month`."""
    if rollover:
        return sums.assigned_through + sums.activity_through
    return sums.assigned_month + sums.activity_month
