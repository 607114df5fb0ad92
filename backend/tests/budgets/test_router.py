from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.models import AccountKind, BudgetAssignment
from tests.arrange import Family
from tests.factories import (
    assign_budget,
    create_account,
    create_category,
    create_category_group,
    create_split,
    create_transaction,
)

ROLE_MATRIX = [("owner", True), ("adult", True), ("teen", False)]
BAD_MONTHS = ["2024-13", "2024-00", "2024-1", "24-03", "2024-03-01", "march", "0999-12"]


async def assignments(session: AsyncSession, family: Family) -> dict[tuple[uuid.UUID, date], int]:
    rows = await session.scalars(
        select(BudgetAssignment)
        .where(BudgetAssignment.household_id == family.household.id)
        .execution_options(populate_existing=True)
    )
    return {(row.category_id, row.month): row.assigned_minor for row in rows}


def lines_by_name(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {line["name"]: line for group in body["groups"] for line in group["categories"]}


def numbers(line: dict[str, Any]) -> tuple[int, int, int]:
    return line["assigned_minor"], line["activity_minor"], line["available_minor"]


class TestGetBudgetMonth:
    async def test_month_numbers_and_totals(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        home = family.household
        income_group = await create_category_group(session, home, name="Income", sort_order=0)
        living = await create_category_group(session, home, name="Living", sort_order=1)
        salary = await create_category(session, home, income_group, name="Salary", is_income=True)
        food = await create_category(session, home, living, name="Food", sort_order=0)
        rent = await create_category(session, home, living, name="Rent", sort_order=1)
        old = await create_category(session, home, living, name="Old", hidden=True, sort_order=2)
        await create_category(session, home, living, name="Unused hidden", hidden=True)
        checking = await create_account(session, home, opening_balance_minor=50000)
        savings = await create_account(session, home, kind=AccountKind.SAVINGS)
        euros = await create_account(session, home, currency="EUR", opening_balance_minor=7)
        # Tracking accounts and accounts opened later bring no money to assign in March.
        await create_account(session, home, kind=AccountKind.LOAN, opening_balance_minor=-900000)
        await create_account(session, home, opening_balance_minor=123, opened_on=date(2024, 4, 1))

        await assign_budget(session, food, date(2024, 3, 1), 40000)
        await assign_budget(session, rent, date(2024, 3, 1), 120000)
        await assign_budget(session, food, date(2024, 2, 1), 99999)  # left over: carries in
        await assign_budget(session, rent, date(2024, 4, 1), 120000)  # future month
        in_march = date(2024, 3, 10)
        await create_transaction(
            session, checking, category_id=salary.id, amount_minor=300000, posted_on=in_march
        )
        await create_transaction(session, checking, category_id=food.id, amount_minor=-2500)
        await create_transaction(session, checking, category_id=food.id, amount_minor=500)
        await create_transaction(
            session, checking, category_id=old.id, amount_minor=-100, posted_on=date(2024, 3, 31)
        )
        split = await create_transaction(session, checking, amount_minor=-130000, is_split=True)
        await create_split(session, split, rent, -120000)
        await create_split(session, split, food, -10000)
        await create_transaction(session, checking, amount_minor=-700)  # uncategorized
        # Neither transfers, other currencies nor other months are activity of March.
        transfer_id = uuid.uuid4()
        await create_transaction(
            session, checking, category_id=food.id, amount_minor=-5000, transfer_id=transfer_id
        )
        await create_transaction(
            session, savings, category_id=salary.id, amount_minor=5000, transfer_id=transfer_id
        )
        await create_transaction(session, euros, category_id=food.id, amount_minor=-8800)
        euro_split = await create_transaction(session, euros, amount_minor=-3000, is_split=True)
        await create_split(session, euro_split, food, -3000)
        await create_transaction(
            session, checking, category_id=food.id, amount_minor=-1, posted_on=date(2024, 2, 29)
        )
        await create_transaction(
            session, checking, category_id=food.id, amount_minor=-1, posted_on=date(2024, 4, 1)
        )
        await session.commit()

        response = await client.get(f"{family.base}/budgets/2024-03", headers=family.headers())

        assert response.status_code == 200
        body = response.json()
        assert (body["month"], body["currency"]) == ("2024-03", "USD")
        # Our arrangement's "Everyday" group shows its categories with zeros.
        assert [g["name"] for g in body["groups"]] == ["Everyday", "Living"]
        assert numbers(lines_by_name(body)["Groceries"]) == (0, 0, 0)
        living_group = body["groups"][1]
        assert [line["name"] for line in living_group["categories"]] == ["Food", "Rent", "Old"]
        lines = lines_by_name(body)
        # February's 99999 - 1 left over carries into March.
        assert numbers(lines["Food"]) == (40000, -12000, 99998 + 28000)
        assert lines["Food"]["carried_in_minor"] == 99998
        assert numbers(lines["Rent"]) == (120000, -120000, 0)
        assert numbers(lines["Old"]) == (0, -100, -100)
        assert lines["Old"]["hidden"] is True
        assert lines["Food"]["category_id"] == str(food.id)
        assert (
            living_group["assigned_minor"],
            living_group["activity_minor"],
            living_group["available_minor"],
        ) == (160000, -132100, 99998 + 27900)
        assert body["totals"] == {
            "income_minor": 300000,
            "assigned_minor": 160000,
            "spent_minor": 132100,
            "opening_balances_minor": 50000,
            "overspending_covered_minor": 0,
            # The opening balance and March's income minus what February and March assigned
            # (April's is not yet due); March's overspending in Old is April's to cover.
            "left_to_assign_minor": 50000 + 300000 - 99999 - 160000,
            "uncategorized_activity_minor": -700,
        }
        april = (
            await client.get(f"{family.base}/budgets/2024-04", headers=family.headers())
        ).json()
        assert april["totals"]["opening_balances_minor"] == 50000 + 123
        assert april["totals"]["overspending_covered_minor"] == 100
        assert april["totals"]["left_to_assign_minor"] == (
            50000 + 123 + 300000 - 99999 - 160000 - 120000 - 100
        )
        assert "Old" not in lines_by_name(april)  # hidden, and back at zero

    async def test_carry_over_across_the_year_end(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        group = await create_category_group(session, family.household)
        gifts = await create_category(
            session, family.household, group, name="Gifts", carry_overspending=True
        )
        fuel = await create_category(session, family.household, group, name="Fuel")
        account = await create_account(session, family.household)
        for category in (gifts, fuel):
            await assign_budget(session, category, date(2023, 11, 1), 10000)
            await assign_budget(session, category, date(2023, 12, 1), 5000)
            await assign_budget(session, category, date(2024, 1, 1), 2000)
            await create_transaction(
                session,
                account,
                category_id=category.id,
                amount_minor=-4000,
                posted_on=date(2023, 11, 20),
            )
            await create_transaction(
                session,
                account,
                category_id=category.id,
                amount_minor=-16000,
                posted_on=date(2023, 12, 24),
            )
            await create_transaction(
                session,
                account,
                category_id=category.id,
                amount_minor=-500,
                posted_on=date(2024, 1, 2),
            )
        await session.commit()

        seen = {}
        for month in ("2023-11", "2023-12", "2024-01", "2024-02"):
            response = await client.get(f"{family.base}/budgets/{month}", headers=family.headers())
            assert response.status_code == 200
            lines = lines_by_name(response.json())
            seen[month] = (lines["Gifts"]["available_minor"], lines["Fuel"]["available_minor"])

        assert seen == {
            "2023-11": (6000, 6000),
            # Both overspent by 5000: Gifts carries it, Fuel's comes out of January's money to
            # assign and Fuel starts January at zero.
            "2023-12": (6000 + 5000 - 16000, 6000 + 5000 - 16000),
            "2024-01": (-5000 + 2000 - 500, 2000 - 500),
            "2024-02": (-3500, 1500),
        }

    async def test_empty_month(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        await create_category(session, family.household, name="Food")
        await session.commit()
        response = await client.get(f"{family.base}/budgets/1999-01", headers=family.headers())
        assert response.status_code == 200
        body = response.json()
        assert numbers(lines_by_name(body)["Food"]) == (0, 0, 0)
        assert set(body["totals"].values()) == {0}

    @pytest.mark.parametrize("role", ["owner", "adult", "teen"])
    async def test_every_member_reads(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family, role: str
    ) -> None:
        food = await create_category(session, family.household, name="Food")
        await assign_budget(session, food, date(2024, 3, 1), 100)
        await session.commit()
        response = await client.get(
            f"{family.base}/budgets/2024-03", headers=family.headers(family.member(role))
        )
        assert response.status_code == 200
        assert response.json()["totals"]["assigned_minor"] == 100

    async def test_a_teen_sees_only_the_money_of_accounts_shared_with_them(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        """Hardening audit item 10: a teen's budget showed the activity of accounts not shared
        with them (a parent's private spending, to the cent)."""
        await assign_budget(session, family.groceries, date(2024, 3, 1), 10_000)
        await create_transaction(
            session, family.shared, amount_minor=-700, category_id=family.groceries.id
        )
        await create_transaction(
            session, family.private, amount_minor=-5_000, category_id=family.groceries.id
        )
        await session.commit()

        def groceries(body: dict[str, Any]) -> tuple[int, int, int]:
            return numbers(lines_by_name(body)[family.groceries.name])

        adult = await client.get(f"{family.base}/budgets/2024-03", headers=family.headers())
        teen = await client.get(
            f"{family.base}/budgets/2024-03", headers=family.headers(family.teen)
        )
        assert groceries(adult.json()) == (10_000, -5_700, 4_300)
        assert groceries(teen.json()) == (10_000, -700, 9_300)
        assert teen.json()["totals"]["spent_minor"] == 700

    @pytest.mark.parametrize("month", BAD_MONTHS)
    async def test_invalid_month_is_422(
        self, client: httpx.AsyncClient, family: Family, month: str
    ) -> None:
        response = await client.get(f"{family.base}/budgets/{month}", headers=family.headers())
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_month"


class TestSetBudgetAssignment:
    @pytest.mark.parametrize(("role", "allowed"), ROLE_MATRIX)
    async def test_roles(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        role: str,
        allowed: bool,
    ) -> None:
        food = await create_category(session, family.household, name="Food")
        account = await create_account(session, family.household)
        await create_transaction(session, account, category_id=food.id, amount_minor=-1500)
        await session.commit()
        response = await client.put(
            f"{family.base}/budgets/2024-03/{food.id}",
            json={"assigned_minor": 5000},
            headers=family.headers(family.member(role)),
        )
        if allowed:
            assert response.status_code == 200
            assert response.json() == {
                "category_id": str(food.id),
                "name": "Food",
                "hidden": False,
                "carry_overspending": False,
                "carried_in_minor": 0,
                "assigned_minor": 5000,
                "activity_minor": -1500,
                "available_minor": 3500,
                "target": None,
                "target_status": "none",
                "target_needed_minor": 0,
                "underfunded_minor": 0,
            }
            assert await assignments(session, family) == {(food.id, date(2024, 3, 1)): 5000}
        else:
            assert response.status_code == 403
            assert response.json()["code"] == "insufficient_role"
            assert await assignments(session, family) == {}

    async def test_replaces_and_keeps_an_explicit_zero(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        food = await create_category(session, family.household, name="Food")
        await assign_budget(session, food, date(2024, 3, 1), 5000)
        await assign_budget(session, food, date(2024, 4, 1), 7000)
        await session.commit()
        url = f"{family.base}/budgets/2024-03/{food.id}"
        response = await client.put(url, json={"assigned_minor": 6000}, headers=family.headers())
        assert response.json()["assigned_minor"] == 6000
        response = await client.put(url, json={"assigned_minor": 0}, headers=family.headers())
        assert response.status_code == 200
        assert response.json()["available_minor"] == 0
        assert await assignments(session, family) == {
            (food.id, date(2024, 3, 1)): 0,
            (food.id, date(2024, 4, 1)): 7000,
        }

    @pytest.mark.parametrize(
        "payload",
        [
            {"assigned_minor": -1},
            {"assigned_minor": 12.5},
            {"assigned_minor": 100.0},
            {"assigned_minor": "100"},
            {"assigned_minor": True},
            {"assigned_minor": 10**13 + 1},
            {},
            {"assigned_minor": 1, "note": "x"},
        ],
    )
    async def test_invalid_amount_is_422_and_changes_nothing(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        payload: dict[str, object],
    ) -> None:
        food = await create_category(session, family.household, name="Food")
        await assign_budget(session, food, date(2024, 3, 1), 5000)
        await session.commit()
        response = await client.put(
            f"{family.base}/budgets/2024-03/{food.id}", json=payload, headers=family.headers()
        )
        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"
        assert await assignments(session, family) == {(food.id, date(2024, 3, 1)): 5000}

    async def test_income_category_is_422(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        salary = await create_category(session, family.household, is_income=True)
        await session.commit()
        response = await client.put(
            f"{family.base}/budgets/2024-03/{salary.id}",
            json={"assigned_minor": 100},
            headers=family.headers(),
        )
        assert response.status_code == 422
        assert response.json()["code"] == "income_category"
        assert await assignments(session, family) == {}

    @pytest.mark.parametrize("month", ["2024-13", "2024-3"])
    async def test_invalid_month_is_422(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family, month: str
    ) -> None:
        food = await create_category(session, family.household)
        await session.commit()
        response = await client.put(
            f"{family.base}/budgets/{month}/{food.id}",
            json={"assigned_minor": 100},
            headers=family.headers(),
        )
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_month"
        assert await assignments(session, family) == {}


class TestCopyPreviousBudget:
    async def test_copies_only_into_empty_categories_across_the_year_end(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        home = family.household
        food = await create_category(session, home, name="Food")
        rent = await create_category(session, home, name="Rent")
        fun = await create_category(session, home, name="Fun")
        gym = await create_category(session, home, name="Gym")
        await assign_budget(session, food, date(2023, 12, 1), 40000)
        await assign_budget(session, rent, date(2023, 12, 1), 120000)
        await assign_budget(session, fun, date(2023, 12, 1), 3000)
        await assign_budget(session, rent, date(2024, 1, 1), 125000)  # already set: kept
        await assign_budget(session, fun, date(2024, 1, 1), 0)  # explicit zero: kept
        await assign_budget(session, gym, date(2023, 11, 1), 900)  # two months back: ignored
        await session.commit()

        response = await client.post(
            f"{family.base}/budgets/2024-01/copy-previous", headers=family.headers(family.adult)
        )

        assert response.status_code == 200
        assert response.json() == {"month": "2024-01", "copied_count": 1}
        january = {
            category_id: amount
            for (category_id, month), amount in (await assignments(session, family)).items()
            if month == date(2024, 1, 1)
        }
        assert january == {food.id: 40000, rent.id: 125000, fun.id: 0}
        again = await client.post(
            f"{family.base}/budgets/2024-01/copy-previous", headers=family.headers()
        )
        assert again.json()["copied_count"] == 0

    async def test_nothing_to_copy(self, client: httpx.AsyncClient, family: Family) -> None:
        response = await client.post(
            f"{family.base}/budgets/2024-01/copy-previous", headers=family.headers()
        )
        assert response.status_code == 200
        assert response.json() == {"month": "2024-01", "copied_count": 0}

    async def test_teen_is_403(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        food = await create_category(session, family.household)
        await assign_budget(session, food, date(2024, 2, 1), 100)
        await session.commit()
        response = await client.post(
            f"{family.base}/budgets/2024-03/copy-previous", headers=family.headers(family.teen)
        )
        assert response.status_code == 403
        assert await assignments(session, family) == {(food.id, date(2024, 2, 1)): 100}

    async def test_invalid_month_is_422(self, client: httpx.AsyncClient, family: Family) -> None:
        response = await client.post(
            f"{family.base}/budgets/2024-1/copy-previous", headers=family.headers()
        )
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_month"
