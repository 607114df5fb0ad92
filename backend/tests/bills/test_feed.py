"""The private iCal feed of the bill calendar: a secret URL per member, stored hashed, replaced
when created again, revoked on delete; a teen's feed holds what the teen sees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.models import BillCalendarFeed
from family_budget.security import hash_token
from tests.arrange import Family
from tests.factories import create_transaction


async def _bill(client: httpx.AsyncClient, family: Family, **fields: Any) -> dict[str, Any]:
    body = {
        "account_id": str(family.private.id),
        "payee": "City Power",
        "amount_minor": -12_050,
        "rrule": "FREQ=MONTHLY",
        "starts_on": (datetime.now(UTC).date() - timedelta(days=10)).isoformat(),
        "assignee_user_id": str(family.adult.id),
        **fields,
    }
    response = await client.post(f"{family.base}/scheduled", json=body, headers=family.headers())
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _path(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


class TestFeed:
    async def test_create_read_replace_revoke(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        today = datetime.now(UTC).date()
        bill = await _bill(client, family)
        # Last month's occurrence is paid (10 days ago, by this payment).
        await create_transaction(
            session,
            family.private,
            posted_on=today - timedelta(days=9),
            amount_minor=-12_050,
            payee="City Power",
        )
        await session.commit()
        feed_url = f"{family.base}/bills/calendar-feed"
        assert (await client.get(feed_url, headers=family.headers())).json() == {
            "active": False,
            "created_at": None,
        }
        created = await client.post(feed_url, headers=family.headers())
        assert created.status_code == 201
        url = created.json()["url"]
        token = url.rsplit("/", 1)[1].removesuffix(".ics")
        stored = await session.scalar(
            select(BillCalendarFeed.token_hash).where(
                BillCalendarFeed.household_id == family.household.id,
                BillCalendarFeed.user_id == family.owner.id,
            )
        )
        assert stored == hash_token(token)
        assert token not in stored

        response = await client.get(_path(url))  # no bearer token: the URL is the secret
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "text/calendar; charset=utf-8"
        calendar = Calendar.from_ical(response.content)
        events = sorted(
            (e.decoded("dtstart"), str(e.get("summary")), str(e.get("uid")))
            for e in calendar.walk("VEVENT")
        )
        first = today - timedelta(days=10)
        assert events[0] == (
            first,
            "City Power $120.50 (paid)",
            f"{bill['id']}-{first:%Y%m%d}@family-budget",
        )
        assert events[1][1] == "City Power $120.50"
        # 60 days back to a year ahead, monthly from 10 days ago: that day and the same day of
        # the next twelve months (about 355 days on), every event this bill's.
        assert {uid.split("@")[0].rsplit("-", 1)[0] for _, _, uid in events} == {bill["id"]}
        assert len(events) == 13

        # Creating again replaces the URL; deleting revokes it.
        again = await client.post(feed_url, headers=family.headers())
        assert (await client.get(_path(url))).status_code == 404
        assert (await client.get(_path(again.json()["url"]))).status_code == 200
        assert (await client.delete(feed_url, headers=family.headers())).status_code == 204
        gone = await client.get(_path(again.json()["url"]))
        assert gone.status_code == 404
        assert gone.json()["code"] == "feed_not_found"

    async def test_a_teens_feed_holds_the_teens_bills_and_none_of_theirs(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        await _bill(client, family, payee="Rent")
        shared = await _bill(client, family, payee="Allowance", account_id=str(family.shared.id))
        created = await client.post(
            f"{family.base}/bills/calendar-feed", headers=family.headers(family.teen)
        )
        response = await client.get(_path(created.json()["url"]))
        summaries = {
            str(e.get("summary")) for e in Calendar.from_ical(response.content).walk("VEVENT")
        }
        assert summaries == {"Allowance $120.50"}
        assert str(family.other.scheduled.id) not in response.text
        assert shared["id"] in response.text

    async def test_a_member_who_left_has_no_feed(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        created = await client.post(
            f"{family.base}/bills/calendar-feed", headers=family.headers(family.adult)
        )
        removed = await client.delete(
            f"{family.base}/members/{family.adult.id}", headers=family.headers()
        )
        assert removed.status_code == 204, removed.text
        assert (await client.get(_path(created.json()["url"]))).status_code == 404
