"""Budget alerts (family_budget.budgets.alerts): raised by the write that crossed a threshold,
once per threshold, category and month, whatever the edits do after; the other household's
spending (and thresholds) never raise ours."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from fractions import Fraction

import httpx
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from family_budget.budgets.alerts import ALERT_JOB, crossed
from family_budget.db import create_session_factory, unit_of_work
from family_budget.models import Job, Notification
from tests.arrange import Family
from tests.conftest import Emails
from tests.factories import assign_budget, create_transaction


def _today() -> date:
    return datetime.now(UTC).date()


async def _alert_jobs(session: AsyncSession, household_id: uuid.UUID) -> list[str]:
    keys = await session.scalars(
        select(Job.key).where(Job.name == ALERT_JOB, Job.household_id == household_id)
    )
    return sorted(keys)


async def _notified(session: AsyncSession, household_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    rows = await session.execute(
        select(Notification.user_id, Notification.alert_key)
        .where(Notification.household_id == household_id, Notification.kind == "budget_alert")
        .order_by(Notification.alert_key, Notification.user_id)
    )
    return [(r[0], r[1]) for r in rows]


class TestCrossed:
    @given(
        spent=st.integers(-(10**12), 10**12),
        limit=st.integers(-(10**6), 10**12),
        thresholds=st.lists(st.integers(1, 1000), max_size=6),
    )
    def test_against_fractions(self, spent: int, limit: int, thresholds: list[int]) -> None:
        expected = (
            sorted({p for p in thresholds if Fraction(spent, limit) >= Fraction(p, 100)})
            if limit > 0 and spent > 0
            else []
        )
        assert crossed(spent, limit, thresholds) == expected


class TestRaisedByTheWrite:
    async def test_crossing_twice_in_a_month_raises_once_per_threshold(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family, emails: Emails
    ) -> None:
        today = _today()
        month = f"{today:%Y-%m}"
        await assign_budget(session, family.groceries, today, 10_000)
        await session.commit()
        base, headers = family.base, family.headers()

        async def spend(amount: int) -> dict[str, object]:
            response = await client.post(
                f"{base}/transactions",
                json={
                    "account_id": str(family.private.id),
                    "posted_on": today.isoformat(),
                    "amount_minor": amount,
                    "payee": "Market",
                    "category_id": str(family.groceries.id),
                },
                headers=headers,
            )
            assert response.status_code == 201, response.text
            created: dict[str, object] = response.json()
            return created

        await spend(-7_000)  # 70%
        assert await _alert_jobs(session, family.household.id) == []
        second = await spend(-1_500)  # 85%: the write that crossed 80% queued the alert
        key80 = f"{ALERT_JOB}:{family.groceries.id}:{month}:80"
        assert await _alert_jobs(session, family.household.id) == [key80]

        # Back under 80% and over it again: nothing more.
        url = f"{base}/transactions/{second['id']}"
        for amount in (-500, -1_600):
            response = await client.patch(
                url,
                json={"amount_minor": amount},
                headers={**headers, "If-Match": f'W/"{second["version"]}"'},
            )
            assert response.status_code == 200, response.text
            second = response.json()
        assert await _alert_jobs(session, family.household.id) == [key80]

        messages = await emails()
        alert = f"budget:{family.groceries.id}:{month}:80"
        assert await _notified(session, family.household.id) == sorted(
            [(family.owner.id, alert), (family.adult.id, alert)]
        )
        budget_emails = [m for m in messages if m["template"] == "budget_alert"]
        assert sorted(m["to"] for m in budget_emails) == sorted(
            [family.owner.email, family.adult.email]
        )
        # What was spent when the threshold was crossed (the write that crossed it).
        assert (
            "spent $85.00 of the $100.00 budgeted for Groceries (85%)" in budget_emails[0]["text"]
        )

        await spend(-2_000)  # 106%
        key100 = f"{ALERT_JOB}:{family.groceries.id}:{month}:100"
        assert await _alert_jobs(session, family.household.id) == [key100, key80]

    async def test_thresholds_per_category(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        today = _today()
        url = f"{family.base}/categories/{family.dining.id}/alert-thresholds"
        assert (await client.get(url, headers=family.headers())).json() == {
            "category_id": str(family.dining.id),
            "percents": [80, 100],
            "is_default": True,
        }
        response = await client.put(url, json={"percents": [50, 50, 120]}, headers=family.headers())
        assert response.json()["percents"] == [50, 120]
        refused = await client.put(
            url, json={"percents": [50]}, headers=family.headers(family.teen)
        )
        assert refused.status_code == 403
        # Groceries' alerts are off.
        off = f"{family.base}/categories/{family.groceries.id}/alert-thresholds"
        assert (await client.put(off, json={"percents": []}, headers=family.headers())).json()[
            "percents"
        ] == []
        await assign_budget(session, family.dining, today, 1_000)
        await assign_budget(session, family.groceries, today, 1_000)
        await create_transaction(
            session,
            family.private,
            posted_on=today,
            amount_minor=-900,
            category_id=family.dining.id,
        )
        await create_transaction(
            session,
            family.private,
            posted_on=today,
            amount_minor=-5_000,
            category_id=family.groceries.id,
        )
        await session.commit()
        assert await _alert_jobs(session, family.household.id) == [
            f"{ALERT_JOB}:{family.dining.id}:{today:%Y-%m}:50"
        ]

    async def test_the_other_households_spending_never_raises_ours(
        self, session: AsyncSession, family: Family, emails: Emails
    ) -> None:
        today = _today()
        other = family.other
        # Both households budget 1,000 to groceries; only theirs overspends (their thresholds
        # are 50 and 90, tests/arrange.py).
        await assign_budget(session, family.groceries, today, 1_000)
        await assign_budget(session, other.groceries, today, 1_000)
        await create_transaction(
            session,
            other.checking,
            posted_on=today,
            amount_minor=-950,
            category_id=other.groceries.id,
        )
        await create_transaction(
            session,
            family.private,
            posted_on=today,
            amount_minor=-700,
            category_id=family.groceries.id,
        )
        await session.commit()
        await emails()
        assert await _notified(session, family.household.id) == []
        alert = f"budget:{other.groceries.id}:{today:%Y-%m}"
        assert await _notified(session, other.household.id) == [
            (other.owner.id, f"{alert}:50"),
            (other.owner.id, f"{alert}:90"),
        ]

    async def test_old_months_raise_nothing(self, session: AsyncSession, family: Family) -> None:
        # Last year's statements imported today are not news.
        await assign_budget(session, family.groceries, date(2024, 3, 1), 1_000)
        await create_transaction(
            session,
            family.private,
            posted_on=date(2024, 3, 5),
            amount_minor=-5_000,
            category_id=family.groceries.id,
        )
        await session.commit()
        assert await _alert_jobs(session, family.household.id) == []


class TestTheWorkerIsWoken:
    async def test_after_the_commit_of_the_write_that_queued_an_alert(
        self, connection: AsyncConnection, session: AsyncSession, family: Family
    ) -> None:
        today = _today()
        await assign_budget(session, family.groceries, today, 1_000)
        await session.commit()
        nudges: list[str] = []

        async def nudge() -> None:
            nudges.append("nudged")

        factory = create_session_factory(
            connection, job_nudge=nudge, join_transaction_mode="create_savepoint"
        )
        async with unit_of_work(factory) as writing:
            await create_transaction(
                writing,
                family.private,
                posted_on=today,
                amount_minor=-500,
                category_id=family.groceries.id,
            )
        assert nudges == []  # 50%: nothing queued, nobody woken
        async with unit_of_work(factory) as writing:
            await create_transaction(
                writing,
                family.private,
                posted_on=today,
                amount_minor=-400,
                category_id=family.groceries.id,
            )
            assert nudges == []  # not before the commit
        assert nudges == ["nudged"]
