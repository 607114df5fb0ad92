"""kill -9 of a real worker process in the middle of delivering an alert (its email written,
its push on the wire, "done" not yet committed): once the job's lease has run out another worker
delivers it again, and the user ends up with one notification, not zero, not two.

The worker runs as `make run` starts it (SQLite, the folder queue, no Redis). The browser's push
service is a local stand-in that holds the first push unanswered until the worker is killed."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
from collections.abc import Iterator
from datetime import timedelta

import http_ece
import pytest
from sqlalchemy import func, select, update

from family_budget.alerts.service import AlertKind, raise_alert
from family_budget.db import create_engine, create_session_factory, unit_of_work
from family_budget.households.context import HouseholdContext
from family_budget.models import (
    DevicePlatform,
    Household,
    Job,
    Membership,
    Notification,
    PushDevice,
    Role,
    User,
)
from family_budget.models.base import utcnow
from family_budget.security import hash_token
from family_budget.worker.dispatch import Dispatcher
from tests.alerts.push_service import Browser, PushService, push_service
from tests.alerts.test_delivery import BILL
from tests.worker.test_process import (  # noqa: F401 (fixture)
    DEADLINE_SECONDS,
    Embedded,
    _wait_for,
    embedded,
    migrated_database,
)

KEY = "bill:kill-9"


@pytest.fixture
def service() -> Iterator[PushService]:
    with push_service() as running:
        yield running


async def _arrange_and_raise(system: Embedded, endpoint: str, browser: Browser) -> None:
    settings = system.settings
    engine = create_engine(settings, pooled=False)
    try:
        factory = create_session_factory(engine, job_nudge=Dispatcher(settings).nudge)
        async with unit_of_work(factory) as session:
            owner = User(email="owner@example.com", name="Olive", password_hash="x")
            household = Household(name="The Parkers", currency="USD")
            session.add_all([owner, household])
            await session.flush()
            session.add(Membership(household_id=household.id, user_id=owner.id, role=Role.OWNER))
            keys = browser.keys()
            session.add(
                PushDevice(
                    user_id=owner.id,
                    platform=DevicePlatform.WEB,
                    token_hash=hash_token(endpoint),
                    web_endpoint=endpoint,
                    web_p256dh=keys["p256dh"],
                    web_auth=keys["auth"],
                )
            )
            await session.flush()
            await raise_alert(
                session,
                kind=AlertKind.BILL_REMINDER,
                data=BILL,
                key=KEY,
                household=HouseholdContext.for_system(household),
            )
    finally:
        await engine.dispose()


async def _state(system: Embedded) -> tuple[int, bool, int]:
    """(in-app rows of the alert, whether its job is done, the job's attempts)."""
    engine = create_engine(system.settings, pooled=False)
    try:
        async with create_session_factory(engine)() as session:
            rows = await session.scalar(
                select(func.count()).select_from(Notification).where(Notification.alert_key == KEY)
            )
            job = (
                await session.execute(
                    select(Job.done_at, Job.attempts).where(Job.key == f"alert:{KEY}")
                )
            ).one()
    finally:
        await engine.dispose()
    return int(rows or 0), job[0] is not None, int(job[1])


async def _lease_runs_out(system: Embedded) -> None:
    """Ten minutes pass: the killed worker's lease, and the relay's wait for it, are over."""
    engine = create_engine(system.settings, pooled=False)
    try:
        factory = create_session_factory(engine)
        async with unit_of_work(factory) as session:
            past = utcnow() - timedelta(minutes=10)
            await session.execute(
                update(Job)
                .where(Job.key == f"alert:{KEY}")
                .values(claimed_until=past, dispatched_at=past)
            )
        await Dispatcher(system.settings).nudge()
    finally:
        await engine.dispose()


def _outbox_files(system: Embedded) -> list[dict[str, object]]:
    return [json.loads(p.read_text()) for p in (system.data_dir / "outbox").glob("*.json")]


def test_kill_9_mid_delivery_leaves_one_notification(
    embedded: Embedded,  # noqa: F811
    service: PushService,
) -> None:
    browser = Browser()
    held = threading.Event()
    service.hold = held
    embedded.start("worker")
    asyncio.run(_arrange_and_raise(embedded, service.endpoint("olive"), browser))

    assert service.received.wait(DEADLINE_SECONDS), "the worker never pushed"
    # The worker is inside the job: the email is written, the push is on the wire.
    worker = embedded.processes[-1]
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    held.set()
    rows, done, attempts = asyncio.run(_state(embedded))
    assert (rows, done, attempts) == (0, False, 1)  # nothing committed, nothing lost
    assert len(_outbox_files(embedded)) == 1

    asyncio.run(_lease_runs_out(embedded))
    embedded.start("worker")
    _wait_for(lambda: asyncio.run(_state(embedded))[1], "the alert to be delivered again")

    rows, done, attempts = asyncio.run(_state(embedded))
    assert (rows, done, attempts) == (1, True, 2)
    # The email went out twice into one file (named after the alert key and the user).
    [email] = _outbox_files(embedded)
    assert (email["to"], email["template"]) == ("owner@example.com", "bill_reminder")
    # The browser got the push twice with one tag: it shows one notification.
    tags = [
        json.loads(
            http_ece.decrypt(
                d.body,
                private_key=browser.private_key,
                auth_secret=browser.auth_secret,
                version="aes128gcm",
            )
        )["tag"]
        for d in service.deliveries
    ]
    assert tags == [KEY, KEY]
