"""The bills jobs as `tick` runs them (schedule what is due at an instant, then run the jobs with
that instant as now): reminders and auto-posting across month ends, leap years and daylight
saving changes. The other household's bill (tests/arrange.py) is due every 28th and is reminded
of too: to their teen, never to us."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.bills import service
from family_budget.bills.schemas import ScheduledCreate
from family_budget.config import Settings
from family_budget.models import (
    ActivityTotal,
    Membership,
    Notification,
    ScheduledOccurrence,
    ScheduledTransaction,
    Transaction,
)
from family_budget.worker.jobs import JobContext, Outcome, drain
from family_budget.worker.schedule import schedule_due
from tests.arrange import Family
from tests.factories import create_transaction
from tests.outbox import sent_emails


class Ticker:
    def __init__(
        self, settings: Settings, factory: async_sessionmaker[AsyncSession], outbox: Path
    ) -> None:
        self.settings, self.factory, self.outbox = settings, factory, outbox

    async def __call__(self, at: str) -> dict[Outcome, int]:
        instant = datetime.fromisoformat(at)
        await schedule_due(self.factory, instant)
        outcomes = await drain(JobContext(self.settings, self.factory, now=instant))
        assert (outcomes[Outcome.FAILED], outcomes[Outcome.RETRY]) == (0, 0), outcomes
        return outcomes

    def emails(self, template: str) -> list[tuple[str, str]]:
        return [
            (m["to"], m["subject"]) for m in sent_emails(self.outbox) if m["template"] == template
        ]


@pytest.fixture
def tick(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession], outbox: Path
) -> Ticker:
    return Ticker(settings, session_factory, outbox)


async def _schedule(
    session: AsyncSession, family: Family, *, created: date, **fields: Any
) -> ScheduledTransaction:
    values: dict[str, Any] = {
        "account_id": family.private.id,
        "payee": "City Power",
        "amount_minor": -12_000,
        "category_id": family.groceries.id,
        "rrule": "FREQ=MONTHLY;BYMONTHDAY=5",
        "starts_on": date(2027, 1, 5),
        "remind_days_before": 3,
        "auto_post": False,
        "assignee_user_id": family.adult.id,
    }
    values.update(fields)
    scheduled = await service.create_scheduled(
        session, family.context(), ScheduledCreate.model_validate(values)
    )
    # As if created on `created` (auto-posting starts from the day a schedule exists).
    scheduled.created_at = datetime(created.year, created.month, created.day, tzinfo=UTC)
    await session.commit()
    return scheduled


async def _reminded(session: AsyncSession, family: Family) -> list[tuple[uuid.UUID, str]]:
    rows = await session.execute(
        select(Notification.user_id, Notification.alert_key)
        .where(
            Notification.household_id == family.household.id,
            Notification.kind == "bill_reminder",
        )
        .order_by(Notification.alert_key, Notification.user_id)
    )
    return [(r[0], r[1]) for r in rows]


async def _posted(session: AsyncSession, family: Family) -> list[tuple[date, int, str]]:
    rows = await session.execute(
        select(Transaction.posted_on, Transaction.amount_minor, Transaction.payee)
        .where(Transaction.household_id == family.household.id)
        .order_by(Transaction.posted_on)
    )
    return [(r[0], r[1], r[2]) for r in rows]


class TestReminders:
    async def test_n_days_before_to_the_assignee_once(
        self, session: AsyncSession, family: Family, tick: Ticker
    ) -> None:
        bill = await _schedule(session, family, created=date(2027, 1, 1))
        await tick("2027-03-01T12:00:00+00:00")  # due in four days: not yet
        assert await _reminded(session, family) == []
        await tick("2027-03-02T12:00:00+00:00")
        key = f"bill:{bill.id}:2027-03-05"
        assert await _reminded(session, family) == [(family.adult.id, key)]
        assert (
            tick.emails("bill_reminder").count(
                (family.adult.email, tick.emails("bill_reminder")[0][1])
            )
            == 1
        )
        # The next days (and a second tick the same day) add nothing.
        await tick("2027-03-02T18:00:00+00:00")
        await tick("2027-03-03T12:00:00+00:00")
        await tick("2027-03-05T12:00:00+00:00")
        assert await _reminded(session, family) == [(family.adult.id, key)]
        ours = [to for to, _ in tick.emails("bill_reminder") if to == family.adult.email]
        assert len(ours) == 1
        state = await session.get(ScheduledOccurrence, (bill.id, date(2027, 3, 5)))
        assert state is not None
        assert state.reminded_at is not None

    async def test_without_an_assignee_the_owners_and_adults(
        self, session: AsyncSession, family: Family, tick: Ticker
    ) -> None:
        bill = await _schedule(session, family, created=date(2027, 1, 1), assignee_user_id=None)
        await tick("2027-03-04T09:00:00+00:00")
        key = f"bill:{bill.id}:2027-03-05"
        assert await _reminded(session, family) == sorted(
            [(family.owner.id, key), (family.adult.id, key)]
        )

    async def test_an_assignee_who_left_is_replaced_by_the_owners_and_adults(
        self, session: AsyncSession, family: Family, tick: Ticker
    ) -> None:
        bill = await _schedule(session, family, created=date(2027, 1, 1))
        membership = await session.scalar(
            select(Membership).where(
                Membership.household_id == family.household.id,
                Membership.user_id == family.adult.id,
            )
        )
        await session.delete(membership)
        await session.commit()
        await tick("2027-03-04T09:00:00+00:00")
        assert await _reminded(session, family) == [(family.owner.id, f"bill:{bill.id}:2027-03-05")]

    async def test_a_paid_bill_is_not_reminded_of(
        self, session: AsyncSession, family: Family, tick: Ticker
    ) -> None:
        await _schedule(session, family, created=date(2027, 1, 1))
        # Paid early, from another account, by a synced row with the bank's wording.
        await create_transaction(
            session,
            family.shared,
            posted_on=date(2027, 3, 1),
            amount_minor=-11_500,
            payee="CITY POWER ONLINE PMT",
        )
        await session.commit()
        await tick("2027-03-03T09:00:00+00:00")
        assert await _reminded(session, family) == []

    async def test_the_other_households_bill_reminds_their_teen_only(
        self, session: AsyncSession, family: Family, tick: Ticker
    ) -> None:
        await tick("2027-03-26T09:00:00+00:00")
        rows = await session.execute(
            select(Notification.household_id, Notification.user_id, Notification.alert_key).where(
                Notification.kind == "bill_reminder"
            )
        )
        assert list(rows) == [
            (
                family.other.household.id,
                family.other.teen.id,
                f"bill:{family.other.scheduled.id}:2027-03-28",
            )
        ]


class TestAutoPost:
    async def test_on_the_day_once_across_month_ends(
        self, session: AsyncSession, family: Family, tick: Ticker
    ) -> None:
        await _schedule(
            session,
            family,
            created=date(2027, 1, 15),
            payee="Rent",
            amount_minor=-150_000,
            rrule="FREQ=MONTHLY;BYMONTHDAY=31",
            starts_on=date(2027, 1, 31),
            auto_post=True,
            remind_days_before=None,
        )
        await tick("2027-01-30T23:59:00+00:00")
        assert await _posted(session, family) == []
        await tick("2027-01-31T06:00:00+00:00")
        await tick("2027-01-31T20:00:00+00:00")
        await tick("2027-02-28T06:00:00+00:00")
        await tick("2027-03-01T06:00:00+00:00")
        assert await _posted(session, family) == [
            (date(2027, 1, 31), -150_000, "Rent"),
            (date(2027, 2, 28), -150_000, "Rent"),
        ]
        # The monthly totals count the posted rent (the write hooks saw it).
        spent = await session.scalar(
            select(ActivityTotal.amount_minor).where(
                ActivityTotal.account_id == family.private.id,
                ActivityTotal.category_id == family.groceries.id,
                ActivityTotal.month == date(2027, 2, 1),
            )
        )
        assert spent == -150_000

    async def test_leap_year_february_and_a_missed_day_is_caught_up(
        self, session: AsyncSession, family: Family, tick: Ticker
    ) -> None:
        await _schedule(
            session,
            family,
            created=date(2028, 1, 1),
            payee="Rent",
            amount_minor=-150_000,
            rrule="FREQ=MONTHLY;BYMONTHDAY=30",
            starts_on=date(2028, 1, 30),
            auto_post=True,
        )
        # Nobody ticked in January: the first tick in March posts January's and February's
        # (the 29th in a leap year), never before the schedule existed.
        await tick("2028-03-01T06:00:00+00:00")
        assert [p[0] for p in await _posted(session, family)] == [
            date(2028, 1, 30),
            date(2028, 2, 29),
        ]

    async def test_a_matching_transaction_already_there_is_not_posted_again(
        self, session: AsyncSession, family: Family, tick: Ticker
    ) -> None:
        await _schedule(
            session, family, created=date(2027, 1, 1), auto_post=True, remind_days_before=None
        )
        imported = await create_transaction(
            session,
            family.private,
            posted_on=date(2027, 3, 4),
            amount_minor=-12_000,
            payee="City Power",
        )
        await session.commit()
        await tick("2027-03-05T06:00:00+00:00")
        posted = await _posted(session, family)
        assert posted == [
            (date(2027, 1, 5), -12_000, "City Power"),
            (date(2027, 2, 5), -12_000, "City Power"),
            (imported.posted_on, -12_000, "City Power"),
        ]

    async def test_daylight_saving_changes_do_not_move_the_day(
        self, session: AsyncSession, family: Family, tick: Ticker
    ) -> None:
        # Weekly on Mondays over the US change (Sunday 2027-03-14) and Europe's (2027-03-28),
        # ticked at local mornings written with their offsets.
        await _schedule(
            session,
            family,
            created=date(2027, 3, 1),
            payee="Allowance",
            amount_minor=-2_000,
            rrule="FREQ=WEEKLY;BYDAY=MO",
            starts_on=date(2027, 3, 8),
            auto_post=True,
            remind_days_before=None,
        )
        for at in (
            "2027-03-08T07:00:00-05:00",  # EST
            "2027-03-15T07:00:00-04:00",  # EDT, the day after the change
            "2027-03-22T08:00:00+01:00",  # CET
            "2027-03-29T08:00:00+02:00",  # CEST, the day after Europe's change
        ):
            await tick(at)
        assert [p[0] for p in await _posted(session, family)] == [
            date(2027, 3, 8),
            date(2027, 3, 15),
            date(2027, 3, 22),
            date(2027, 3, 29),
        ]
