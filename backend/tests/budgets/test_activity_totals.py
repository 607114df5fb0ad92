"""The monthly activity totals stay equal to a from-scratch aggregate of the raw rows, whatever
sequence of writes goes through the API (and through the factories)."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.budgets.activity import rebuild_household
from family_budget.config import Settings
from family_budget.households.context import HouseholdContext
from family_budget.models import (
    Account,
    ActivityTotal,
    Category,
    Household,
    Transaction,
    TransactionSplit,
)
from family_budget.reports import service as reports_service
from tests.arrange import Family
from tests.factories import (
    auth_headers,
    create_account,
    create_category,
    create_category_group,
    create_household,
    create_split,
    create_transaction,
    create_user,
)

Key = tuple[uuid.UUID, uuid.UUID | None, date]


async def _stored(session: AsyncSession, household_id: uuid.UUID) -> dict[Key, int]:
    rows = await session.execute(
        select(
            ActivityTotal.account_id,
            ActivityTotal.category_id,
            ActivityTotal.month,
            ActivityTotal.amount_minor,
        ).where(ActivityTotal.household_id == household_id)
    )
    return {(a, c, m): int(amount) for a, c, m, amount in rows}


async def _raw_activity(
    session: AsyncSession, household_id: uuid.UUID
) -> list[tuple[uuid.UUID, uuid.UUID | None, date, int]]:
    """Budget activity (account, category, day, amount) read row by row in Python: the
    definition, independently of the SQL that sums it."""
    transactions = (
        (
            await session.execute(
                select(Transaction)
                .where(Transaction.household_id == household_id)
                .execution_options(populate_existing=True)
            )
        )
        .scalars()
        .all()
    )
    accounts = {t.id: t.account_id for t in transactions}
    rows = [
        (t.account_id, t.category_id, t.posted_on, t.amount_minor)
        for t in transactions
        if t.transfer_id is None and not t.is_split
    ]
    lines = (
        (
            await session.execute(
                select(TransactionSplit)
                .where(TransactionSplit.household_id == household_id)
                .execution_options(populate_existing=True)
            )
        )
        .scalars()
        .all()
    )
    rows += [
        (accounts[line.transaction_id], line.category_id, line.posted_on, line.amount_minor)
        for line in lines
    ]
    return rows


async def _from_scratch(session: AsyncSession, household_id: uuid.UUID) -> dict[Key, int]:
    """Budget activity summed per account, category and month in Python."""
    expected: dict[Key, int] = {}
    for account_id, category_id, posted_on, amount in await _raw_activity(session, household_id):
        key = (account_id, category_id, posted_on.replace(day=1))
        expected[key] = expected.get(key, 0) + amount
    return expected


class _Driver:
    """Random API writes against one household, remembering what exists."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        household: Household,
        headers: dict[str, str],
        accounts: list[Account],
        categories: list[Category],
        rng: random.Random,
    ) -> None:
        self.client = client
        self.base = f"/api/v1/households/{household.id}"
        self.headers = headers
        self.accounts = [str(a.id) for a in accounts]
        self.categories: list[str | None] = [str(c.id) for c in categories] + [None]
        self.rng = rng
        self.plain: list[str] = []  # neither transfer legs nor deleted
        self.transfers: list[str] = []

    def _date(self) -> str:
        return date(2024, self.rng.randint(1, 4), self.rng.randint(1, 28)).isoformat()

    def _amount(self) -> int:
        return self.rng.choice([-1, 1]) * self.rng.randint(1, 50_000)

    def _lines(self, amount: int) -> list[dict[str, Any]]:
        first = self.rng.randint(-60_000, 60_000)
        return [
            {"amount_minor": first, "category_id": self.rng.choice(self.categories)},
            {"amount_minor": amount - first, "category_id": self.rng.choice(self.categories)},
        ]

    async def _etag(self, transaction_id: str) -> str:
        response = await self.client.get(
            f"{self.base}/transactions/{transaction_id}", headers=self.headers
        )
        assert response.status_code == 200, response.text
        return response.headers["ETag"]

    async def create(self) -> None:
        amount = self._amount()
        body: dict[str, Any] = {
            "account_id": self.rng.choice(self.accounts),
            "posted_on": self._date(),
            "amount_minor": amount,
            "payee": "Shop",
        }
        if self.rng.random() < 0.3:
            body["splits"] = self._lines(amount)
        else:
            body["category_id"] = self.rng.choice(self.categories)
        response = await self.client.post(
            f"{self.base}/transactions", json=body, headers=self.headers
        )
        assert response.status_code == 201, response.text
        self.plain.append(response.json()["id"])

    async def transfer(self) -> None:
        source, destination = self.rng.sample(self.accounts, 2)
        response = await self.client.post(
            f"{self.base}/transactions/transfers",
            json={
                "from_account_id": source,
                "to_account_id": destination,
                "amount_minor": self.rng.randint(1, 90_000),
                "posted_on": self._date(),
            },
            headers=self.headers,
        )
        assert response.status_code == 201, response.text
        self.transfers.append(response.json()["from_transaction"]["id"])

    async def update(self) -> None:
        pool = self.plain + self.transfers
        if not pool:
            return await self.create()
        transaction_id = self.rng.choice(pool)
        is_transfer = transaction_id in self.transfers
        amount = self._amount()
        body: dict[str, Any] = {}
        choice = self.rng.choice(["amount", "date", "account", "category", "split", "unsplit"])
        if is_transfer:
            choice = self.rng.choice(["amount", "date"])
        if choice == "amount":
            body = {"amount_minor": amount}
            if not is_transfer:
                # A split's lines must follow its amount; categorize to leave any split.
                body["splits"] = []
                body["category_id"] = self.rng.choice(self.categories)
        elif choice == "date":
            body = {"posted_on": self._date()}
        elif choice == "account":
            body = {"account_id": self.rng.choice(self.accounts)}
        elif choice == "category":
            body = {"splits": [], "category_id": self.rng.choice(self.categories)}
        elif choice == "split":
            body = {"amount_minor": amount, "splits": self._lines(amount), "category_id": None}
        else:
            body = {"splits": [], "category_id": None}
        response = await self.client.patch(
            f"{self.base}/transactions/{transaction_id}",
            json=body,
            headers={**self.headers, "If-Match": await self._etag(transaction_id)},
        )
        assert response.status_code == 200, (body, response.text)
        return None

    async def delete(self) -> None:
        pool = self.plain + self.transfers
        if not pool:
            return
        transaction_id = self.rng.choice(pool)
        response = await self.client.delete(
            f"{self.base}/transactions/{transaction_id}",
            headers={**self.headers, "If-Match": await self._etag(transaction_id)},
        )
        assert response.status_code == 204, response.text
        for ids in (self.plain, self.transfers):
            if transaction_id in ids:
                ids.remove(transaction_id)

    async def bulk_categorize(self, split_ids: set[str]) -> None:
        candidates = [t for t in self.plain if t not in split_ids]
        if not candidates:
            return
        chosen = self.rng.sample(candidates, min(len(candidates), self.rng.randint(1, 5)))
        response = await self.client.post(
            f"{self.base}/transactions/bulk-categorize",
            json={"transaction_ids": chosen, "category_id": self.rng.choice(self.categories)},
            headers=self.headers,
        )
        assert response.status_code == 200, response.text

    async def merge(self, spending: list[str]) -> None:
        if len(spending) < 2:
            return
        source, target = self.rng.sample(spending, 2)
        response = await self.client.post(
            f"{self.base}/categories/{source}/merge",
            json={"into_category_id": target},
            headers=self.headers,
        )
        assert response.status_code == 200, response.text
        spending.remove(source)
        self.categories.remove(source)


