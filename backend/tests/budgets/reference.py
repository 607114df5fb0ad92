"""The budget's month math written the long way, as a person would on paper: the independent
model the production path (family_budget.budgets.service.compute_month over the monthly totals)
is checked against. It shares no code with the service: it reads a plain ledger of accounts,
transactions and assignments and walks the months one by one, keeping a running "to assign"
balance the way an envelope budgeter keeps a sheet."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class PaperAccount:
    on_budget: bool
    opening_minor: int
    opened_on: date


@dataclass(frozen=True)
class PaperTransaction:
    account: str
    month: date
    amount_minor: int
    category: str | None
    transfer: str | None = None  # both legs of a transfer share it


@dataclass(frozen=True)
class PaperCategory:
    is_income: bool = False
    carry_overspending: bool = False


@dataclass
class PaperMonth:
    assigned: dict[str, int] = field(default_factory=dict)
    activity: dict[str, int] = field(default_factory=dict)
    available: dict[str, int] = field(default_factory=dict)
    income: int = 0
    to_assign: int = 0


def _next(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def _counts(
    txn: PaperTransaction,
    accounts: Mapping[str, PaperAccount],
    legs: Mapping[str, list[PaperTransaction]],
) -> bool:
    """A tracking account's money never counts. A transfer leg counts only when its account is
    on the budget and the other leg's is not (money crossing the budget's edge)."""
    if not accounts[txn.account].on_budget:
        return False
    if txn.transfer is None:
        return True
    [other] = [leg for leg in legs[txn.transfer] if leg is not txn]
    return not accounts[other.account].on_budget


def walk(
    accounts: Mapping[str, PaperAccount],
    categories: Mapping[str, PaperCategory],
    transactions: Iterable[PaperTransaction],
    assigned: Mapping[tuple[str, date], int],
    first: date,
    last: date,
) -> dict[date, PaperMonth]:
    """Every month from `first` through `last`. `first` must be no later than any money."""
    txns = list(transactions)
    legs: dict[str, list[PaperTransaction]] = defaultdict(list)
    for txn in txns:
        if txn.transfer is not None:
            legs[txn.transfer].append(txn)
    sheet: dict[date, PaperMonth] = {}
    to_assign = 0
    left_over: dict[str, int] = {name: 0 for name, c in categories.items() if not c.is_income}
    month = first
    while month <= last:
        page = PaperMonth()
        # Last month's ending balances: what is left carries; overspending either carries in
        # its category or is paid now out of the money to assign.
        for name in left_over:
            balance = left_over[name]
            if balance < 0 and not categories[name].carry_overspending:
                to_assign += balance
                balance = 0
            left_over[name] = balance
        # New money: accounts opened this month (or before `first`), and income.
        for account in accounts.values():
            opened = date(account.opened_on.year, account.opened_on.month, 1)
            if account.on_budget and (opened == month or (month == first and opened < first)):
                to_assign += account.opening_minor
        for txn in txns:
            if txn.month != month or txn.category is None or not _counts(txn, accounts, legs):
                continue
            if categories[txn.category].is_income:
                page.income += txn.amount_minor
            else:
                page.activity[txn.category] = page.activity.get(txn.category, 0) + txn.amount_minor
        to_assign += page.income
        for name in left_over:
            page.assigned[name] = assigned.get((name, month), 0)
            to_assign -= page.assigned[name]
            left_over[name] += page.assigned[name] + page.activity.get(name, 0)
            page.available[name] = left_over[name]
        page.to_assign = to_assign
        sheet[month] = page
        month = _next(month)
    return sheet
