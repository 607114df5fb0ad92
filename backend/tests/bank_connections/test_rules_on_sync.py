"""Payee cleanup and the household's rules on synced rows, against the demo bank with the real
plaid-python client. Expected payees, categories and tags are worked out here from the demo
bank's own wire rows; the other household's rules (tests/arrange.py) match every outflow and
must leave no trace."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.config import Settings
from family_budget.imports.payees import clean_payee
from family_budget.models import BankConnectionAccount, TransactionTag
from tests.arrange import Family
from tests.bank_connections.bank import item_id_of, link_bank, run_jobs, synced
from tests.plaid_support import DemoBankUnderTest

pytestmark = pytest.mark.usefixtures("bank_app")


def _wires(demo_bank: DemoBankUnderTest, item_id: str) -> dict[str, dict[str, Any]]:
    item = demo_bank.bank.items[item_id]
    with demo_bank.bank.lock:
        demo_bank.bank.catch_up_all()
        return {wire["transaction_id"]: dict(wire) for wire in item.transactions.values()}


async def _link(
    client: httpx.AsyncClient,
    family: Family,
    demo_bank: DemoBankUnderTest,
    session: AsyncSession,
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> tuple[dict[str, Any], list[uuid.UUID], str]:
    response = await link_bank(client, family, demo_bank)
    assert response.status_code == 201, response.text
    await run_jobs(settings, factory)
    connection = dict(response.json())
    accounts = [
        link.account_id
        for link in await session.scalars(
            select(BankConnectionAccount).where(
                BankConnectionAccount.connection_id == uuid.UUID(connection["id"])
            )
        )
    ]
    return connection, accounts, await item_id_of(session, connection["id"])


async def _tags(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, set[str]]:
    found: dict[uuid.UUID, set[str]] = {i: set() for i in ids}
    for transaction_id, tag in await session.execute(
        select(TransactionTag.transaction_id, TransactionTag.tag).where(
            TransactionTag.transaction_id.in_(ids)
        )
    ):
        found[transaction_id].add(tag)
    return found


async def test_synced_rows_get_clean_payees_and_the_households_rules(
    client: httpx.AsyncClient,
    family: Family,
    demo_bank: DemoBankUnderTest,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    bank_settings: Settings,
) -> None:
    rules = [
        {
            "name": "Coffee",
            "conditions": {"payee": {"match": "contains", "value": "starbucks"}},
            "actions": {"category_id": str(family.dining.id), "tags": ["coffee"]},
        },
        {
            "name": "Spending",
            "conditions": {"max_amount_minor": -1},
            "actions": {"category_id": str(family.groceries.id), "tags": ["out"]},
        },
        {
            "name": "Disabled",
            "enabled": False,
            "conditions": {"min_amount_minor": 1},
            "actions": {"tags": ["never"]},
        },
    ]
    for rule in rules:
        created = await client.post(f"{family.base}/rules", json=rule, headers=family.headers())
        assert created.status_code == 201, created.text

    _, accounts, item_id = await _link(
        client, family, demo_bank, session, session_factory, bank_settings
    )

    rows = await synced(session, accounts)
    wires = _wires(demo_bank, item_id)
    assert set(rows) == set(wires)
    tags = await _tags(session, [row.id for row in rows.values()])
    described_only = 0
    seen = {"coffee": 0, "outflow": 0}
    for bank_id, wire in wires.items():
        row = rows[bank_id]
        payee = wire["merchant_name"] or clean_payee(wire["name"])
        described_only += wire["merchant_name"] is None
        coffee = "starbucks" in payee.lower()
        outflow = float(wire["amount"]) > 0  # Plaid's positive is money out
        expected_category = family.dining.id if coffee else family.groceries.id if outflow else None
        expected_tags = ({"coffee"} if coffee else set()) | ({"out"} if outflow else set())
        seen["coffee"] += coffee
        seen["outflow"] += outflow and not coffee
        assert (row.payee, row.payee_original) == (payee, wire["name"]), bank_id
        assert row.category_id == expected_category, (bank_id, payee)
        assert tags[row.id] == expected_tags, (bank_id, payee)
    # The stand-in leaves some merchant names out, as Plaid does: cleanup had work to do; and
    # both rules had rows to act on.
    assert described_only > 0
    assert seen["coffee"] > 0
    assert seen["outflow"] > 0


async def test_what_a_rule_gave_a_pending_row_stays_when_it_posts(
    client: httpx.AsyncClient,
    family: Family,
    demo_bank: DemoBankUnderTest,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    bank_settings: Settings,
) -> None:
    connection, accounts, item_id = await _link(
        client, family, demo_bank, session, session_factory, bank_settings
    )
    created = await client.post(
        f"{family.base}/rules",
        json={
            "name": "Fuel",
            "conditions": {"payee": {"match": "equals", "value": "Shell Oil"}},
            "actions": {"category_id": str(family.dining.id), "payee": "Shell (car)"},
        },
        headers=family.headers(),
    )
    assert created.status_code == 201, created.text
    sync_url = f"{family.base}/bank-connections/{connection['id']}/sync"
    [hold_id] = demo_bank.control.add_transactions(
        item_id, pending=True, amount="60.00", merchant="SHELL OIL 5744"
    )
    await client.post(sync_url, headers=family.headers())
    await run_jobs(bank_settings, session_factory)
    hold = (await synced(session, accounts))[hold_id]
    assert (hold.payee, hold.category_id) == ("Shell (car)", family.dining.id)

    posted_id = demo_bank.control.post_transaction(item_id, hold_id, amount="61.25")
    await client.post(sync_url, headers=family.headers())
    await run_jobs(bank_settings, session_factory)

    rows = await synced(session, accounts)
    assert hold_id not in rows
    posted = rows[posted_id]
    assert posted.id == hold.id  # the same row, taken over in place
    assert (posted.payee, posted.category_id, posted.amount_minor) == (
        "Shell (car)",
        family.dining.id,
        -6_125,
    )


async def test_a_kept_edit_wins_over_the_rules(
    client: httpx.AsyncClient,
    family: Family,
    demo_bank: DemoBankUnderTest,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    bank_settings: Settings,
) -> None:
    connection, accounts, item_id = await _link(
        client, family, demo_bank, session, session_factory, bank_settings
    )
    created = await client.post(
        f"{family.base}/rules",
        json={
            "name": "Fuel",
            "conditions": {"payee": {"match": "contains", "value": "shell"}},
            "actions": {"category_id": str(family.dining.id), "tags": ["fuel"]},
        },
        headers=family.headers(),
    )
    assert created.status_code == 201, created.text
    sync_url = f"{family.base}/bank-connections/{connection['id']}/sync"
    [hold_id] = demo_bank.control.add_transactions(
        item_id, pending=True, amount="1.00", merchant="SHELL OIL 5744"
    )
    await client.post(sync_url, headers=family.headers())
    await run_jobs(bank_settings, session_factory)
    hold = (await synced(session, accounts))[hold_id]
    assert hold.category_id == family.dining.id
    # The family re-categorizes the hold and drops the rule's tag.
    url = f"{family.base}/transactions/{hold.id}"
    current = await client.get(url, headers=family.headers())
    edited = await client.patch(
        url,
        json={"category_id": str(family.groceries.id), "tags": []},
        headers={**family.headers(), "If-Match": current.headers["ETag"]},
    )
    assert edited.status_code == 200, edited.text

    # The bank withdraws the hold, then the purchase posts without naming it: the posted row
    # takes the family's edit, not the rule's category and tag.
    demo_bank.control.remove_transaction(item_id, hold_id)
    await client.post(sync_url, headers=family.headers())
    await run_jobs(bank_settings, session_factory)
    [fuel_id] = demo_bank.control.add_transactions(
        item_id, amount="45.10", merchant="SHELL OIL 5744"
    )
    await client.post(sync_url, headers=family.headers())
    await run_jobs(bank_settings, session_factory)

    fuel = (await synced(session, accounts))[fuel_id]
    assert fuel.category_id == family.groceries.id
    assert (await _tags(session, [fuel.id]))[fuel.id] == set()
