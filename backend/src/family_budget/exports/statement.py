"""The monthly statement PDF: the month's budget against what was spent, income against
expenses, account balances and net worth at the month's end, the biggest payees, and a chart.

The figures come from the same services as the API's budget and report endpoints (so the PDF
and the screens never disagree); `collect_statement` gathers them inside a transaction and
`statement_pdf.render_statement` draws them with ReportLab outside it (rendering takes a while,
and a database transaction should not wait for it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.budgets.activity import foreign_account_ids
from family_budget.budgets.service import BudgetMonth, compute_month
from family_budget.households.context import HouseholdContext
from family_budget.models import Account, AccountKind, Transaction
from family_budget.months import month_end
from family_budget.reports.service import MonthFlow, NetWorthPoint, income_vs_expenses, net_worth

TOP_PAYEES = 10
NO_PAYEE = "(no payee)"


@dataclass(frozen=True, slots=True)
class AccountBalance:
    name: str
    kind: AccountKind
    currency: str
    balance_minor: int


@dataclass(frozen=True, slots=True)
class PayeeTotal:
    payee: str
    count: int
    spent_minor: int


@dataclass(frozen=True, slots=True)
class StatementData:
    household_name: str
    currency: str
    month: date
    budget: BudgetMonth
    flow: MonthFlow
    net_worth: NetWorthPoint
    balances: list[AccountBalance]
    payees: list[PayeeTotal]


async def account_balances(
    session: AsyncSession, household: HouseholdContext, on: date
) -> list[AccountBalance]:
    """Each account opened by `on`, with its balance at the end of that day (the opening
    balance plus every transaction posted up to it, as the net worth report counts it)."""
    totals = (
        select(
            Transaction.account_id.label("account_id"),
            func.sum(Transaction.amount_minor).label("total_minor"),
        )
        .where(Transaction.household_id == household.id, Transaction.posted_on <= on)
        .group_by(Transaction.account_id)
        .subquery()
    )
    rows = await session.execute(
        select(Account, cast(func.coalesce(totals.c.total_minor, 0), BigInteger))
        .outerjoin(totals, totals.c.account_id == Account.id)
        .where(Account.household_id == household.id, Account.opened_on <= on)
        .order_by(func.lower(Account.name), Account.id)
    )
    return [
        AccountBalance(
            account.name, account.kind, account.currency, account.opening_balance_minor + total
        )
        for account, total in rows
    ]


async def biggest_payees(
    session: AsyncSession, household: HouseholdContext, month: date, limit: int = TOP_PAYEES
) -> list[PayeeTotal]:
    """Where the month's money went, by payee: outflows only, transfers left out, accounts in
    the household's currency only (other currencies cannot be added up)."""
    foreign = await foreign_account_ids(session, household)
    conditions = [
        Transaction.household_id == household.id,
        Transaction.posted_on >= month,
        Transaction.posted_on <= month_end(month),
        Transaction.transfer_id.is_(None),
        Transaction.amount_minor < 0,
    ]
    if foreign:
        conditions.append(Transaction.account_id.not_in(foreign))
    spent = cast(-func.sum(Transaction.amount_minor), BigInteger)
    rows = await session.execute(
        select(Transaction.payee, func.count(), spent)
        .where(*conditions)
        .group_by(Transaction.payee)
        .order_by(spent.desc(), Transaction.payee)
        .limit(limit)
    )
    return [PayeeTotal(payee or NO_PAYEE, int(count), int(total)) for payee, count, total in rows]


async def collect_statement(
    session: AsyncSession, household: HouseholdContext, month: date
) -> StatementData:
    flows = await income_vs_expenses(session, household, [month])
    worth = await net_worth(session, household, [month])
    return StatementData(
        household_name=household.household.name,
        currency=household.currency,
        month=month,
        budget=await compute_month(session, household, month),
        flow=flows[0],
        net_worth=worth.months[0],
        balances=await account_balances(session, household, month_end(month)),
        payees=await biggest_payees(session, household, month),
    )
