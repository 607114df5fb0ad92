"""Arranging bank connections against the demo bank, and an independent model of what the
bank holds (read off the demo bank's own state, converted with Decimal arithmetic here)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.config import Settings
from family_budget.models import Account, BankConnection, Transaction
from family_budget.worker.jobs import JobContext, Outcome, drain
from tests.arrange import Family
from tests.plaid_support import DemoBankUnderTest

FIRST_PLATYPUS = "ins_109508"
TARTAN = "ins_109511"


@dataclass(frozen=True)
class BankRow:
    """A transaction as the bank holds it, in our units (inflow positive, minor units)."""

    transaction_id: str
    plaid_account_id: str
    amount_minor: int
    day: date
    pending: bool
    name: str


def bank_rows(demo_bank: DemoBankUnderTest, item_id: str) -> dict[str, BankRow]:
    item = demo_bank.bank.items[item_id]
    with demo_bank.bank.lock:
        demo_bank.bank.catch_up_all()
        wires = list(item.transactions.values())
    return {
        wire["transaction_id"]: BankRow(
            transaction_id=wire["transaction_id"],
            plaid_account_id=wire["account_id"],
            # Plaid's positive is money out; cents by exact decimal arithmetic.
            amount_minor=int(-Decimal(str(wire["amount"])) * 100),
            day=date.fromisoformat(wire["authorized_date"] or wire["date"]),
            pending=bool(wire["pending"]),
            name=wire["name"],
        )
        for wire in wires
    }


def bank_current_balance_minor(demo_bank: DemoBankUnderTest, item_id: str) -> dict[str, int]:
    """Each account's current balance in our sign (a card's debt negative)."""
    item = demo_bank.bank.items[item_id]
    with demo_bank.bank.lock:
        accounts = demo_bank.bank._accounts(item)
    balances = {}
    for account in accounts:
        current = Decimal(str(account["balances"]["current"])) * 100
        balances[account["account_id"]] = int(-current if account["type"] == "credit" else current)
    return balances


async def link_bank(
    client: httpx.AsyncClient,
    family: Family,
    demo_bank: DemoBankUnderTest,
    *,
    institution_id: str = FIRST_PLATYPUS,
    account_links: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """What the web app does: a link token, the demo bank's Link page, then the public token."""
    headers = headers or family.headers()
    token = await client.post(
        f"{family.base}/bank-connections/link-token", json={}, headers=headers
    )
    assert token.status_code == 200, token.text
    done = demo_bank.control.complete_link(
        token.json()["link_token"], institution_id=institution_id
    )
    body: dict[str, Any] = {"public_token": done["public_token"]}
    if account_links is not None:
        body["account_links"] = account_links
    return await client.post(f"{family.base}/bank-connections", json=body, headers=headers)


async def run_jobs(
    settings: Settings, factory: async_sessionmaker[AsyncSession]
) -> dict[Outcome, int]:
    return await drain(JobContext(settings, factory, now=datetime.now(UTC)))


async def item_id_of(session: AsyncSession, connection_id: str) -> str:
    connection = await session.get(BankConnection, uuid.UUID(connection_id))
    assert connection is not None
    return connection.plaid_item_id


async def synced(session: AsyncSession, account_ids: list[uuid.UUID]) -> dict[str, Transaction]:
    """Every transaction of the accounts with a bank id, by that id (fails on duplicates)."""
    rows = (
        await session.scalars(
            select(Transaction)
            .where(Transaction.account_id.in_(account_ids), Transaction.external_id.is_not(None))
            .execution_options(populate_existing=True)
        )
    ).all()
    by_id: dict[str, Transaction] = {}
    for row in rows:
        assert row.external_id is not None
        assert row.external_id not in by_id, f"duplicate bank id {row.external_id}"
        by_id[row.external_id] = row
    return by_id


async def accounts_of(session: AsyncSession, connection: dict[str, Any]) -> dict[str, Account]:
    """The household accounts of a connection (from its API body), by Plaid account name."""
    found = {}
    for linked in connection["accounts"]:
        account = await session.get(
            Account, uuid.UUID(linked["account_id"]), populate_existing=True
        )
        assert account is not None
        found[linked["name"]] = account
    return found