async def _split_ids(session: AsyncSession, household_id: uuid.UUID) -> set[str]:
    rows = await session.execute(
        select(Transaction.id).where(
            Transaction.household_id == household_id, Transaction.is_split.is_(True)
        )
    )
    return {str(i) for i in rows.scalars()}


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_random_api_writes_keep_totals_equal_to_raw_rows(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, seed: int
) -> None:
    owner = await create_user(session)
    household = await create_household(session, owner=owner)
    accounts = [await create_account(session, household) for _ in range(3)]
    group = await create_category_group(session, household)
    categories = [await create_category(session, household, group) for _ in range(4)]
    # Money arranged through the factories counts too (the session hook sees ORM inserts).
    await create_transaction(session, accounts[0], amount_minor=-1234, category_id=categories[0].id)
    await session.commit()

    rng = random.Random(seed)
    driver = _Driver(client, household, auth_headers(settings, owner), accounts, categories, rng)
    spending = [str(c.id) for c in categories]
    operations = ["create"] * 4 + ["update"] * 5 + ["transfer", "delete", "delete", "bulk"]
    for step in range(45):
        operation = rng.choice(operations)
        if step in (20, 40):
            operation = "merge"
        if operation == "create":
            await driver.create()
        elif operation == "update":
            await driver.update()
        elif operation == "transfer":
            await driver.transfer()
        elif operation == "delete":
            await driver.delete()
        elif operation == "bulk":
            await driver.bulk_categorize(await _split_ids(session, household.id))
        else:
            await driver.merge(spending)

    expected = await _from_scratch(session, household.id)
    assert len(expected) > 5
    assert await _stored(session, household.id) == expected


async def test_factory_split_lines_and_category_deletion_keep_totals(
    session: AsyncSession,
) -> None:
    household = await create_household(session)
    account = await create_account(session, household)
    category = await create_category(session, household)
    parent = await create_transaction(
        session, account, amount_minor=-5000, posted_on=date(2024, 5, 31), is_split=True
    )
    await create_split(session, parent, category, -3000)
    await create_split(session, parent, None, -2000)
    await create_transaction(
        session, account, amount_minor=-700, posted_on=date(2024, 5, 1), category_id=category.id
    )
    assert await _stored(session, household.id) == {
        (account.id, category.id, date(2024, 5, 1)): -3700,
        (account.id, None, date(2024, 5, 1)): -2000,
    }

    await session.delete(category)
    await session.flush()

    assert await _stored(session, household.id) == {(account.id, None, date(2024, 5, 1)): -5700}
    assert await _stored(session, household.id) == await _from_scratch(session, household.id)


