"""The two CSV exports: transactions (one row per split line) and the budget (month by month).

Both open cleanly in Excel and LibreOffice: UTF-8 with a byte order mark (without one, Excel
reads UTF-8 as the machine's legacy code page and mangles "Café"), CRLF line ends, RFC 4180
quoting, and amounts as plain decimal strings with the currency in a column of its own.

A cell a spreadsheet would run as a formula — text starting with =, +, -, @, a tab or a carriage
return — is neutralized with a leading apostrophe (OWASP's advice against CSV injection): a payee
called "=HYPERLINK(...)" shows as that text. Plain numbers ("-12.34") are left as numbers: they
cannot run anything, and they must stay numbers to add up.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.budgets.service import compute_month
from family_budget.households.context import HouseholdContext
from family_budget.models import Account, Category, CategoryGroup, Transaction, TransactionSplit
from family_budget.money import decimal_string
from family_budget.months import format_month, iter_months
from family_budget.transactions.queries import load_lines

BYTE_ORDER_MARK = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_BATCH = 500

TRANSACTION_COLUMNS = (
    "Date",
    "Account",
    "Payee",
    "Category group",
    "Category",
    "Memo",
    "Tags",
    "Amount",
    "Currency",
    "Status",
    "Transaction ID",
)
BUDGET_COLUMNS = (
    "Month",
    "Group",
    "Category",
    "Assigned",
    "Activity",
    "Available",
    "Currency",
)


def neutralize(cell: str) -> str:
    """The cell as text a spreadsheet shows, never runs."""
    if cell.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def write_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([neutralize(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


async def _category_names(
    session: AsyncSession, household: HouseholdContext
) -> dict[uuid.UUID, tuple[str, str]]:
    rows = await session.execute(
        select(Category.id, CategoryGroup.name, Category.name)
        .join(CategoryGroup, CategoryGroup.id == Category.group_id)
        .where(Category.household_id == household.id)
    )
    return {category_id: (group, name) for category_id, group, name in rows}


async def transaction_rows(
    session: AsyncSession, household: HouseholdContext, starts_on: date, ends_on: date
) -> list[list[str]]:
    """Every transaction of the household posted between the two days (both included), oldest
    first; a split transaction gives one row per line (its line's category, amount and memo,
    or the transaction's memo where the line has none)."""
    names = await _category_names(session, household)
    transactions = (
        await session.execute(
            select(Transaction, Account.name, Account.currency)
            .join(Account, Account.id == Transaction.account_id)
            .where(
                Transaction.household_id == household.id,
                Transaction.posted_on >= starts_on,
                Transaction.posted_on <= ends_on,
            )
            .order_by(Transaction.posted_on, Transaction.created_at, Transaction.id)
        )
    ).all()
    rows: list[list[str]] = []
    for start in range(0, len(transactions), _BATCH):
        batch = transactions[start : start + _BATCH]
        tags, splits = await load_lines(session, [t for t, _, _ in batch])
        for transaction, account_name, currency in batch:
            lines: list[TransactionSplit | None] = list(splits[transaction.id]) or [None]
            for line in lines:
                category_id = line.category_id if line else transaction.category_id
                amount = line.amount_minor if line else transaction.amount_minor
                memo = (line.memo if line and line.memo else "") or transaction.memo
                group, category = names.get(category_id, ("", "")) if category_id else ("", "")
                rows.append(
                    [
                        transaction.posted_on.isoformat(),
                        account_name,
                        transaction.payee,
                        group,
                        category,
                        memo,
                        ", ".join(tags[transaction.id]),
                        decimal_string(amount, currency),
                        currency,
                        transaction.status.value,
                        str(transaction.id),
                    ]
                )
    return rows


async def transactions_csv(
    session: AsyncSession, household: HouseholdContext, starts_on: date, ends_on: date
) -> bytes:
    return write_csv(
        TRANSACTION_COLUMNS, await transaction_rows(session, household, starts_on, ends_on)
    )


async def budget_rows(
    session: AsyncSession, household: HouseholdContext, starts_on: date, ends_on: date
) -> list[list[str]]:
    """Every spending category (hidden ones too) of every month from the month of `starts_on`
    through the month of `ends_on`, as the budget screen computes them."""
    rows: list[list[str]] = []
    currency = household.currency
    for month in iter_months(starts_on, ends_on):
        view = await compute_month(session, household, month)
        for group in view.groups:
            for line in group.categories:
                rows.append(
                    [
                        format_month(month),
                        group.name,
                        line.name,
                        decimal_string(line.assigned_minor, currency),
                        decimal_string(line.activity_minor, currency),
                        decimal_string(line.available_minor, currency),
                        currency,
                    ]
                )
    return rows


async def budget_csv(
    session: AsyncSession, household: HouseholdContext, starts_on: date, ends_on: date
) -> bytes:
    return write_csv(BUDGET_COLUMNS, await budget_rows(session, household, starts_on, ends_on))
