"""What is available in a budget category, month by month, and what overspending costs.

For a spending category and a month M:

    available(M) = carried_in(M) + assigned(M) + activity(M)

`activity` is the signed sum of the month's activity (outflows negative). What a category
carries into the next month depends on the sign of what is left at the month end:
- a positive available (money left over) always carries into the next month, across year ends
  (December into January) like any other month boundary;
- a negative available (overspending) is, by default, covered by the next month's money to
  assign, and the category starts the next month at zero; with `carry_overspending` on, the
  negative carries in the category instead and the money to assign is untouched.

The clamp at zero makes this a walk, not a closed form: the month view reads the assignments and
the activity grouped by (category, month) in one query each and walks them here from the
household's first month with budget data (tests/budgets/reference.py is the independent model).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from family_budget.months import iter_months

CategoryMonthKey = tuple[uuid.UUID, date]


@dataclass(frozen=True, slots=True)
class CategoryMonth:
    carried_in_minor: int
    assigned_minor: int
    activity_minor: int

    @property
    def available_minor(self) -> int:
        return self.carried_in_minor + self.assigned_minor + self.activity_minor


@dataclass(frozen=True, slots=True)
class Walk:
    lines: dict[uuid.UUID, CategoryMonth]
    # Overspending of the months before M that M's money to assign covers (<= 0).
    absorbed_overspending_minor: int


def walk_to(
    month: date,
    carry_overspending: Mapping[uuid.UUID, bool],
    assigned: Mapping[CategoryMonthKey, int],
    activity: Mapping[CategoryMonthKey, int],
) -> Walk:
    """Every spending category of `carry_overspending` in `month`, walked from the earliest
    month of `assigned` or `activity` (entries after `month` are ignored)."""
    months = [m for _, m in (*assigned, *activity) if m <= month]
    first = min(months, default=month)
    left: dict[uuid.UUID, int] = dict.fromkeys(carry_overspending, 0)
    carried_in: dict[uuid.UUID, int] = {}
    absorbed = 0
    # Plain integers month by month (a view walks every category through every month since the
    # first, ~400 steps); only the last month's lines are built.
    for current in iter_months(first, month):
        for category_id, carries in carry_overspending.items():
            previous = left[category_id]
            if previous < 0 and not carries:
                absorbed += previous
                previous = 0
            carried_in[category_id] = previous
            left[category_id] = (
                previous
                + assigned.get((category_id, current), 0)
                + activity.get((category_id, current), 0)
            )
    lines = {
        category_id: CategoryMonth(
            carried_in_minor=carried_in[category_id],
            assigned_minor=assigned.get((category_id, month), 0),
            activity_minor=activity.get((category_id, month), 0),
        )
        for category_id in carry_overspending
    }
    return Walk(lines, absorbed)
