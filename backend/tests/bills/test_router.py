"""Scheduled transactions and the bill calendar through the API, with the other household's
bill, occurrences and money present (tests/arrange.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.models import ScheduledTransaction
from tests.arrange import Family
from tests.factories import create_transaction


def _body(family: Family, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "account_id": str(family.private.id),
        "payee": "City Power",
        "amount_minor": -12_000,
        "category_id": str(family.groceries.id),
        "rrule": "FREQ=MONTHLY;BYMONTHDAY=31",
        "starts_on": "2027-01-31",
        "remind_days_before": 3,
        "auto_post": False,
        "assignee_user_id": str(family.adult.id),
    }
    body.update(overrides)
    return body


async def _create(client: httpx.AsyncClient, family: Family, **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        f"{family.base}/scheduled", json=_body(family, **overrides), headers=family.headers()
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _today() -> date:
    return datetime.now(UTC).date()


class TestCreateScheduled:
    async def test_valid_with_next_occurrences(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        start = _today() + timedelta(days=1)
        created = await _create(
            client, family, rrule="FREQ=WEEKLY;INTERVAL=2", starts_on=start.isoformat()
        )
        assert created["payee"] == "City Power"
        assert created["currency"] == "USD"
        assert created["next_occurrences"] == [
            (start + timedelta(days=14 * n)).isoformat() for n in range(5)
        ]

    async def test_invalid_rrule_is_422(self, client: httpx.AsyncClient, family: Family) -> None:
        response = await client.post(
            f"{family.base}/scheduled",
            json=_body(family, rrule="FREQ=SECONDLY"),
            headers=family.headers(),
        )
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_rrule"

    async def test_assignee_must_be_a_member(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        response = await client.post(
            f"{family.base}/scheduled",
            json=_body(family, assignee_user_id=str(family.other.owner.id)),
            headers=family.headers(),
        )
        assert response.status_code == 422
        assert response.json()["code"] == "unknown_member"

    async def test_a_teen_cannot(self, client: httpx.AsyncClient, family: Family) -> None:
        response = await client.post(
            f"{family.base}/scheduled",
            json=_body(family, account_id=str(family.shared.id)),
            headers=family.headers(family.teen),
        )
        assert response.status_code == 403


class TestReadUpdateDelete:
    async def test_list_holds_ours_only_and_a_teen_sees_shared_accounts_only(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        private = await _create(client, family, payee="Rent")
        shared = await _create(client, family, payee="Allowance", account_id=str(family.shared.id))
        listed = (await client.get(f"{family.base}/scheduled", headers=family.headers())).json()
        assert sorted(s["id"] for s in listed) == sorted([private["id"], shared["id"]])
        teen = (
            await client.get(f"{family.base}/scheduled", headers=family.headers(family.teen))
        ).json()
        assert [s["id"] for s in teen] == [shared["id"]]
        hidden = await client.get(
            f"{family.base}/scheduled/{private['id']}", headers=family.headers(family.teen)
        )
        assert hidden.status_code == 404
        assert hidden.json()["code"] == "scheduled_not_found"

    async def test_put_replaces_and_delete_removes(
        self, client: httpx.AsyncClient, family: Family, session: AsyncSession
    ) -> None:
        created = await _create(client, family)
        url = f"{family.base}/scheduled/{created['id']}"
        replaced = await client.put(
            url,
            json=_body(family, payee="Water", rrule="FREQ=YEARLY", starts_on="2096-02-29"),
            headers=family.headers(),
        )
        assert replaced.status_code == 200, replaced.text
        assert replaced.json()["payee"] == "Water"
        # Yearly from a leap day: February 28 in common years (2100 is one).
        assert replaced.json()["next_occurrences"] == [
            "2096-02-29",
            "2097-02-28",
            "2098-02-28",
            "2099-02-28",
            "2100-02-28",
        ]
        assert (await client.delete(url, headers=family.headers())).status_code == 204
        assert (await client.get(url, headers=family.headers())).status_code == 404
        count = await session.scalar(
            select(func.count())
            .select_from(ScheduledTransaction)
            .where(ScheduledTransaction.household_id == family.household.id)
        )
        assert count == 0


class TestBillCalendar:
    async def test_due_paid_overdue_and_who_pays(
        self, client: httpx.AsyncClient, family: Family, session: AsyncSession
    ) -> None:
        power = await _create(client, family, starts_on="2024-01-31")
        await _create(
            client,
            family,
            payee="Netflix",
            amount_minor=-1_599,
            rrule="FREQ=MONTHLY",
            starts_on="2024-02-10",
            assignee_user_id=None,
        )
        # Paid: February's power bill by an imported row (bank text, 5% more, 3 days late);
        # March's by nothing close enough (8 days late); April's by an amount 11% off: no.
        feb = await create_transaction(
            session,
            family.shared,
            posted_on=date(2024, 3, 2),
            amount_minor=-12_600,
            payee="City Power Autopay",
        )
        await create_transaction(
            session,
            family.private,
            posted_on=date(2024, 4, 8),
            amount_minor=-12_000,
            payee="City Power",
        )
        await create_transaction(
            session,
            family.private,
            posted_on=date(2024, 4, 30),
            amount_minor=-13_320,
            payee="City Power",
        )
        # A transfer never pays a bill.
        await create_transaction(
            session,
            family.private,
            posted_on=date(2024, 2, 10),
            amount_minor=-1_599,
            payee="Netflix",
            transfer_id=feb.id,
        )
        netflix_march = await create_transaction(
            session,
            family.private,
            posted_on=date(2024, 3, 9),
            amount_minor=-1_599,
            payee="NETFLIX.COM",
        )
        await session.commit()

        response = await client.get(
            f"{family.base}/bills",
            params={"from": "2024-02-01", "to": "2024-04-30"},
            headers=family.headers(),
        )
        assert response.status_code == 200, response.text
        bills = [
            (b["due_on"], b["payee"], b["status"], b["paid_by_transaction_id"], b["assignee_name"])
            for b in response.json()["bills"]
        ]
        assert bills == [
            ("2024-02-10", "Netflix", "overdue", None, None),
            ("2024-02-29", "City Power", "paid", str(feb.id), "Adam Adult"),
            ("2024-03-10", "Netflix", "paid", str(netflix_march.id), None),
            ("2024-03-31", "City Power", "overdue", None, "Adam Adult"),
            ("2024-04-10", "Netflix", "overdue", None, None),
            ("2024-04-30", "City Power", "overdue", None, "Adam Adult"),
        ]
        assert {b["scheduled_id"] for b in response.json()["bills"]} >= {power["id"]}

    async def test_upcoming_is_due_and_one_transaction_pays_one_occurrence(
        self, client: httpx.AsyncClient, family: Family, session: AsyncSession
    ) -> None:
        today = _today()
        await _create(
            client,
            family,
            payee="Gym",
            amount_minor=-3_000,
            rrule="FREQ=WEEKLY",
            starts_on=(today - timedelta(days=7)).isoformat(),
        )
        # One payment between two weekly occurrences: it pays the closer one only.
        paid = await create_transaction(
            session,
            family.private,
            posted_on=today - timedelta(days=2),
            amount_minor=-3_000,
            payee="Gym",
        )
        await session.commit()
        response = await client.get(
            f"{family.base}/bills",
            params={
                "from": (today - timedelta(days=7)).isoformat(),
                "to": (today + timedelta(days=7)).isoformat(),
            },
            headers=family.headers(),
        )
        statuses = [
            (b["due_on"], b["status"], b["paid_by_transaction_id"])
            for b in response.json()["bills"]
        ]
        assert statuses == [
            ((today - timedelta(days=7)).isoformat(), "overdue", None),
            (today.isoformat(), "paid", str(paid.id)),
            ((today + timedelta(days=7)).isoformat(), "due", None),
        ]

    async def test_their_bills_never_show_nor_does_their_money_pay_ours(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        # Their savings pay "Their payee" -777 on every 28th; our identical bill stays unpaid.
        await _create(
            client,
            family,
            payee="Their payee",
            amount_minor=-777,
            rrule="FREQ=MONTHLY;BYMONTHDAY=28",
            starts_on="2023-09-28",
        )
        response = await client.get(
            f"{family.base}/bills",
            params={"from": "2023-09-01", "to": "2024-12-31"},
            headers=family.headers(),
        )
        bills = response.json()["bills"]
        assert len(bills) == 16
        assert {b["status"] for b in bills} == {"overdue"}
        assert str(family.other.scheduled.id) not in response.text

    async def test_range_is_checked(self, client: httpx.AsyncClient, family: Family) -> None:
        for params in (
            {"from": "2024-02-01", "to": "2024-01-01"},
            {"from": "2024-01-01", "to": "2027-01-01"},
        ):
            response = await client.get(
                f"{family.base}/bills", params=params, headers=family.headers()
            )
            assert response.status_code == 422
            assert response.json()["code"] == "invalid_range"
