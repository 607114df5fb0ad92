"""raise_alert and the delivery job on the embedded default: in-app rows, emails in the outbox,
preferences, recipients, bouncing addresses, idempotency."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.alerts.service import (
    AlertKind,
    PreferenceSet,
    raise_alert,
    replace_preferences,
)
from family_budget.models import Job, Membership, Notification
from family_budget.models.base import utcnow
from family_budget.notifications.templates import TemplateError
from family_budget.worker.jobs import Outcome
from tests.alerts.conftest import Family, RunJobs
from tests.conftest import Emails

BILL: dict[str, Any] = {
    "household_name": "The Parkers",
    "bill_name": "Electricity",
    "amount": {"amount_minor": 12345, "currency": "USD"},
    "due_on": "2027-03-05",
    "bill_url": "https://app.family-budget.test/bills/42",
}
SECURITY: dict[str, Any] = {
    "activity": "Your password was changed",
    "occurred_at": "2027-03-01T10:00:00+00:00",
    "security_url": "https://app.family-budget.test/profile",
}


async def _in_app(session: AsyncSession, key: str) -> list[tuple[uuid.UUID, str, str]]:
    rows = await session.execute(
        select(Notification.user_id, Notification.title, Notification.body)
        .where(Notification.alert_key == key)
        .order_by(Notification.user_id)
    )
    return [(r[0], r[1], r[2]) for r in rows]


def _to(messages: list[dict[str, Any]], template: str) -> list[str]:
    return sorted(m["to"] for m in messages if m["template"] == template)


class TestRaiseAlert:
    async def test_the_same_key_raises_once(self, session: AsyncSession, parkers: Family) -> None:
        first = await raise_alert(
            session,
            kind=AlertKind.BILL_REMINDER,
            data=BILL,
            key="bill:1",
            household=parkers.context,
        )
        second = await raise_alert(
            session,
            kind=AlertKind.BILL_REMINDER,
            data=BILL,
            key="bill:1",
            household=parkers.context,
        )
        jobs = await session.scalar(
            select(func.count()).select_from(Job).where(Job.key == "alert:bill:1")
        )
        assert (first, second, jobs) == (True, False, 1)

    async def test_a_missing_variable_fails_in_the_caller(
        self, session: AsyncSession, parkers: Family
    ) -> None:
        data = {k: v for k, v in BILL.items() if k != "due_on"}
        with pytest.raises(TemplateError, match="due_on"):
            await raise_alert(
                session, kind=AlertKind.BILL_REMINDER, data=data, key="k", household=parkers.context
            )

    async def test_money_must_be_integer_minor_units(
        self, session: AsyncSession, parkers: Family
    ) -> None:
        data = {**BILL, "amount": {"amount_minor": 123.45, "currency": "USD"}}
        with pytest.raises(TemplateError, match="amount"):
            await raise_alert(
                session, kind=AlertKind.BILL_REMINDER, data=data, key="k", household=parkers.context
            )

    async def test_without_a_household_recipients_are_required(self, session: AsyncSession) -> None:
        with pytest.raises(ValueError, match="user_ids"):
            await raise_alert(
                session, kind=AlertKind.SECURITY_ALERT, data=SECURITY, key="k", household=None
            )

    async def test_a_rolled_back_caller_raises_nothing(
        self, session_factory: Any, parkers: Family, run_jobs: RunJobs, session: AsyncSession
    ) -> None:
        await session.commit()

        async def failing_change() -> None:
            async with session_factory() as caller, caller.begin():
                await raise_alert(
                    caller,
                    kind=AlertKind.BILL_REMINDER,
                    data=BILL,
                    key="bill:rolled-back",
                    household=parkers.context,
                )
                raise RuntimeError("the caller's change fails")

        with pytest.raises(RuntimeError):
            await failing_change()
        await run_jobs()
        assert await _in_app(session, "bill:rolled-back") == []


class TestDelivery:
    async def test_owners_and_adults_get_it_in_app_and_by_email_not_teens_or_others(
        self,
        session: AsyncSession,
        parkers: Family,
        smiths: Family,
        run_jobs: RunJobs,
        emails: Emails,
    ) -> None:
        await raise_alert(
            session,
            kind=AlertKind.BILL_REMINDER,
            data=BILL,
            key="bill:p",
            household=parkers.context,
        )
        await raise_alert(
            session,
            kind=AlertKind.BILL_REMINDER,
            data={**BILL, "household_name": "The Smiths", "bill_name": "Water"},
            key="bill:s",
            household=smiths.context,
        )
        await session.commit()

        assert (await run_jobs())[Outcome.DONE] == 2
        sent = await emails()

        # The push title and body of the bill_reminder template, written out by hand.
        parkers_row = ("Electricity is due March 5, 2027", "$123.45 for The Parkers")
        smiths_row = ("Water is due March 5, 2027", "$123.45 for The Smiths")
        assert await _in_app(session, "bill:p") == sorted(
            [(parkers.owner.id, *parkers_row), (parkers.adult.id, *parkers_row)]
        )
        assert await _in_app(session, "bill:s") == sorted(
            [(smiths.owner.id, *smiths_row), (smiths.adult.id, *smiths_row)]
        )
        assert _to(sent, "bill_reminder") == sorted(
            [parkers.owner.email, parkers.adult.email, smiths.owner.email, smiths.adult.email]
        )
        [to_owner] = [m for m in sent if m["to"] == parkers.owner.email]
        assert to_owner["subject"] == "Electricity is due on March 5, 2027"
        assert "Hi The Parkers Owner," in to_owner["text"]

    async def test_user_ids_narrow_the_audience_to_current_members(
        self,
        session: AsyncSession,
        parkers: Family,
        smiths: Family,
        run_jobs: RunJobs,
        emails: Emails,
    ) -> None:
        await raise_alert(
            session,
            kind=AlertKind.BILL_REMINDER,
            data=BILL,
            key="bill:teen",
            household=parkers.context,
            # The teen is a member; the Smiths' owner is not: nothing leaks to another household.
            user_ids=[parkers.teen.id, smiths.owner.id],
        )
        await session.commit()
        await run_jobs()
        assert [r[0] for r in await _in_app(session, "bill:teen")] == [parkers.teen.id]
        assert _to(await emails(), "bill_reminder") == [parkers.teen.email]

    async def test_a_retried_delivery_notifies_once(
        self,
        session: AsyncSession,
        parkers: Family,
        run_jobs: RunJobs,
        emails: Emails,
        outbox: Path,
    ) -> None:
        await raise_alert(
            session,
            kind=AlertKind.BILL_REMINDER,
            data=BILL,
            key="bill:again",
            household=parkers.context,
        )
        await session.commit()
        await run_jobs()
        # As after a crash between sending and "done": the same job runs once more.
        job = await session.scalar(select(Job).where(Job.key == "alert:bill:again"))
        assert job is not None
        job.done_at = None
        job.claimed_until = None
        job.run_after = utcnow()
        await session.commit()
        assert (await run_jobs())[Outcome.DONE] == 1

        assert len(await _in_app(session, "bill:again")) == 2  # owner and adult, once each
        assert _to(await emails(), "bill_reminder") == sorted(
            [parkers.owner.email, parkers.adult.email]
        )

    async def test_a_channel_switched_off_sends_nothing_on_it(
        self,
        session: AsyncSession,
        parkers: Family,
        run_jobs: RunJobs,
        emails: Emails,
    ) -> None:
        no_email = PreferenceSet.all_on()
        no_email.kinds[AlertKind.BILL_REMINDER]["email"] = False
        await replace_preferences(session, parkers.owner.id, no_email)
        no_in_app = PreferenceSet.all_on()
        no_in_app.channels["in_app"] = False
        await replace_preferences(session, parkers.adult.id, no_in_app)
        await raise_alert(
            session,
            kind=AlertKind.BILL_REMINDER,
            data=BILL,
            key="bill:prefs",
            household=parkers.context,
        )
        await session.commit()
        await run_jobs()

        assert [r[0] for r in await _in_app(session, "bill:prefs")] == [parkers.owner.id]
        assert _to(await emails(), "bill_reminder") == [parkers.adult.email]

    async def test_preferences_are_read_at_delivery_not_when_raised(
        self, session: AsyncSession, parkers: Family, run_jobs: RunJobs, emails: Emails
    ) -> None:
        await raise_alert(
            session,
            kind=AlertKind.BILL_REMINDER,
            data=BILL,
            key="bill:late",
            household=parkers.context,
        )
        off = PreferenceSet.all_on()
        off.channels["email"] = False
        await replace_preferences(session, parkers.owner.id, off)
        await session.commit()
        await run_jobs()
        assert _to(await emails(), "bill_reminder") == [parkers.adult.email]

    async def test_security_alerts_are_emailed_even_when_switched_off(
        self, session: AsyncSession, parkers: Family, run_jobs: RunJobs, emails: Emails
    ) -> None:
        off = PreferenceSet.all_on()
        off.channels["email"] = False
        off.kinds[AlertKind.SECURITY_ALERT]["email"] = False
        off.kinds[AlertKind.SECURITY_ALERT]["in_app"] = False
        await replace_preferences(session, parkers.teen.id, off)
        await raise_alert(
            session,
            kind=AlertKind.SECURITY_ALERT,
            data=SECURITY,
            key="security:teen",
            household=None,
            user_ids=[parkers.teen.id],
        )
        await session.commit()
        await run_jobs()
        assert _to(await emails(), "security_alert") == [parkers.teen.email]
        assert await _in_app(session, "security:teen") == []

    async def test_an_undeliverable_address_gets_no_email_but_the_rest_still_works(
        self, session: AsyncSession, parkers: Family, run_jobs: RunJobs, emails: Emails
    ) -> None:
        parkers.owner.email_undeliverable_at = utcnow()
        parkers.owner.email_undeliverable_reason = "bounce"
        await raise_alert(
            session,
            kind=AlertKind.SECURITY_ALERT,
            data=SECURITY,
            key="security:bounced",
            household=None,
            user_ids=[parkers.owner.id],
        )
        await session.commit()
        await run_jobs()
        assert _to(await emails(), "security_alert") == []
        assert [r[0] for r in await _in_app(session, "security:bounced")] == [parkers.owner.id]

    async def test_a_member_who_left_before_delivery_is_not_told(
        self, session: AsyncSession, parkers: Family, run_jobs: RunJobs, emails: Emails
    ) -> None:
        await raise_alert(
            session,
            kind=AlertKind.BILL_REMINDER,
            data=BILL,
            key="bill:left",
            household=parkers.context,
        )
        membership = await session.scalar(
            select(Membership).where(Membership.user_id == parkers.adult.id)
        )
        await session.delete(membership)
        await session.commit()
        await run_jobs()
        assert _to(await emails(), "bill_reminder") == [parkers.owner.email]
