"""Bank sync end to end in one process: the API, the jobs (drained here) and the demo bank over
HTTP with the real plaid-python client. Expected figures come from the demo bank's own state
(tests.bank_connections.bank), never from the code under test.

Zero duplicates (`synced` fails on one), zero lost edits, zero half-applied pages."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.bank_connections.apply import apply_sync_result
from family_budget.bank_connections.plaid_api import PlaidClient
from family_budget.config import Settings
from family_budget.models import (
    Account,
    ActivityTotal,
    BankConnection,
    BankConnectionAccount,
    BankPendingEdit,
    ClearedState,
    Job,
    TransactionSplit,
    TransactionStatus,
    TransactionTag,
)
from family_budget.months import month_of
from family_budget.worker.jobs import Outcome
from family_budget.worker.schedule import schedule_due
from tests.arrange import Family, arrange_family
from tests.bank_connections.bank import (
    TARTAN,
    bank_current_balance_minor,
    bank_rows,
    item_id_of,
    link_bank,
    run_jobs,
    synced,
)
from tests.plaid_support import DemoBankUnderTest, WebhookReceiver

pytestmark = pytest.mark.usefixtures("bank_app")

WEBHOOK_URL = "/api/v1/webhooks/plaid"


async def _linked_and_synced(
    client: httpx.AsyncClient,
    family: Family,
    demo_bank: DemoBankUnderTest,
    settings: Settings,
    factory: async_sessionmaker[AsyncSession],
    **link: Any,
) -> dict[str, Any]:
    response = await link_bank(client, family, demo_bank, **link)
    assert response.status_code == 201, response.text
    outcomes = await run_jobs(settings, factory)
    assert outcomes[Outcome.DONE] >= 1
    return dict(response.json())


def _account_ids(connection: dict[str, Any]) -> list[uuid.UUID]:
    return [uuid.UUID(a["account_id"]) for a in connection["accounts"]]


async def _matches_the_bank(
    session: AsyncSession, demo_bank: DemoBankUnderTest, connection: dict[str, Any]
) -> dict[str, Any]:
    """Every bank transaction once, with the bank's amount, day and status; nothing else."""
    item_id = await item_id_of(session, connection["id"])
    expected = bank_rows(demo_bank, item_id)
    plaid_to_account = {
        link.plaid_account_id: link.account_id
        for link in await session.scalars(
            select(BankConnectionAccount).where(
                BankConnectionAccount.connection_id == uuid.UUID(connection["id"])
            )
        )
    }
    rows = await synced(session, _account_ids(connection))
    assert set(rows) == set(expected)
    for bank_id, bank in expected.items():
        row = rows[bank_id]
        assert (row.account_id, row.amount_minor, row.posted_on, row.status) == (
            plaid_to_account[bank.plaid_account_id],
            bank.amount_minor,
            bank.day,
            TransactionStatus.PENDING if bank.pending else TransactionStatus.POSTED,
        ), bank_id
    return rows


async def _forward(
    client: httpx.AsyncClient, receiver: WebhookReceiver, code: str
) -> httpx.Response:
    """Hand the next webhook with `code` that the demo bank sent to the API, as Plaid would."""
    while True:
        webhook, body = receiver.next_json()
        if body["webhook_code"] == code:
            return await _deliver(client, webhook.body, _signature(webhook.headers))


def _signature(headers: dict[str, str]) -> str:
    return next(v for k, v in headers.items() if k.lower() == "plaid-verification")


async def _deliver(client: httpx.AsyncClient, raw: bytes, signature: str) -> httpx.Response:
    return await client.post(
        WEBHOOK_URL,
        content=raw,
        headers={"Plaid-Verification": signature, "Content-Type": "application/json"},
    )


async def _connection(session: AsyncSession, connection_id: str) -> BankConnection:
    found = await session.get(BankConnection, uuid.UUID(connection_id), populate_existing=True)
    assert found is not None
    return found


