"""Moving money, targets and quick assign, through the API, with another household's budget in
the same months (tests/arrange.py) left untouched."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.budgets.service import average_spent
from family_budget.budgets.targets import Target, TargetStatus, progress
from family_budget.models import BudgetAssignment, TargetKind
from tests.arrange import Family
from tests.factories import assign_budget, create_category, create_transaction

MARCH = date(2024, 3, 1)


async def month(client: httpx.AsyncClient, family: Family, name: str = "2024-03") -> dict[str, Any]:
    response = await client.get(f"{family.base}/budgets/{name}", headers=family.headers())
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def lines(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {line["name"]: line for group in body["groups"] for line in group["categories"]}


async def their_budget(session: AsyncSession, family: Family) -> list[tuple[object, ...]]:
    rows = await session.execute(
        select(
            BudgetAssignment.category_id, BudgetAssignment.month, BudgetAssignment.assigned_minor
        )
        .where(BudgetAssignment.household_id == family.other.household.id)
        .order_by(BudgetAssignment.month)
        .execution_options(populate_existing=True)
    )
    return [tuple(row) for row in rows]


class TestMoveMoney:
    async def test_moves_available_and_keeps_the_sum(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        # Groceries carries 3000 in from February; Dining is overspent in March.
        await assign_budget(session, family.groceries, date(2024, 2, 1), 3000)
        await create_transaction(
            session, family.private, category_id=family.dining.id, amount_minor=-1200
        )
        await session.commit()
        theirs = await their_budget(session, family)
        before = await month(client, family)

        response = await client.post(
            f"{family.base}/budgets/2024-03/move",
            json={
                "from_category_id": str(family.groceries.id),
                "to_category_id": str(family.dining.id),
                "amount_minor": 1200,
            },
            headers=family.headers(family.adult),
        )

        assert response.status_code == 200
        after = response.json()
        old, new = lines(before), lines(after)
        groceries, dining = family.groceries.name, family.dining.name
        assert (new[groceries]["available_minor"], new[dining]["available_minor"]) == (1800, 0)
        # Carried-in money moves by a negative assignment.
        assert new[groceries]["assigned_minor"] == -1200
        total = sum(line["available_minor"] for line in old.values())
        assert sum(line["available_minor"] for line in new.values()) == total
        assert after["totals"]["left_to_assign_minor"] == before["totals"]["left_to_assign_minor"]
        assert await their_budget(session, family) == theirs

    async def test_from_and_to_the_money_to_assign(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        url = f"{family.base}/budgets/2024-03/move"
        body = {"from_category_id": None, "to_category_id": str(family.dining.id)}
        first = await client.post(url, json={**body, "amount_minor": 500}, headers=family.headers())
        back = {"from_category_id": str(family.dining.id), "to_category_id": None}
        second = await client.post(
            url, json={**back, "amount_minor": 200}, headers=family.headers()
        )
        assert second.status_code == 200
        assert lines(second.json())[family.dining.name]["available_minor"] == 300
        assert first.json()["totals"]["left_to_assign_minor"] == -500
        assert second.json()["totals"]["left_to_assign_minor"] == -300

    @pytest.mark.parametrize(
        "payload",
        [
            {"from_category_id": None, "to_category_id": None, "amount_minor": 5},
            {"amount_minor": 0},
            {"amount_minor": -5},
            {"amount_minor": 1.5},
            {"to_category_id": "income"},
        ],
    )
    async def test_bad_moves_are_422_and_change_nothing(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        payload: dict[str, Any],
    ) -> None:
        salary = await create_category(session, family.household, name="Pay", is_income=True)
        await session.commit()
        body: dict[str, Any] = {
            "from_category_id": str(family.groceries.id),
            "to_category_id": str(family.dining.id),
            "amount_minor": 5,
            **payload,
        }
        if body["to_category_id"] == "income":
            body["to_category_id"] = str(salary.id)
        response = await client.post(
            f"{family.base}/budgets/2024-03/move", json=body, headers=family.headers()
        )
        assert response.status_code == 422
        rows = await session.scalars(
            select(BudgetAssignment).where(BudgetAssignment.household_id == family.household.id)
        )
        assert rows.all() == []


class TestTargets:
    async def test_set_show_and_clear(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        # 1000 carried in from February; 12000 wanted by June: (12000 - 1000) / 4 months.
        await assign_budget(session, family.groceries, date(2024, 2, 1), 1000)
        await assign_budget(session, family.groceries, MARCH, 2000)
        await session.commit()
        url = f"{family.base}/categories/{family.groceries.id}/target"
        response = await client.put(
            url,
            json={"kind": "by_date", "amount_minor": 12000, "month": "2024-06"},
            headers=family.headers(),
        )
        assert response.status_code == 200
        assert response.json() == {"kind": "by_date", "amount_minor": 12000, "month": "2024-06"}
        line = lines(await month(client, family))[family.groceries.name]
        assert line["target"] == {"kind": "by_date", "amount_minor": 12000, "month": "2024-06"}
        assert (line["target_status"], line["target_needed_minor"], line["underfunded_minor"]) == (
            "underfunded",
            2750,
            750,
        )
        monthly = await client.put(
            url, json={"kind": "monthly", "amount_minor": 2000}, headers=family.headers()
        )
        assert monthly.json()["month"] is None
        line = lines(await month(client, family))[family.groceries.name]
        assert (line["target_status"], line["underfunded_minor"]) == ("funded", 0)
        assert (await client.delete(url, headers=family.headers())).status_code == 204
        line = lines(await month(client, family))[family.groceries.name]
        assert (line["target"], line["target_status"]) == (None, "none")

    @pytest.mark.parametrize(
        "payload",
        [
            {"kind": "by_date", "amount_minor": 100},
            {"kind": "monthly", "amount_minor": 100, "month": "2024-05"},
            {"kind": "monthly", "amount_minor": 0},
            {"kind": "weekly", "amount_minor": 100},
        ],
    )
    async def test_invalid_target_is_422(
        self, client: httpx.AsyncClient, family: Family, payload: dict[str, Any]
    ) -> None:
        url = f"{family.base}/categories/{family.groceries.id}/target"
        response = await client.put(url, json=payload, headers=family.headers())
        assert response.status_code == 422
        line = lines(await month(client, family))[family.groceries.name]
        assert line["target"] is None

    @given(
        amount=st.integers(min_value=1, max_value=10**9),
        carried=st.integers(min_value=-(10**9), max_value=10**9),
        assigned=st.integers(min_value=-(10**6), max_value=10**9),
        months_ahead=st.integers(min_value=-3, max_value=40),
    )
    def test_by_date_needs_the_even_share_rounded_up(
        self, amount: int, carried: int, assigned: int, months_ahead: int
    ) -> None:
        target_month = date(2024 + (2 + months_ahead) // 12, (2 + months_ahead) % 12 + 1, 1)
        found = progress(Target(TargetKind.BY_DATE, amount, target_month), MARCH, carried, assigned)
        left = max(months_ahead + 1, 1)
        missing = max(amount - carried, 0)
        # The smallest whole amount that, assigned every month left, covers what is missing.
        needed = next(n for n in range(missing // left, missing // left + 2) if n * left >= missing)
        assert found.needed_minor == needed
        assert found.underfunded_minor == max(needed - assigned, 0)
        assert (found.status is TargetStatus.FUNDED) == (assigned >= needed)


class TestQuickAssign:
    async def test_strategies(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        groceries, dining = family.groceries, family.dining
        await assign_budget(session, groceries, date(2024, 2, 1), 4000)
        await assign_budget(session, dining, MARCH, 700)
        for day, amount in ((date(2023, 12, 5), -1000), (date(2024, 1, 5), -2000)):
            await create_transaction(
                session, family.private, category_id=dining.id, amount_minor=amount, posted_on=day
            )
        await create_transaction(
            session,
            family.private,
            category_id=dining.id,
            amount_minor=-1,
            posted_on=date(2024, 2, 5),
        )
        await session.commit()
        theirs = await their_budget(session, family)
        url = f"{family.base}/budgets/2024-03/quick-assign"

        last = await client.post(url, json={"strategy": "last_month"}, headers=family.headers())
        assert last.status_code == 200
        assert sorted(
            (c["category_id"], c["previous_assigned_minor"], c["assigned_minor"])
            for c in last.json()["changes"]
        ) == sorted([(str(groceries.id), 0, 4000), (str(dining.id), 700, 0)])

        average = await client.post(
            url,
            json={"strategy": "average_3_months", "category_ids": [str(dining.id)]},
            headers=family.headers(),
        )
        # (1000 + 2000 + 1) / 3 = 1000.33 -> 1000
        assert average.json()["changes"] == [
            {"category_id": str(dining.id), "previous_assigned_minor": 0, "assigned_minor": 1000}
        ]

        await client.put(
            f"{family.base}/categories/{groceries.id}/target",
            json={"kind": "monthly", "amount_minor": 6500},
            headers=family.headers(),
        )
        funded = await client.post(url, json={"strategy": "fund_targets"}, headers=family.headers())
        assert funded.json()["changes"] == [
            {
                "category_id": str(groceries.id),
                "previous_assigned_minor": 4000,
                "assigned_minor": 6500,
            }
        ]
        line = lines(await month(client, family))[groceries.name]
        assert (line["assigned_minor"], line["target_status"]) == (6500, "funded")
        again = await client.post(url, json={"strategy": "fund_targets"}, headers=family.headers())
        assert again.json()["changes"] == []
        assert await their_budget(session, family) == theirs

    async def test_unknown_category_is_422(self, client: httpx.AsyncClient, family: Family) -> None:
        response = await client.post(
            f"{family.base}/budgets/2024-03/quick-assign",
            json={"strategy": "last_month", "category_ids": [str(uuid.uuid4())]},
            headers=family.headers(),
        )
        assert response.status_code == 422
        assert response.json()["code"] == "unknown_category"


@given(spent=st.lists(st.integers(min_value=-(10**9), max_value=10**9), min_size=1, max_size=3))
def test_average_spent_rounds_half_up(spent: list[int]) -> None:
    from fractions import Fraction

    exact = Fraction(sum(max(s, 0) for s in spent), len(spent))
    assert average_spent(spent) == int(exact + Fraction(1, 2))
