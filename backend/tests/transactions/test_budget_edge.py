"""Transfers across the budget's edge (on-budget <-> tracking account): the on-budget leg may
carry a category and is then spending or income; everything else about a transfer stays out of
the budget. Checked through the API, with the budget month read back."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.models import Account, AccountKind, Transaction
from tests.arrange import Family
from tests.factories import create_account, create_transaction

APRIL = date(2024, 4, 5)


async def _loan(session: AsyncSession, family: Family) -> Account:
    loan = await create_account(
        session, family.household, name="Mortgage", kind=AccountKind.LOAN, on_budget=False
    )
    await session.commit()
    return loan


async def _groceries_activity(client: httpx.AsyncClient, family: Family) -> int:
    response = await client.get(f"{family.base}/budgets/2024-04", headers=family.headers())
    assert response.status_code == 200
    lines = {line["name"]: line for g in response.json()["groups"] for line in g["categories"]}
    activity: int = lines[family.groceries.name]["activity_minor"]
    return activity


async def _post_transfer(client: httpx.AsyncClient, family: Family, **body: Any) -> httpx.Response:
    return await client.post(
        f"{family.base}/transactions/transfers",
        json={"amount_minor": 80_000, "posted_on": "2024-04-03", **body},
        headers=family.headers(),
    )


class TestTransferAcrossTheBudgetEdge:
    async def test_payment_into_a_loan_is_spending_of_its_category(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        loan = await _loan(session, family)
        response = await _post_transfer(
            client,
            family,
            from_account_id=str(family.private.id),
            to_account_id=str(loan.id),
            category_id=str(family.groceries.id),
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["from_transaction"]["category_id"] == str(family.groceries.id)
        assert body["to_transaction"]["category_id"] is None
        assert await _groceries_activity(client, family) == -80_000

    async def test_money_from_a_tracking_account_is_income(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        loan = await _loan(session, family)
        await create_transaction(
            session, loan, amount_minor=-5_000, category_id=family.dining.id, posted_on=APRIL
        )
        await session.commit()
        response = await _post_transfer(
            client, family, from_account_id=str(loan.id), to_account_id=str(family.private.id)
        )
        assert response.status_code == 201
        leg = response.json()["to_transaction"]
        pay = await client.post(
            f"{family.base}/categories",
            json={"group_id": str(family.group.id), "name": "Loan money", "is_income": True},
            headers=family.headers(),
        )
        patched = await client.patch(
            f"{family.base}/transactions/{leg['id']}",
            json={"category_id": pay.json()["id"]},
            headers={**family.headers(), "If-Match": '"1"'},
        )
        assert patched.status_code == 200, patched.text
        month = (
            await client.get(f"{family.base}/budgets/2024-04", headers=family.headers())
        ).json()
        # The tracking account's own spending is not budget activity.
        assert (month["totals"]["income_minor"], month["totals"]["spent_minor"]) == (80_000, 0)

    async def test_the_tracking_leg_and_inside_transfers_take_no_category(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        loan = await _loan(session, family)
        count = select(func.count()).select_from(Transaction)
        before = await session.scalar(count)
        inside = await _post_transfer(
            client,
            family,
            from_account_id=str(family.private.id),
            to_account_id=str(family.shared.id),
            category_id=str(family.groceries.id),
        )
        assert inside.status_code == 422
        assert inside.json()["code"] == "transfer_not_categorizable"
        assert await session.scalar(count) == before

        crossing = await _post_transfer(
            client, family, from_account_id=str(family.private.id), to_account_id=str(loan.id)
        )
        tracking_leg = crossing.json()["to_transaction"]
        response = await client.patch(
            f"{family.base}/transactions/{tracking_leg['id']}",
            json={"category_id": str(family.groceries.id)},
            headers={**family.headers(), "If-Match": '"1"'},
        )
        assert response.status_code == 422
        assert response.json()["code"] == "transfer_not_categorizable"
        # Uncategorized, the on-budget leg is money that left the budget without a category.
        month = (
            await client.get(f"{family.base}/budgets/2024-04", headers=family.headers())
        ).json()
        assert month["totals"]["uncategorized_activity_minor"] == -80_000

    async def test_putting_the_loan_on_budget_turns_the_payment_into_an_inside_move(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        loan = await _loan(session, family)
        await _post_transfer(
            client,
            family,
            from_account_id=str(family.private.id),
            to_account_id=str(loan.id),
            category_id=str(family.groceries.id),
        )
        await create_transaction(
            session, loan, amount_minor=-300, category_id=family.groceries.id, posted_on=APRIL
        )
        await session.commit()
        assert await _groceries_activity(client, family) == -80_000
        response = await client.patch(
            f"{family.base}/accounts/{loan.id}", json={"on_budget": True}, headers=family.headers()
        )
        assert response.status_code == 200
        assert response.json()["on_budget"] is True
        # Now only the loan's own spending counts; the payment moves money inside the budget.
        assert await _groceries_activity(client, family) == -300
