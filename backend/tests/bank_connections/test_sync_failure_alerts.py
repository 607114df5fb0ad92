"""A connection that needs the family to sign in again tells the household's owners and adults
(an account_sync_failure alert): once, however often the bank says so, in the app and by email,
as each one's preferences allow. Driven through the API, the jobs and the demo bank; the
expected texts are the template's, written out here by hand."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.config import Settings
from family_budget.models import Account, BankConnection, Notification
from family_budget.worker.jobs import JobContext, drain
from tests.arrange import API, Family
from tests.bank_connections.bank import item_id_of, link_bank, run_jobs
from tests.outbox import sent_emails
from tests.plaid_support import DemoBankUnderTest, WebhookReceiver

pytestmark = pytest.mark.usefixtures("bank_app")

WEBHOOK_URL = f"{API}/webhooks/plaid"
TEMPLATE = "account_sync_failure"


async def _linked(
    client: httpx.AsyncClient,
    family: Family,
    demo_bank: DemoBankUnderTest,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    bank_settings: Settings,
) -> tuple[dict[str, Any], str]:
    """A connection after its first sync, and the names of the accounts it feeds as the alert
    lists them (sorted, comma-separated)."""
    response = await link_bank(client, family, demo_bank)
    assert response.status_code == 201, response.text
    await run_jobs(bank_settings, session_factory)
    connection: dict[str, Any] = response.json()
    ids = [uuid.UUID(linked["account_id"]) for linked in connection["accounts"]]
    names = (await session.scalars(select(Account.name).where(Account.id.in_(ids)))).all()
    assert len(names) == 3  # checking, savings and a card at the demo bank
    return connection, ", ".join(sorted(names))


def _pending_expiration(demo_bank: DemoBankUnderTest, item_id: str) -> tuple[bytes, str]:
    """The webhook as the bank sends it: body and a fresh Plaid-Verification signature."""
    raw = json.dumps(
        {
            "environment": "sandbox",
            "webhook_type": "ITEM",
            "webhook_code": "PENDING_EXPIRATION",
            "item_id": item_id,
            "consent_expiration_time": "2026-03-17T12:00:00Z",
        },
        indent=2,
    ).encode()
    return raw, demo_bank.bank.signer.sign(raw)


async def _deliver(client: httpx.AsyncClient, raw: bytes, signature: str) -> None:
    response = await client.post(
        WEBHOOK_URL,
        content=raw,
        headers={"Plaid-Verification": signature, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text


async def _forward(client: httpx.AsyncClient, receiver: WebhookReceiver, code: str) -> None:
    """Hand the next webhook with `code` that the demo bank sent to the API."""
    while True:
        webhook, body = receiver.next_json()
        if body["webhook_code"] == code:
            signature = next(
                v for k, v in webhook.headers.items() if k.lower() == "plaid-verification"
            )
            await _deliver(client, webhook.body, signature)
            return


async def _in_app(session: AsyncSession, connection_id: str) -> list[tuple[uuid.UUID, str, str]]:
    rows = await session.execute(
        select(Notification.user_id, Notification.title, Notification.body)
        .where(Notification.alert_key.startswith(f"sync-failure:{connection_id}:"))
        .execution_options(populate_existing=True)
    )
    return sorted((row[0], row[1], row[2]) for row in rows)


def _alert_emails(outbox: Path) -> list[dict[str, Any]]:
    return [m for m in sent_emails(outbox) if m["template"] == TEMPLATE]


async def test_consent_expiring_is_told_once_to_owners_and_adults(
    client: httpx.AsyncClient,
    family: Family,
    demo_bank: DemoBankUnderTest,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    bank_settings: Settings,
    outbox: Path,
) -> None:
    connection, accounts = await _linked(
        client, family, demo_bank, session, session_factory, bank_settings
    )
    item_id = await item_id_of(session, connection["id"])
    first = _pending_expiration(demo_bank, item_id)

    await _deliver(client, *first)
    await run_jobs(bank_settings, session_factory)
    # The same delivery replayed, and the bank sending it again (a new signature: the API
    # cannot tell it from a new event, so the worker handles it a second time).
    await _deliver(client, *first)
    await _deliver(client, *_pending_expiration(demo_bank, item_id))
    await run_jobs(bank_settings, session_factory)

    status = await client.get(
        f"{family.base}/bank-connections/{connection['id']}", headers=family.headers()
    )
    assert status.json()["status"] == "needs_reauth"
    row = (
        f"{accounts} needs attention",
        "Reconnect First Platypus Bank to keep transactions up to date",
    )
    assert await _in_app(session, connection["id"]) == sorted(
        [(family.owner.id, *row), (family.adult.id, *row)]
    )
    sent = _alert_emails(outbox)
    assert sorted(m["to"] for m in sent) == sorted([family.owner.email, family.adult.email])
    [to_owner] = [m for m in sent if m["to"] == family.owner.email]
    assert to_owner["subject"] == f"We could not update {accounts}"
    reconnect = f"{bank_settings.public_app_url}/h/{family.household.id}/bank-connections"
    assert to_owner["text"].startswith(
        f"Hi {family.owner.name},\n\n"
        f"We could not fetch new transactions for {accounts} at First Platypus Bank "
        f"({family.household.name}). Reconnecting the account usually fixes this:\n"
        f"{reconnect}\n\n"
    )


async def test_a_broken_login_is_told_once_and_not_again_by_a_failing_sync(
    client: httpx.AsyncClient,
    family: Family,
    demo_bank: DemoBankUnderTest,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    bank_settings: Settings,
    webhook_receiver: WebhookReceiver,
    outbox: Path,
) -> None:
    connection, accounts = await _linked(
        client, family, demo_bank, session, session_factory, bank_settings
    )
    item_id = await item_id_of(session, connection["id"])
    demo_bank.control.inject_error("*", "ITEM_LOGIN_REQUIRED", item_id=item_id)
    await _forward(client, webhook_receiver, "ERROR")
    await run_jobs(bank_settings, session_factory)
    # "Sync now" the next day, while the login is still broken, fails the same way.
    await client.post(
        f"{family.base}/bank-connections/{connection['id']}/sync", headers=family.headers()
    )
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    await drain(JobContext(bank_settings, session_factory, now=tomorrow))
    failed = await session.get(BankConnection, uuid.UUID(connection["id"]), populate_existing=True)
    assert failed is not None
    assert (failed.status.value, failed.sync_finished_at) == ("needs_reauth", tomorrow)

    keys = (
        await session.scalars(
            select(Notification.alert_key).where(Notification.user_id == family.owner.id)
        )
    ).all()
    assert [k for k in keys if k.startswith("sync-failure:")] == [
        f"sync-failure:{connection['id']}:ITEM_LOGIN_REQUIRED:{datetime.now(UTC).date()}"
    ]
    assert sorted(m["to"] for m in _alert_emails(outbox)) == sorted(
        [family.owner.email, family.adult.email]
    )
    assert {m["subject"] for m in _alert_emails(outbox)} == {f"We could not update {accounts}"}


async def test_email_switched_off_for_sync_failures_leaves_the_app(
    client: httpx.AsyncClient,
    family: Family,
    demo_bank: DemoBankUnderTest,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    bank_settings: Settings,
    outbox: Path,
) -> None:
    on = {"email": True, "push": True, "in_app": True}
    kinds = {kind: dict(on) for kind in ("bill_reminder", "budget_alert", "security_alert")}
    preferences = {
        "channels": dict(on),
        "kinds": {**kinds, "account_sync_failure": {**on, "email": False}},
    }
    put = await client.put(
        f"{API}/me/notification-preferences", json=preferences, headers=family.headers()
    )
    assert put.status_code == 200, put.text
    connection, _ = await _linked(
        client, family, demo_bank, session, session_factory, bank_settings
    )

    await _deliver(
        client, *_pending_expiration(demo_bank, await item_id_of(session, connection["id"]))
    )
    await run_jobs(bank_settings, session_factory)

    assert [m["to"] for m in _alert_emails(outbox)] == [family.adult.email]
    told_in_app = [row[0] for row in await _in_app(session, connection["id"])]
    assert told_in_app == sorted([family.owner.id, family.adult.id])
