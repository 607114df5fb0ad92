from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.models import AccountKind
from family_budget.months import format_month, trailing_months
from tests.arrange import Family
from tests.factories import (
    create_account,
    create_category,
    create_category_group,
    create_split,
    create_transaction,
)

ROLE_MATRIX = [("owner", 200), ("adult", 200), ("teen", 403)]
REPORTS = [
    "reports/spending-by-category?from=2024-01-01&to=2024-12-31",
    "reports/income-vs-expenses",
    "reports/net-worth",
]


class TestReportAccess:
    @pytest.mark.parametrize("path", REPORTS)
    @pytest.mark.parametrize(("role", "status"), ROLE_MATRIX)
    async def test_adults_only(
        self, client: httpx.AsyncClient, family: Family, path: str, role: str, status: int
    ) -> None:
        response = await client.get(
            f"{family.base}/{path}", headers=family.headers(family.member(role))
        )
        assert response.status_code == status
        if status == 403:
            assert response.json()["code"] == "insufficient_role"


class TestGetSpendingByCategory:
    async def test_net_spending_per_category_and_group(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        home = family.household
        income = await create_category_group(session, home, name="Income", sort_order=0)
        living = await create_category_group(session, home, name="Living", sort_order=1)
        fun = await create_category_group(session, home, name="Fun", sort_order=2)
        salary = await create_category(session, home, income, name="Salary", is_income=True)
        food = await create_category(session, home, living, name="Food", sort_order=0)
        rent = await create_category(session, home, living, name="Rent", sort_order=1)
        games = await create_category(session, home, fun, name="Games", hidden=True)
        await create_category(session, home, fun, name="Quiet")
        checking = await create_account(session, home)
        savings = await create_account(session, home)
        pounds = await create_account(session, home, currency="GBP")

        first, last = date(2024, 1, 1), date(2024, 1, 31)
        await create_transaction(
            session, checking, category_id=food.id, amount_minor=-3000, posted_on=first
        )
        await create_transaction(
            session, checking, category_id=food.id, amount_minor=800, posted_on=last
        )  # refund
        await create_transaction(
            session, checking, category_id=games.id, amount_minor=-6000, posted_on=last
        )
        await create_transaction(
            session, checking, category_id=salary.id, amount_minor=400000, posted_on=first
        )
        split = await create_transaction(
            session, checking, amount_minor=-101000, posted_on=first, is_split=True
        )
        await create_split(session, split, rent, -100000)
        await create_split(session, split, None, -1000)
        await create_transaction(session, checking, amount_minor=-250, posted_on=last)
        # Outside the range, another currency, transfers: none of them spending.
        await create_transaction(
            session, checking, category_id=food.id, amount_minor=-1, posted_on=date(2023, 12, 31)
        )
        await create_transaction(
            session, checking, category_id=food.id, amount_minor=-1, posted_on=date(2024, 2, 1)
        )
        await create_transaction(
            session, pounds, category_id=food.id, amount_minor=-9999, posted_on=first
        )
        transfer_id = uuid.uuid4()
        await create_transaction(
            session,
            checking,
            category_id=food.id,
            amount_minor=-50000,
            posted_on=first,
            transfer_id=transfer_id,
        )
        await create_transaction(
            session, savings, amount_minor=50000, posted_on=first, transfer_id=transfer_id
        )
        await session.commit()

        response = await client.get(
            f"{family.base}/reports/spending-by-category",
            params={"from": "2024-01-01", "to": "2024-01-31"},
            headers=family.headers(family.adult),
        )

        assert response.status_code == 200
        assert response.json() == {
            "starts_on": "2024-01-01",
            "ends_on": "2024-01-31",
            "currency": "USD",
            "groups": [
                {
                    "group_id": str(living.id),
                    "name": "Living",
                    "spent_minor": 102200,
                    "categories": [
                        {"category_id": str(food.id), "name": "Food", "spent_minor": 2200},
                        {"category_id": str(rent.id), "name": "Rent", "spent_minor": 100000},
                    ],
                },
                {
                    "group_id": str(fun.id),
                    "name": "Fun",
                    "spent_minor": 6000,
                    "categories": [
                        {"category_id": str(games.id), "name": "Games", "spent_minor": 6000}
                    ],
                },
            ],
            "uncategorized_minor": 1250,
            "total_minor": 109450,
        }

    async def test_empty_range(self, client: httpx.AsyncClient, family: Family) -> None:
        response = await client.get(
            f"{family.base}/reports/spending-by-category",
            params={"from": "2024-05-05", "to": "2024-05-05"},
            headers=family.headers(),
        )
        assert response.status_code == 200
        body = response.json()
        assert (body["groups"], body["uncategorized_minor"], body["total_minor"]) == ([], 0, 0)

    @pytest.mark.parametrize(
        ("params", "code"),
        [
            ({"from": "2024-02-01", "to": "2024-01-31"}, "invalid_range"),
            ({"from": "2019-01-01", "to": "2024-01-02"}, "range_too_long"),
            ({"from": "2024-01-01"}, "validation_error"),
            ({"to": "2024-01-01"}, "validation_error"),
            ({"from": "2024-02-30", "to": "2024-03-01"}, "validation_error"),
            ({"from": "yesterday", "to": "2024-03-01"}, "validation_error"),
            # Year 1 and 9999 are dates Python can hold but a budget cannot: the five-year limit
            # once overflowed on them (500).
            ({"from": "0001-01-01", "to": "0001-01-31"}, "validation_error"),
            ({"from": "9999-12-01", "to": "9999-12-31"}, "validation_error"),
        ],
    )
    async def test_invalid_range_is_422(
        self, client: httpx.AsyncClient, family: Family, params: dict[str, str], code: str
    ) -> None:
        response = await client.get(
            f"{family.base}/reports/spending-by-category", params=params, headers=family.headers()
        )
        assert response.status_code == 422
        assert response.json()["code"] == code

    async def test_five_years_is_the_limit(self, client: httpx.AsyncClient, family: Family) -> None:
        response = await client.get(
            f"{family.base}/reports/spending-by-category",
            params={"from": "2019-01-01", "to": "2024-01-01"},
            headers=family.headers(),
        )
        assert response.status_code == 200


class TestGetIncomeVsExpenses:
    async def test_every_month_with_zeros_where_nothing_happened(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        home = family.household
        salary = await create_category(session, home, name="Salary", is_income=True)
        food = await create_category(session, home, name="Food")
        checking = await create_account(session, home)
        savings = await create_account(session, home)
        await create_transaction(
            session,
            checking,
            category_id=salary.id,
            amount_minor=300000,
            posted_on=date(2023, 12, 29),
        )
        await create_transaction(
            session,
            checking,
            category_id=food.id,
            amount_minor=-45000,
            posted_on=date(2023, 12, 31),
        )
        await create_transaction(
            session, checking, amount_minor=-5000, posted_on=date(2024, 2, 1)
        )  # uncategorized: an expense
        await create_transaction(
            session, checking, category_id=food.id, amount_minor=1000, posted_on=date(2024, 2, 29)
        )  # refund
        await create_transaction(
            session, checking, category_id=food.id, amount_minor=-77, posted_on=date(2023, 11, 30)
        )  # before the window
        transfer_id = uuid.uuid4()
        await create_transaction(
            session,
            checking,
            amount_minor=-20000,
            posted_on=date(2024, 2, 3),
            transfer_id=transfer_id,
        )
        await create_transaction(
            session,
            savings,
            amount_minor=20000,
            posted_on=date(2024, 2, 3),
            transfer_id=transfer_id,
        )
        await session.commit()

        response = await client.get(
            f"{family.base}/reports/income-vs-expenses",
            params={"months": 3, "end": "2024-02"},
            headers=family.headers(),
        )

        assert response.status_code == 200
        assert response.json() == {
            "currency": "USD",
            "months": [
                {
                    "month": "2023-12",
                    "income_minor": 300000,
                    "expenses_minor": 45000,
                    "net_minor": 255000,
                },
                {"month": "2024-01", "income_minor": 0, "expenses_minor": 0, "net_minor": 0},
                {
                    "month": "2024-02",
                    "income_minor": 0,
                    "expenses_minor": 4000,
                    "net_minor": -4000,
                },
            ],
        }

    async def test_defaults_to_twelve_months_ending_now(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        response = await client.get(
            f"{family.base}/reports/income-vs-expenses", headers=family.headers()
        )
        assert response.status_code == 200
        months = [point["month"] for point in response.json()["months"]]
        expected = [format_month(m) for m in trailing_months(datetime.now(UTC).date(), 12)]
        assert months == expected

    @pytest.mark.parametrize(
        ("params", "code"),
        [
            ({"months": 0}, "validation_error"),
            ({"months": 61}, "validation_error"),
            ({"months": "twelve"}, "validation_error"),
            ({"end": "2024-13"}, "invalid_month"),
            ({"end": "2024-1"}, "invalid_month"),
            ({"end": "0001-01"}, "invalid_month"),
            ({"end": "9999-12"}, "invalid_month"),
        ],
    )
    async def test_invalid_parameters_are_422(
        self, client: httpx.AsyncClient, family: Family, params: dict[str, str | int], code: str
    ) -> None:
        for report in ("income-vs-expenses", "net-worth"):
            response = await client.get(
                f"{family.base}/reports/{report}", params=params, headers=family.headers()
            )
            assert response.status_code == 422
            assert response.json()["code"] == code

    async def test_sixty_months(self, client: httpx.AsyncClient, family: Family) -> None:
        response = await client.get(
            f"{family.base}/reports/income-vs-expenses",
            params={"months": 60, "end": "2024-12"},
            headers=family.headers(),
        )
        months = response.json()["months"]
        assert (len(months), months[0]["month"], months[-1]["month"]) == (60, "2020-01", "2024-12")


class TestGetNetWorth:
    async def test_balances_at_each_month_end(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        home = family.household
        checking = await create_account(
            session, home, opening_balance_minor=100000, opened_on=date(2023, 12, 15)
        )
        card = await create_account(
            session, home, kind=AccountKind.CREDIT_CARD, opened_on=date(2023, 1, 1)
        )
        loan = await create_account(
            session,
            home,
            kind=AccountKind.LOAN,
            opening_balance_minor=-500000,
            opened_on=date(2024, 2, 10),
        )
        euros = await create_account(session, home, currency="EUR", opening_balance_minor=999999)
        await create_transaction(session, card, amount_minor=-30000, posted_on=date(2024, 1, 20))
        transfer_id = uuid.uuid4()
        await create_transaction(
            session,
            checking,
            amount_minor=-40000,
            posted_on=date(2024, 2, 29),
            transfer_id=transfer_id,
        )
        await create_transaction(
            session,
            card,
            amount_minor=40000,
            posted_on=date(2024, 2, 29),
            transfer_id=transfer_id,
        )  # the card is now 10000 in credit: an asset
        await create_transaction(session, loan, amount_minor=20000, posted_on=date(2024, 3, 1))
        await create_transaction(session, checking, amount_minor=-20000, posted_on=date(2024, 3, 1))
        await create_transaction(session, euros, amount_minor=-5, posted_on=date(2024, 1, 5))
        await session.commit()

        response = await client.get(
            f"{family.base}/reports/net-worth",
            params={"months": 4, "end": "2024-03"},
            headers=family.headers(family.adult),
        )

        assert response.status_code == 200
        body = response.json()
        assert (body["currency"], body["excluded_account_ids"]) == ("USD", [str(euros.id)])
        assert [
            (
                p["month"],
                p["ends_on"],
                p["assets_minor"],
                p["liabilities_minor"],
                p["net_worth_minor"],
            )
            for p in body["months"]
        ] == [
            ("2023-12", "2023-12-31", 100000, 0, 100000),
            ("2024-01", "2024-01-31", 100000, 30000, 70000),
            ("2024-02", "2024-02-29", 60000 + 10000, 500000, 70000 - 500000),
            ("2024-03", "2024-03-31", 40000 + 10000, 480000, 50000 - 480000),
        ]

    async def test_no_accounts(self, client: httpx.AsyncClient, family: Family) -> None:
        response = await client.get(
            f"{family.base}/reports/net-worth",
            params={"months": 2, "end": "2024-01"},
            headers=family.headers(),
        )
        assert response.json() == {
            "currency": "USD",
            "months": [
                {
                    "month": "2023-12",
                    "ends_on": "2023-12-31",
                    "assets_minor": 0,
                    "liabilities_minor": 0,
                    "net_worth_minor": 0,
                },
                {
                    "month": "2024-01",
                    "ends_on": "2024-01-31",
                    "assets_minor": 0,
                    "liabilities_minor": 0,
                    "net_worth_minor": 0,
                },
            ],
            "excluded_account_ids": [],
        }
