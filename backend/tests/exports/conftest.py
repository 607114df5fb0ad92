"""A household with a month of money in every shape an export meets (income, a split, tags,
a transfer, an uncategorized payment, cells that look like formulas), and a second household
with money in the same month that must never show up."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.config import Settings
from family_budget.models import (
    Account,
    AccountKind,
    Household,
    Role,
    Transaction,
    TransactionTag,
    User,
)
from family_budget.worker.jobs import JobContext, Outcome, drain
from tests.factories import (
    add_member,
    assign_budget,
    auth_headers,
    create_account,
    create_category,
    create_category_group,
    create_household,
    create_split,
    create_transaction,
    create_user,
)
from tests.notifications.conftest import aws_environment, moto_endpoint, moto_server

__all__ = ["aws_environment", "moto_endpoint", "moto_server"]

HYPERLINK = '=HYPERLINK("http://evil.example","click")'


@dataclass
class Ledger:
    settings: Settings
    household: Household
    owner: User
    teen: User
    checking: Account
    card: Account
    savings: Account
    ids: dict[str, uuid.UUID]
    other_household: Household
    outsider: User

    @property
    def base(self) -> str:
        return f"/api/v1/households/{self.household.id}"

    def headers(self, user: User | None = None) -> dict[str, str]:
        return auth_headers(self.settings, user or self.owner)


async def _tag(session: AsyncSession, transaction: Transaction, *tags: str) -> None:
    session.add_all(
        TransactionTag(
            transaction_id=transaction.id, tag=tag, household_id=transaction.household_id
        )
        for tag in tags
    )
    await session.flush()


async def arrange_ledger(session: AsyncSession, settings: Settings) -> Ledger:
    owner, teen = await create_user(session), await create_user(session)
    household = await create_household(session, owner=owner, name="The Parkers")
    await add_member(session, household, teen, Role.TEEN)
    checking = await create_account(
        session, household, name="Joint checking", opening_balance_minor=100_000
    )
    card = await create_account(session, household, name="Visa", kind=AccountKind.CREDIT_CARD)
    savings = await create_account(
        session, household, name="Savings", kind=AccountKind.SAVINGS, opening_balance_minor=50_000
    )
    income = await create_category_group(session, household, name="Income", sort_order=0)
    everyday = await create_category_group(session, household, name="Everyday", sort_order=1)
    salary = await create_category(session, household, income, name="Salary", is_income=True)
    groceries = await create_category(session, household, everyday, name="Groceries", sort_order=0)
    dining = await create_category(session, household, everyday, name="Dining out", sort_order=1)
    await assign_budget(session, groceries, date(2026, 11, 1), 40_000)
    await assign_budget(session, dining, date(2026, 11, 1), 15_000)

    ids: dict[str, uuid.UUID] = {}
    october = await create_transaction(
        session, checking, posted_on=date(2026, 10, 30), amount_minor=-1_000, payee="October thing"
    )
    pay = await create_transaction(
        session,
        checking,
        posted_on=date(2026, 11, 1),
        amount_minor=300_000,
        payee="Acme Corp",
        memo="November pay",
        category_id=salary.id,
    )
    shop = await create_transaction(
        session,
        card,
        posted_on=date(2026, 11, 3),
        amount_minor=-12_345,
        payee=HYPERLINK,
        memo="@SUM(A1:A9)",
        category_id=groceries.id,
    )
    await _tag(session, shop, "food", "+cmd")
    market = await create_transaction(
        session,
        card,
        posted_on=date(2026, 11, 10),
        amount_minor=-8_000,
        payee="Farmers Market",
        memo="Market day",
        is_split=True,
    )
    line = await create_split(session, market, groceries, -5_000)
    line.memo = "-2+3"
    await create_split(session, market, dining, -3_000)
    transfer_id = uuid.uuid4()
    await create_transaction(
        session,
        checking,
        posted_on=date(2026, 11, 15),
        amount_minor=-20_000,
        payee="",
        memo="Save",
        transfer_id=transfer_id,
    )
    await create_transaction(
        session,
        savings,
        posted_on=date(2026, 11, 15),
        amount_minor=20_000,
        payee="",
        memo="Save",
        transfer_id=transfer_id,
    )
    pizza = await create_transaction(
        session,
        card,
        posted_on=date(2026, 11, 20),
        amount_minor=-4_550,
        payee="Pizza Place",
        category_id=dining.id,
    )
    corner = await create_transaction(
        session, checking, posted_on=date(2026, 11, 25), amount_minor=-1_999, payee="Corner Store"
    )
    ids.update(
        october=october.id,
        pay=pay.id,
        shop=shop.id,
        market=market.id,
        pizza=pizza.id,
        corner=corner.id,
    )

    outsider = await create_user(session)
    other = await create_household(session, owner=outsider, name="The Others")
    their_account = await create_account(session, other, name="Their checking")
    their_group = await create_category_group(session, other, name="Their group")
    their_food = await create_category(session, other, their_group, name="Their food")
    await assign_budget(session, their_food, date(2026, 11, 1), 77_700)
    await create_transaction(
        session,
        their_account,
        posted_on=date(2026, 11, 3),
        amount_minor=-12_345,
        payee="Secret Payee B",
        category_id=their_food.id,
    )
    await create_transaction(
        session,
        their_account,
        posted_on=date(2026, 11, 1),
        amount_minor=99_900,
        payee="Their Employer",
    )
    await session.commit()
    return Ledger(settings, household, owner, teen, checking, card, savings, ids, other, outsider)


@pytest.fixture
async def ledger(session: AsyncSession, settings: Settings) -> Ledger:
    return await arrange_ledger(session, settings)


RunJobs = Callable[[], Awaitable[dict[Outcome, int]]]


@pytest.fixture
def run_jobs(settings: Settings, session_factory: async_sessionmaker[AsyncSession]) -> RunJobs:
    async def run() -> dict[Outcome, int]:
        return await drain(JobContext(settings, session_factory, now=datetime.now(UTC)))

    return run
