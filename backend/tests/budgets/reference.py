"""The budget's month math written the long way, as a person would on paper: the independent
model the production SQL (family_budget.budgets.service.compute_month) is checked against."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date


def available(
    assigned: Mapping[date, int], activity: Mapping[date, int], rollover: bool, month: date
) -> int:
    """available(month) by walking every calendar month from the earliest number: start at
    zero, add each month's assigned and activity, and reset to zero at each month start unless
    the category rolls over."""
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
