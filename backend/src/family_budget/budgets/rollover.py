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

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CategorySums:
    """The four sums the month view needs for one category and one month M."""

    assigned_month: int = 0
    activity_month: int = 0
    assigned_through: int = 0
    activity_through: int = 0


def available_from_sums(sums: CategorySums, rollover: bool) -> int:
    """available(M) from the month's sums: the closed form of the module's recursion (tests check
    the month view against a month-by-month walk, tests/budgets/reference.py)."""
    if rollover:
        return sums.assigned_through + sums.activity_through
    return sums.assigned_month + sums.activity_month