async def test_rebuild_household_recomputes_everything(
    session: AsyncSession, family: Family
) -> None:
    household = await create_household(session)
    account = await create_account(session, household)
    await create_transaction(session, account, amount_minor=-100, posted_on=date(2024, 1, 9))
    await create_transaction(session, account, amount_minor=250, posted_on=date(2024, 3, 9))
    before = await _stored(session, household.id)
    # Another household's totals, one of them made wrong: rebuilding this household must leave
    # them all exactly as they are (it neither deletes nor recomputes anything of theirs).
    theirs = family.other.household.id
    await session.execute(
        update(ActivityTotal)
        .where(ActivityTotal.household_id == theirs, ActivityTotal.month == date(2024, 2, 1))
        .values(amount_minor=ActivityTotal.amount_minor + 1)
    )
    their_totals = await _stored(session, theirs)
    assert their_totals != await _from_scratch(session, theirs)

    await session.run_sync(lambda sync: rebuild_household(sync.connection(), household.id))

    assert await _stored(session, theirs) == their_totals

    assert (
        await _stored(session, household.id)
        == before
        == {
            (account.id, None, date(2024, 1, 1)): -100,
            (account.id, None, date(2024, 3, 1)): 250,
        }
    )


async def test_spending_report_with_partial_edge_months_equals_raw_rows(
    session: AsyncSession,
) -> None:
    """Whole months come from the totals, a partial edge month from its raw rows or as its
    total less the raw rows of its other days: every range must agree with the definition
    summed in Python, with transfers, splits, a foreign-currency account and
    a second household's money in the same months."""
    household = await create_household(session)
    accounts = [await create_account(session, household) for _ in range(2)]
    foreign = await create_account(session, household, currency="EUR")
    categories: list[Category | None] = [
        *[await create_category(session, household) for _ in range(3)],
        None,
    ]
    neighbours = await create_household(session)
    neighbour_account = await create_account(session, neighbours)
    neighbour_category = await create_category(session, neighbours)
    rng = random.Random(11)

    def some_day() -> date:
        return date(2024, rng.randint(1, 6), rng.choice([1, 2, 14, 28, 29]))

    for _ in range(80):
        category = rng.choice(categories)
        await create_transaction(
            session,
            rng.choice([*accounts, foreign]),
            amount_minor=rng.randint(-9000, 9000),
            posted_on=some_day(),
            category_id=category.id if category else None,
        )
        await create_transaction(
            session,
            neighbour_account,
            amount_minor=rng.randint(-9000, 9000),
            posted_on=some_day(),
            category_id=neighbour_category.id,
        )
    for _ in range(15):
        day, amount = some_day(), rng.randint(1, 5000)
        transfer_id = uuid.uuid4()
        # Each leg with a category of its own (the service refuses any; an importer might not):
        # were transfers counted, the legs would no longer cancel out in the report.
        for account, signed in ((accounts[0], -amount), (accounts[1], amount)):
            category = rng.choice(categories)
            await create_transaction(
                session,
                account,
                amount_minor=signed,
                posted_on=day,
                transfer_id=transfer_id,
                category_id=category.id if category else None,
            )
        parent = await create_transaction(
            session,
            rng.choice([*accounts, foreign]),
            amount_minor=-2 * amount,
            posted_on=day,
            is_split=True,
        )
        await create_split(session, parent, rng.choice(categories), -amount)
        await create_split(session, parent, rng.choice(categories), -amount)
    await session.commit()
    raw_rows = await _raw_activity(session, household.id)
    ranges = [
        (date(2024, 2, 1), date(2024, 4, 30)),
        (date(2024, 2, 15), date(2024, 2, 20)),
        (date(2024, 1, 31), date(2024, 3, 1)),
        (date(2024, 1, 2), date(2024, 5, 28)),
        (date(2024, 3, 1), date(2024, 3, 31)),
        (date(2024, 3, 1), date(2024, 3, 30)),
        (date(2024, 2, 29), date(2024, 6, 30)),
    ]
    for _ in range(10):
        start = date(2024, rng.randint(1, 6), rng.randint(1, 29))
        ranges.append((start, start + timedelta(days=rng.randint(0, 150))))
    for start, end in ranges:
        report = await reports_service.spending_by_category(
            session, HouseholdContext.for_system(household), start, end
        )
        expected: dict[uuid.UUID | None, int] = {}
        for account_id, category_id, posted_on, amount in raw_rows:
            if account_id != foreign.id and start <= posted_on <= end:
                expected[category_id] = expected.get(category_id, 0) - amount
        shown = {
            line.category_id: line.spent_minor
            for group in report.groups
            for line in group.categories
        }
        assert (shown, report.uncategorized_minor) == (
            {k: v for k, v in expected.items() if k is not None and v != 0},
            expected.get(None, 0),
        ), (start, end)
