"""Category targets: how much a category needs in a month, and whether it got it.

- monthly: `amount` is needed every month; the month is funded when what is assigned in it
  reaches the amount.
- by_date: `amount` should be available by the end of `target_month`. What is needed this month
  spreads what is still missing at the start of the month (amount minus what the category
  carried in) evenly over the months left, this one included, rounded up to the minor unit, so
  that assigning it every month reaches the amount on time. From the target month on, everything
  still missing is needed at once.

underfunded = needed this month - assigned this month, when positive; funded otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from family_budget.models import Category, TargetKind


class TargetStatus(StrEnum):
    NONE = "none"
    FUNDED = "funded"
    UNDERFUNDED = "underfunded"


@dataclass(frozen=True, slots=True)
class Target:
    kind: TargetKind
    amount_minor: int
    month: date | None  # the month of a by_date target


@dataclass(frozen=True, slots=True)
class TargetProgress:
    status: TargetStatus
    needed_minor: int  # needed in this month's assignment
    underfunded_minor: int


NO_TARGET = TargetProgress(TargetStatus.NONE, 0, 0)


def target_of(category: Category) -> Target | None:
    if category.target_kind is None or category.target_amount_minor is None:
        return None
    return Target(
        TargetKind(category.target_kind), category.target_amount_minor, category.target_month
    )


def months_left(month: date, target_month: date) -> int:
    """Months from `month` through `target_month`, both included; at least one."""
    span = (target_month.year - month.year) * 12 + target_month.month - month.month + 1
    return max(span, 1)


def needed_this_month(target: Target, month: date, carried_in_minor: int) -> int:
    if target.kind is TargetKind.MONTHLY:
        return target.amount_minor
    assert target.month is not None
    missing = target.amount_minor - carried_in_minor
    if missing <= 0:
        return 0
    return -(-missing // months_left(month, target.month))  # integer ceiling


def progress(
    target: Target | None, month: date, carried_in_minor: int, assigned_minor: int
) -> TargetProgress:
    if target is None:
        return NO_TARGET
    needed = needed_this_month(target, month, carried_in_minor)
    underfunded = max(needed - assigned_minor, 0)
    status = TargetStatus.UNDERFUNDED if underfunded else TargetStatus.FUNDED
    return TargetProgress(status, needed, underfunded)
