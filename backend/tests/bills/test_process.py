"""The issue's "done means", on the embedded default `make run` uses (SQLite and the outbox
under DATA_DIR, no Redis, no AWS): a bill due in three days produces a reminder email in the
outbox and an in-app notification after `family-budget tick`, once."""

from __future__ import annotations

import asyncio
import json
import subprocess
from datetime import date

from sqlalchemy import select

from family_budget.bills import service
from family_budget.bills.schemas import ScheduledCreate
from family_budget.db import create_engine, create_session_factory, unit_of_work
from family_budget.households.context import HouseholdContext
from family_budget.models import Membership, Notification, Role
from tests.factories import create_account, create_household, create_user
from tests.worker.test_process import CLI, Embedded

AT = "2027-03-02T09:00:00+00:00"
DUE = "2027-03-05"


async def _arrange_bill(embedded: Embedded) -> tuple[str, str]:
    engine = create_engine(embedded.settings, pooled=False)
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            owner = await create_user(session, name="Pat Parker", email="pat@example.com")
            household = await create_household(session, owner=owner, name="The Parkers")
            account = await create_account(session, household, name="Checking")
            membership = await session.scalar(
                select(Membership).where(Membership.user_id == owner.id)
            )
            assert membership is not None
            assert membership.role is Role.OWNER
            context = HouseholdContext.for_member(household, membership, owner)
            bill = await service.create_scheduled(
                session,
                context,
                ScheduledCreate(
                    account_id=account.id,
                    payee="Electricity",
                    amount_minor=-8_450,
                    rrule="FREQ=MONTHLY;BYMONTHDAY=5",
                    starts_on=date(2027, 1, 5),
                    remind_days_before=3,
                ),
            )
            return str(owner.id), str(bill.id)
    finally:
        await engine.dispose()


async def _notifications(embedded: Embedded) -> list[tuple[str, str, str]]:
    engine = create_engine(embedded.settings, pooled=False)
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            rows = await session.execute(
                select(Notification.user_id, Notification.alert_key, Notification.title)
            )
            return [(str(r[0]), r[1], r[2]) for r in rows]
    finally:
        await engine.dispose()


def _tick(embedded: Embedded) -> subprocess.CompletedProcess[str]:
    ticked = subprocess.run(
        [CLI, "tick", "--at", AT],
        env=embedded.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ticked.returncode == 0, ticked.stderr
    return ticked


def test_a_bill_due_in_three_days_is_emailed_and_notified_after_tick(
    embedded: Embedded,
) -> None:
    owner_id, bill_id = asyncio.run(_arrange_bill(embedded))
    outbox = embedded.settings.outbox_dir

    _tick(embedded)

    emails = [json.loads(p.read_text()) for p in sorted(outbox.glob("*.json"))]
    reminders = [m for m in emails if m["template"] == "bill_reminder"]
    assert [m["to"] for m in reminders] == ["pat@example.com"]
    assert "Electricity" in reminders[0]["text"]
    assert "$84.50" in reminders[0]["text"]
    assert "March 5, 2027" in reminders[0]["text"]
    key = f"bill:{bill_id}:{DUE}"
    notifications = asyncio.run(_notifications(embedded))
    assert [(user, alert_key) for user, alert_key, _ in notifications] == [(owner_id, key)]

    # Ticking again at the same instant (or beat ticking beside an operator) sends nothing more.
    _tick(embedded)
    assert len(list(outbox.glob("*.json"))) == len(emails)
    assert len(asyncio.run(_notifications(embedded))) == 1