async def _edit(
    client: httpx.AsyncClient, family: Family, transaction_id: uuid.UUID, body: dict[str, Any]
) -> dict[str, Any]:
    url = f"{family.base}/transactions/{transaction_id}"
    current = await client.get(url, headers=family.headers())
    response = await client.patch(
        url, json=body, headers={**family.headers(), "If-Match": current.headers["ETag"]}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _metric(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class TestFirstSync:
    async def test_every_bank_transaction_once_and_balances_match_the_bank(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        session_factory: async_sessionmaker[AsyncSession],
        bank_settings: Settings,
    ) -> None:
        successes = _metric("family_budget_plaid_syncs_total", {"outcome": "success"})
        added = _metric("family_budget_plaid_transactions_total", {"change": "added"})

        connection = await _linked_and_synced(
            client, family, demo_bank, bank_settings, session_factory
        )

        rows = await _matches_the_bank(session, demo_bank, connection)
        assert any(row.status is TransactionStatus.PENDING for row in rows.values())
        # What the bank posted has cleared there; a pending hold has not.
        assert {(row.status, row.cleared) for row in rows.values()} == {
            (TransactionStatus.PENDING, ClearedState.UNCLEARED),
            (TransactionStatus.POSTED, ClearedState.CLEARED),
        }
        # Posted transactions add up to the bank's current balance (which leaves pending ones
        # out); the account's balance is that minus what is still pending.
        item_id = await item_id_of(session, connection["id"])
        balances = bank_current_balance_minor(demo_bank, item_id)
        pending_by_plaid: dict[str, int] = defaultdict(int)
        for bank in bank_rows(demo_bank, item_id).values():
            if bank.pending:
                pending_by_plaid[bank.plaid_account_id] += bank.amount_minor
        listed = await client.get(f"{family.base}/accounts", headers=family.headers())
        by_id = {a["id"]: a for a in listed.json()}
        links = await session.scalars(
            select(BankConnectionAccount).where(
                BankConnectionAccount.connection_id == uuid.UUID(connection["id"])
            )
        )
        first_days: dict[str, date] = {}
        for bank in bank_rows(demo_bank, item_id).values():
            day = first_days.get(bank.plaid_account_id, bank.day)
            first_days[bank.plaid_account_id] = min(day, bank.day)
        for link in links:
            account = by_id[str(link.account_id)]
            expected = balances[link.plaid_account_id] + pending_by_plaid[link.plaid_account_id]
            assert account["balance_minor"] == expected, link.name
            # Opened on its first transaction, so net worth over time includes the opening.
            assert account["opened_on"] == first_days[link.plaid_account_id].isoformat()
        # The connection is healthy and says when it synced.
        read = await client.get(
            f"{family.base}/bank-connections/{connection['id']}", headers=family.headers()
        )
        body = read.json()
        assert (body["status"], body["sync_running"], body["last_error"]) == (
            "healthy",
            False,
            None,
        )
        assert body["last_synced_at"] is not None
        assert _metric("family_budget_plaid_syncs_total", {"outcome": "success"}) == successes + 1
        assert _metric(
            "family_budget_plaid_transactions_total", {"change": "added"}
        ) == added + len(rows)

    async def test_pending_transactions_count_in_the_budget(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        session_factory: async_sessionmaker[AsyncSession],
        bank_settings: Settings,
    ) -> None:
        """Activity counts pending and posted alike, and a second household's bank in the same
        months is not mixed in (exact figures from each bank)."""
        connection = await _linked_and_synced(
            client, family, demo_bank, bank_settings, session_factory
        )
        other = await arrange_family(session, family.settings)
        other_connection = await _linked_and_synced(
            client, other, demo_bank, bank_settings, session_factory, institution_id=TARTAN
        )

        for household_family, linked in ((family, connection), (other, other_connection)):
            item_id = await item_id_of(session, linked["id"])
            expected: dict[date, int] = defaultdict(int)
            for bank in bank_rows(demo_bank, item_id).values():
                expected[month_of(bank.day)] += bank.amount_minor
            totals = await session.execute(
                select(ActivityTotal.month, func.sum(ActivityTotal.amount_minor))
                .where(ActivityTotal.household_id == household_family.household.id)
                .group_by(ActivityTotal.month)
            )
            assert {month: int(total) for month, total in totals} == dict(expected)
        pending = [
            r
            for r in bank_rows(demo_bank, await item_id_of(session, connection["id"])).values()
            if r.pending
        ]
        assert pending, "the demo bank's history should hold pending transactions"
        listed = await client.get(f"{family.base}/bank-connections", headers=family.headers())
        assert [c["id"] for c in listed.json()] == [connection["id"]]


class TestReplays:
    async def test_replaying_every_page_changes_nothing(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        session_factory: async_sessionmaker[AsyncSession],
        bank_settings: Settings,
        plaid_client: PlaidClient,
    ) -> None:
        connection = await _linked_and_synced(
            client, family, demo_bank, bank_settings, session_factory
        )
        before = {
            bank_id: (row.id, row.version)
            for bank_id, row in (await synced(session, _account_ids(connection))).items()
        }
        stored = await _connection(session, connection["id"])
        access_token = demo_bank.bank.items[stored.plaid_item_id].access_token
        pages = plaid_client.fetch_sync(access_token, None)  # every page from the start again
        links = list(
            await session.scalars(
                select(BankConnectionAccount).where(
                    BankConnectionAccount.connection_id == stored.id
                )
            )
        )

        for _ in range(2):
            counts = await apply_sync_result(
                session,
                household_id=family.household.id,
                links=links,
                result=pages,
                balances_minor={},
                now=datetime.now(UTC),
            )
            assert (counts.added, counts.modified, counts.removed) == (0, 0, 0)

        after = {
            bank_id: (row.id, row.version)
            for bank_id, row in (await synced(session, _account_ids(connection))).items()
        }
        assert after == before

    async def test_a_rewound_cursor_syncs_again_without_duplicates(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        session_factory: async_sessionmaker[AsyncSession],
        bank_settings: Settings,
    ) -> None:
        connection = await _linked_and_synced(
            client, family, demo_bank, bank_settings, session_factory
        )
        await session.execute(
            update(BankConnection)
            .where(BankConnection.id == uuid.UUID(connection["id"]))
            .values(sync_cursor=None)
        )
        await session.commit()
        await client.post(
            f"{family.base}/bank-connections/{connection['id']}/sync", headers=family.headers()
        )
        await run_jobs(bank_settings, session_factory)
        await _matches_the_bank(session, demo_bank, connection)

    async def test_a_replayed_webhook_makes_one_sync(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        session_factory: async_sessionmaker[AsyncSession],
        bank_settings: Settings,
        webhook_receiver: WebhookReceiver,
    ) -> None:
        connection = await _linked_and_synced(
            client, family, demo_bank, bank_settings, session_factory
        )
        item_id = await item_id_of(session, connection["id"])
        demo_bank.control.add_transactions(item_id, count=3)
        webhook, body = webhook_receiver.next_json()
        assert body["webhook_code"] == "SYNC_UPDATES_AVAILABLE"
        signature = _signature(webhook.headers)

        for _ in range(3):
            response = await _deliver(client, webhook.body, signature)
            assert response.status_code == 200, response.text
        queued = await session.scalar(
            select(func.count())
            .select_from(Job)
            .where(Job.name == "bank_connections.sync", Job.done_at.is_(None))
        )
        assert queued == 1

        await run_jobs(bank_settings, session_factory)
        await _matches_the_bank(session, demo_bank, connection)
        # Delivered again after the sync: one more (harmless) sync, still no duplicates.
        assert (await _deliver(client, webhook.body, signature)).status_code == 200
        await run_jobs(bank_settings, session_factory)
        await _matches_the_bank(session, demo_bank, connection)


class TestPagination:
    async def test_mutation_during_pagination_restarts_from_the_first_cursor(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        session_factory: async_sessionmaker[AsyncSession],
        bank_settings: Settings,
    ) -> None:
        connection = await _linked_and_synced(
            client, family, demo_bank, bank_settings, session_factory
        )
        item_id = await item_id_of(session, connection["id"])
        demo_bank.control.add_transactions(item_id, count=700)  # two pages of 500
        # While the sync reads its second page, new data arrives (the demo bank adds a purchase
        # instead of failing), so that page fails and the run must start again.
        demo_bank.control.inject_error(
            "/transactions/sync",
            "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION",
            after=1,
            item_id=item_id,
        )
        restarts = _metric("family_budget_plaid_sync_restarts_total", {"reason": "plaid"})
        await client.post(
            f"{family.base}/bank-connections/{connection['id']}/sync", headers=family.headers()
        )
        await run_jobs(bank_settings, session_factory)

        rows = await _matches_the_bank(session, demo_bank, connection)
        assert len(rows) == len(bank_rows(demo_bank, item_id)) > 700
        assert _metric("family_budget_plaid_sync_restarts_total", {"reason": "plaid"}) == (
            restarts + 1
        )


class TestPendingToPosted:
    async def test_posted_across_two_pages_with_a_tip_keeps_every_edit(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        session_factory: async_sessionmaker[AsyncSession],
        bank_settings: Settings,
    ) -> None:
        connection = await _linked_and_synced(
            client, family, demo_bank, bank_settings, session_factory
        )
        item_id = await item_id_of(session, connection["id"])
        [pending_id] = demo_bank.control.add_transactions(
            item_id, pending=True, amount="115.00", merchant="CORNER BISTRO 42"
        )
        await client.post(
            f"{family.base}/bank-connections/{connection['id']}/sync", headers=family.headers()
        )
        await run_jobs(bank_settings, session_factory)
        pending_row = (await synced(session, _account_ids(connection)))[pending_id]
        assert (pending_row.status, pending_row.cleared, pending_row.amount_minor) == (
            TransactionStatus.PENDING,
            ClearedState.UNCLEARED,
            -11_500,
        )
        edited = await _edit(
            client,
            family,
            pending_row.id,
            {
                "payee": "Anniversary dinner",
                "memo": "with the grandparents",
                "tags": ["family", "treat"],
                "splits": [
                    {"category_id": str(family.dining.id), "amount_minor": -8_000},
                    {"category_id": str(family.groceries.id), "amount_minor": -3_500},
                ],
            },
        )

        # 499 new purchases, then the bistro posts with a 15.00 tip: its removal ends the first
        # page of 500 and the posted transaction starts the second.
        demo_bank.control.add_transactions(item_id, count=499)
        posted_id = demo_bank.control.post_transaction(item_id, pending_id, amount="130.00")
        await client.post(
            f"{family.base}/bank-connections/{connection['id']}/sync", headers=family.headers()
        )
        await run_jobs(bank_settings, session_factory)

        rows = await _matches_the_bank(session, demo_bank, connection)
        assert pending_id not in rows
        row = rows[posted_id]
        assert row.id == pending_row.id  # the same row: the family never sees both
        assert (row.status, row.cleared, row.amount_minor, row.payee, row.memo) == (
            TransactionStatus.POSTED,
            ClearedState.CLEARED,
            -13_000,
            "Anniversary dinner",
            "with the grandparents",
        )
        assert row.version > edited["version"]
        tags = await session.scalars(
            select(TransactionTag.tag).where(TransactionTag.transaction_id == row.id)
        )
        assert sorted(tags) == ["family", "treat"]
        lines = await session.execute(
            select(TransactionSplit.category_id, TransactionSplit.amount_minor).where(
                TransactionSplit.transaction_id == row.id
            )
        )
        # In proportion, 80/115 and 35/115 of 130.00, to the cent and summing exactly.
        assert sorted(lines.all(), key=lambda line: line[1]) == [
            (family.dining.id, -9_043),
            (family.groceries.id, -3_957),
        ]

    async def test_a_categorized_pending_row_the_bank_withdraws_keeps_its_edit(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        session_factory: async_sessionmaker[AsyncSession],
        bank_settings: Settings,
    ) -> None:
        connection = await _linked_and_synced(
            client, family, demo_bank, bank_settings, session_factory
        )
        item_id = await item_id_of(session, connection["id"])
        sync_url = f"{family.base}/bank-connections/{connection['id']}/sync"
        [hold_id] = demo_bank.control.add_transactions(
            item_id, pending=True, amount="1.00", merchant="SHELL OIL 5744"
        )
        await client.post(sync_url, headers=family.headers())
        await run_jobs(bank_settings, session_factory)
        hold = (await synced(session, _account_ids(connection)))[hold_id]
        await _edit(client, family, hold.id, {"category_id": str(family.groceries.id)})
        month = month_of(hold.posted_on)

        # The bank withdraws the hold: the row goes, and the budget stops counting it.
        demo_bank.control.remove_transaction(item_id, hold_id)
        await client.post(sync_url, headers=family.headers())
        await run_jobs(bank_settings, session_factory)
        assert hold_id not in await _matches_the_bank(session, demo_bank, connection)
        spent = await session.scalar(
            select(func.coalesce(func.sum(ActivityTotal.amount_minor), 0)).where(
                ActivityTotal.category_id == family.groceries.id, ActivityTotal.month == month
            )
        )
        assert spent == 0
        assert await session.scalar(select(func.count()).select_from(BankPendingEdit)) == 1

        # Days later the real amount posts, without naming the hold: the edit comes back.
        [fuel_id] = demo_bank.control.add_transactions(
            item_id, amount="45.10", merchant="SHELL OIL 5744"
        )
        await client.post(sync_url, headers=family.headers())
        await run_jobs(bank_settings, session_factory)
        fuel = (await _matches_the_bank(session, demo_bank, connection))[fuel_id]
        assert (fuel.category_id, fuel.amount_minor) == (family.groceries.id, -4_510)
        assert await session.scalar(select(func.count()).select_from(BankPendingEdit)) == 0
        spent = await session.scalar(
            select(func.coalesce(func.sum(ActivityTotal.amount_minor), 0)).where(
                ActivityTotal.category_id == family.groceries.id,
                ActivityTotal.month == month_of(fuel.posted_on),
            )
        )
        assert spent == -4_510

    async def test_an_unedited_withdrawn_hold_is_simply_gone(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        session_factory: async_sessionmaker[AsyncSession],
        bank_settings: Settings,
    ) -> None:
        connection = await _linked_and_synced(
            client, family, demo_bank, bank_settings, session_factory
        )
        item_id = await item_id_of(session, connection["id"])
        sync_url = f"{family.base}/bank-connections/{connection['id']}/sync"
        [hold_id] = demo_bank.control.add_transactions(
            item_id, pending=True, amount="100.00", merchant="SHELL OIL 1111"
        )
        await client.post(sync_url, headers=family.headers())
        await run_jobs(bank_settings, session_factory)
        demo_bank.control.remove_transaction(item_id, hold_id)
        await client.post(sync_url, headers=family.headers())
        await run_jobs(bank_settings, session_factory)
        assert hold_id not in await _matches_the_bank(session, demo_bank, connection)
        assert await session.scalar(select(func.count()).select_from(BankPendingEdit)) == 0


class TestItemStates:
    async def test_login_required_then_update_mode_repairs_it(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        session_factory: async_sessionmaker[AsyncSession],
        bank_settings: Settings,
        webhook_receiver: WebhookReceiver,
    ) -> None:
        connection = await _linked_and_synced(
            client, family, demo_bank, bank_settings, session_factory
        )
        item_id = await item_id_of(session, connection["id"])
        url = f"{family.base}/bank-connections/{connection['id']}"
        demo_bank.control.inject_error("*", "ITEM_LOGIN_REQUIRED", item_id=item_id)

        assert (await _forward(client, webhook_receiver, "ERROR")).status_code == 200
        await run_jobs(bank_settings, session_factory)
        body = (await client.get(url, headers=family.headers())).json()
        assert body["status"] == "needs_reauth"
        assert body["last_error"]["code"] == "ITEM_LOGIN_REQUIRED"

        # A sync now fails the same way and is not retried.
        await client.post(f"{url}/sync", headers=family.headers())
        outcomes = await run_jobs(bank_settings, session_factory)
        assert (outcomes[Outcome.DONE], outcomes[Outcome.RETRY]) == (1, 0)
        assert (await _connection(session, connection["id"])).status.value == "needs_reauth"

        # "Fix connection": Link in update mode, the family signs in, the bank says so.
        token = await client.post(
            f"{family.base}/bank-connections/link-token",
            json={"connection_id": connection["id"]},
            headers=family.headers(),
        )
        demo_bank.control.complete_link(token.json()["link_token"], institution_id=None)
        demo_bank.control.add_transactions(item_id, count=2)
        assert (await _forward(client, webhook_receiver, "LOGIN_REPAIRED")).status_code == 200
        await run_jobs(bank_settings, session_factory)

        body = (await client.get(url, headers=family.headers())).json()
        assert (body["status"], body["last_error"]) == ("healthy", None)
        await _matches_the_bank(session, demo_bank, connection)

    async def test_a_rate_limit_is_retried_by_the_job_system(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        session_factory: async_sessionmaker[AsyncSession],
        bank_settings: Settings,
    ) -> None:
        connection = await _linked_and_synced(
            client, family, demo_bank, bank_settings, session_factory
        )
        item_id = await item_id_of(session, connection["id"])
        demo_bank.control.add_transactions(item_id, count=5)
        demo_bank.control.inject_error(
            "/transactions/sync", "TRANSACTIONS_SYNC_LIMIT", item_id=item_id
        )
        await client.post(
            f"{family.base}/bank-connections/{connection['id']}/sync", headers=family.headers()
        )

        outcomes = await run_jobs(bank_settings, session_factory)
        assert outcomes[Outcome.RETRY] == 1
        stored = await _connection(session, connection["id"])
        assert (stored.status.value, stored.last_error_code) == (
            "healthy",
            "TRANSACTIONS_SYNC_LIMIT",
        )
        job = await session.scalar(
            select(Job).where(Job.name == "bank_connections.sync", Job.done_at.is_(None))
        )
        assert job is not None
        assert job.run_after > datetime.now(UTC)  # backed off

        # Its time comes (travel there), and it succeeds.
        await session.execute(
            update(Job).where(Job.id == job.id).values(run_after=datetime.now(UTC))
        )
        await session.commit()
        await run_jobs(bank_settings, session_factory)
        await _matches_the_bank(session, demo_bank, connection)
        stored = await _connection(session, connection["id"])
        assert (stored.status.value, stored.last_error_code) == ("healthy", None)

    async def test_a_revoked_item_is_disconnected_and_keeps_its_transactions(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        session_factory: async_sessionmaker[AsyncSession],
        bank_settings: Settings,
    ) -> None:
        connection = await _linked_and_synced(
            client, family, demo_bank, bank_settings, session_factory
        )
        item_id = await item_id_of(session, connection["id"])
        kept = await _matches_the_bank(session, demo_bank, connection)
        revoked = _signed(
            demo_bank,
            {
                "webhook_type": "ITEM",
                "webhook_code": "USER_PERMISSION_REVOKED",
                "item_id": item_id,
                "error": {
                    "error_type": "ITEM_ERROR",
                    "error_code": "USER_PERMISSION_REVOKED",
                    "error_message": "the holder of this account has revoked their permission",
                    "display_message": None,
                    "status": 400,
                },
                "environment": "sandbox",
            },
        )
        assert (await _deliver(client, *revoked)).status_code == 200
        await run_jobs(bank_settings, session_factory)
        url = f"{family.base}/bank-connections/{connection['id']}"
        assert (await client.get(url, headers=family.headers())).json()["status"] == "disconnected"

        # New data at the bank is not fetched: no sync for a disconnected connection.
        demo_bank.control.add_transactions(item_id, count=2)
        refused = await client.post(f"{url}/sync", headers=family.headers())
        assert (refused.status_code, refused.json()["code"]) == (
            409,
            "bank_connection_disconnected",
        )
        replayed = _signed(
            demo_bank,
            {
                "webhook_type": "TRANSACTIONS",
                "webhook_code": "SYNC_UPDATES_AVAILABLE",
                "item_id": item_id,
            },
        )
        assert (await _deliver(client, *replayed)).status_code == 200
        await run_jobs(bank_settings, session_factory)
        assert set(await synced(session, _account_ids(connection))) == set(kept)
        # An out-of-order "repaired" does not bring it back.
        repaired = _signed(
            demo_bank,
            {"webhook_type": "ITEM", "webhook_code": "LOGIN_REPAIRED", "item_id": item_id},
        )
        assert (await _deliver(client, *repaired)).status_code == 200
        await run_jobs(bank_settings, session_factory)
        assert (await client.get(url, headers=family.headers())).json()["status"] == "disconnected"

    async def test_pending_expiration_asks_for_reauth_before_it_breaks(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        session_factory: async_sessionmaker[AsyncSession],
        bank_settings: Settings,
    ) -> None:
        connection = await _linked_and_synced(
            client, family, demo_bank, bank_settings, session_factory
        )
        item_id = await item_id_of(session, connection["id"])
        expiring = _signed(
            demo_bank,
            {
                "webhook_type": "ITEM",
                "webhook_code": "PENDING_EXPIRATION",
                "item_id": item_id,
                "consent_expiration_time": "2026-03-17T12:00:00Z",
            },
        )
        assert (await _deliver(client, *expiring)).status_code == 200
        await run_jobs(bank_settings, session_factory)
        body = (
            await client.get(
                f"{family.base}/bank-connections/{connection['id']}", headers=family.headers()
            )
        ).json()
        assert (body["status"], body["last_error"]["code"], body["consent_expires_at"]) == (
            "needs_reauth",
            "PENDING_EXPIRATION",
            "2026-03-17T12:00:00Z",
        )

    async def test_the_daily_sync_covers_healthy_connections_only(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        session_factory: async_sessionmaker[AsyncSession],
        bank_settings: Settings,
    ) -> None:
        healthy = await _linked_and_synced(
            client, family, demo_bank, bank_settings, session_factory
        )
        broken = await _linked_and_synced(
            client, family, demo_bank, bank_settings, session_factory, institution_id=TARTAN
        )
        await session.execute(
            update(BankConnection)
            .where(BankConnection.id == uuid.UUID(broken["id"]))
            .values(status="needs_reauth")
        )
        await session.commit()

        scheduled = await schedule_due(session_factory, datetime(2026, 3, 11, 6, 0, tzinfo=UTC))
        assert "bank_connections.daily_sync@2026-03-11" in scheduled
        await run_jobs(bank_settings, session_factory)

        syncs = await session.scalars(
            select(Job.payload).where(Job.name == "bank_connections.sync")
        )
        counted: dict[str, int] = defaultdict(int)
        for payload in syncs:
            counted[payload["connection_id"]] += 1
        # Each had its first sync; only the healthy one had the daily one.
        assert dict(counted) == {healthy["id"]: 2, broken["id"]: 1}


def _signed(demo_bank: DemoBankUnderTest, body: dict[str, Any]) -> tuple[bytes, str]:
    """A webhook signed with the demo bank's key, as it would send it."""
    import json

    raw = json.dumps({"environment": "sandbox", **body}, indent=2).encode()
    return raw, demo_bank.bank.signer.sign(raw)


async def test_an_account_the_family_deleted_leaves_the_sync_running(
    client: httpx.AsyncClient,
    family: Family,
    demo_bank: DemoBankUnderTest,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    bank_settings: Settings,
) -> None:
    """An account removed with its link (ON DELETE CASCADE) just stops receiving."""
    response = await link_bank(client, family, demo_bank)
    savings = next(a for a in response.json()["accounts"] if a["kind"] == "savings")
    account = await session.get(Account, uuid.UUID(savings["account_id"]))
    assert account is not None
    await session.delete(account)
    await session.commit()
    outcomes = await run_jobs(bank_settings, session_factory)
    assert outcomes[Outcome.DONE] == 1
