"""The bank connection routes, with the real plaid-python client against the demo bank."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.bank_connections.token_crypto import TokenCipher
from family_budget.config import Settings
from family_budget.models import (
    Account,
    AccountKind,
    BankConnection,
    BankConnectionAccount,
    Job,
    Transaction,
)
from tests.arrange import Family
from tests.bank_connections.bank import (
    TARTAN,
    bank_rows,
    item_id_of,
    link_bank,
    run_jobs,
    synced,
)
from tests.factories import create_transaction, share_account
from tests.plaid_support import DemoBankUnderTest

pytestmark = pytest.mark.usefixtures("bank_app")


class TestLinkToken:
    async def test_new_link_with_the_demo_banks_page(
        self, client: httpx.AsyncClient, family: Family, demo_bank: DemoBankUnderTest
    ) -> None:
        response = await client.post(
            f"{family.base}/bank-connections/link-token", json={}, headers=family.headers()
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["link_token"].startswith("link-sandbox-")
        assert body["demo_link_url"] == f"{demo_bank.url}/link?token={body['link_token']}"
        record = demo_bank.bank.link_tokens[body["link_token"]]
        # Plaid's user id is the user's id, never personal data; a new link names no item.
        assert (record.client_user_id, record.item_id) == (str(family.owner.id), None)

    async def test_update_mode_for_a_connection(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
    ) -> None:
        connection = (await link_bank(client, family, demo_bank)).json()
        response = await client.post(
            f"{family.base}/bank-connections/link-token",
            json={"connection_id": connection["id"]},
            headers=family.headers(family.adult),
        )
        assert response.status_code == 200, response.text
        record = demo_bank.bank.link_tokens[response.json()["link_token"]]
        assert record.item_id == await item_id_of(session, connection["id"])

    async def test_another_households_connection_is_unknown(
        self, client: httpx.AsyncClient, family: Family, demo_bank: DemoBankUnderTest
    ) -> None:
        response = await client.post(
            f"{family.base}/bank-connections/link-token",
            json={"connection_id": str(uuid.uuid4())},
            headers=family.headers(),
        )
        assert response.status_code == 422
        assert response.json()["code"] == "unknown_bank_connection"


class TestCreateConnection:
    async def test_each_bank_account_becomes_an_account(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        settings: Settings,
    ) -> None:
        response = await link_bank(client, family, demo_bank)

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["institution_name"] == "First Platypus Bank"
        assert (body["status"], body["last_synced_at"], body["last_error"]) == (
            "syncing",
            None,
            None,
        )
        assert "access_token" not in response.text
        assert sorted((a["name"], a["kind"], len(a["mask"])) for a in body["accounts"]) == [
            ("Everyday Checking", "checking", 4),
            ("Platypus Rewards Visa", "credit_card", 4),
            ("Platypus Savings", "savings", 4),
        ]
        accounts = {
            account.name: account
            for account in await session.scalars(
                select(Account).where(
                    Account.id.in_([uuid.UUID(a["account_id"]) for a in body["accounts"]])
                )
            )
        }
        assert {name: (a.kind, a.currency) for name, a in accounts.items()} == {
            "Everyday Checking": (AccountKind.CHECKING, "USD"),
            "Platypus Savings": (AccountKind.SAVINGS, "USD"),
            "Platypus Rewards Visa": (AccountKind.CREDIT_CARD, "USD"),
        }
        # The access token is stored encrypted, bound to the connection's id.
        connection = await session.get(BankConnection, uuid.UUID(body["id"]))
        assert connection is not None
        assert connection.access_token_encrypted is not None
        item = demo_bank.bank.items[connection.plaid_item_id]
        assert item.access_token not in connection.access_token_encrypted
        cipher = TokenCipher.from_settings(settings)
        assert (
            cipher.decrypt(connection.access_token_encrypted, context=str(connection.id))
            == item.access_token
        )
        # The first sync is queued, with the connection's id and nothing secret.
        jobs = (await session.scalars(select(Job).where(Job.name == "bank_connections.sync"))).all()
        assert [job.payload for job in jobs] == [{"connection_id": body["id"]}]

    async def test_a_bank_account_can_feed_an_existing_account(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        session_factory: async_sessionmaker[AsyncSession],
        bank_settings: Settings,
    ) -> None:
        # The family typed its checking account's history up to 2026-01-15 by hand.
        await create_transaction(session, family.private, posted_on=date(2026, 1, 15))
        await session.commit()
        token = await client.post(
            f"{family.base}/bank-connections/link-token", json={}, headers=family.headers()
        )
        done = demo_bank.control.complete_link(token.json()["link_token"])
        checking = next(a for a in done["metadata"]["accounts"] if a["subtype"] == "checking")

        response = await client.post(
            f"{family.base}/bank-connections",
            json={
                "public_token": done["public_token"],
                "account_links": [
                    {"plaid_account_id": checking["id"], "account_id": str(family.private.id)}
                ],
            },
            headers=family.headers(),
        )

        assert response.status_code == 201, response.text
        linked = {a["name"]: a["account_id"] for a in response.json()["accounts"]}
        assert linked["Everyday Checking"] == str(family.private.id)
        await run_jobs(bank_settings, session_factory)
        imported = await synced(session, [family.private.id])
        expected = {
            row.transaction_id
            for row in bank_rows(
                demo_bank, await item_id_of(session, response.json()["id"])
            ).values()
            if row.plaid_account_id == checking["id"] and row.day >= date(2026, 1, 16)
        }
        assert expected
        assert set(imported) == expected
        # The opening balance of an account the family keeps is theirs, not the bank's.
        account = await session.get(Account, family.private.id, populate_existing=True)
        assert account is not None
        assert account.opening_balance_minor == 0

    async def test_linking_the_same_bank_twice_is_steered_to_update_mode(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
    ) -> None:
        first = (await link_bank(client, family, demo_bank)).json()

        second = await link_bank(client, family, demo_bank)

        assert second.status_code == 409
        assert second.json()["code"] == "institution_already_linked"
        assert second.json()["connection_id"] == first["id"]
        # The second item was removed at the bank (it would be billed), nothing was stored.
        assert list(demo_bank.bank.items) == [await item_id_of(session, first["id"])]
        count = await session.scalar(
            select(func.count()).where(BankConnection.household_id == family.household.id)
        )
        assert count == 1
        # Another bank is fine.
        other = await link_bank(client, family, demo_bank, institution_id=TARTAN)
        assert other.status_code == 201, other.text

    async def test_a_spent_public_token_is_refused_and_nothing_is_stored(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
    ) -> None:
        response = await client.post(
            f"{family.base}/bank-connections",
            json={"public_token": "public-sandbox-not-issued"},
            headers=family.headers(),
        )
        assert response.status_code == 422
        assert response.json()["code"] == "bank_link_failed"
        assert response.json()["plaid_error_code"] == "INVALID_PUBLIC_TOKEN"
        assert (
            await session.scalar(
                select(func.count()).where(BankConnection.household_id == family.household.id)
            )
            == 0
        )

    async def test_linking_to_another_households_account_is_refused_before_the_exchange(
        self, client: httpx.AsyncClient, family: Family, demo_bank: DemoBankUnderTest
    ) -> None:
        token = await client.post(
            f"{family.base}/bank-connections/link-token", json={}, headers=family.headers()
        )
        done = demo_bank.control.complete_link(token.json()["link_token"])
        response = await client.post(
            f"{family.base}/bank-connections",
            json={
                "public_token": done["public_token"],
                "account_links": [
                    {
                        "plaid_account_id": done["metadata"]["accounts"][0]["id"],
                        "account_id": str(family.other.checking.id),
                    }
                ],
            },
            headers=family.headers(),
        )
        assert response.status_code == 422
        assert response.json()["code"] == "unknown_account"
        # The public token was not spent: the family can try again with it.
        assert done["public_token"] in demo_bank.bank.public_tokens

    async def test_unknown_bank_account_removes_the_new_item(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
    ) -> None:
        response = await link_bank(
            client,
            family,
            demo_bank,
            account_links=[{"plaid_account_id": "nope", "account_id": str(family.private.id)}],
        )
        assert response.status_code == 422
        assert response.json()["code"] == "unknown_bank_account"
        assert demo_bank.bank.items == {}
        assert (
            await session.scalar(
                select(func.count()).where(BankConnection.household_id == family.household.id)
            )
            == 0
        )

    async def test_a_teen_cannot_link(
        self, client: httpx.AsyncClient, family: Family, demo_bank: DemoBankUnderTest
    ) -> None:
        response = await client.post(
            f"{family.base}/bank-connections",
            json={"public_token": "public-sandbox-x"},
            headers=family.headers(family.teen),
        )
        assert response.status_code == 403


class TestReadConnections:
    async def test_a_teen_sees_only_connections_of_shared_accounts(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
    ) -> None:
        first = (await link_bank(client, family, demo_bank)).json()
        second = (await link_bank(client, family, demo_bank, institution_id=TARTAN)).json()
        checking = next(a for a in second["accounts"] if a["kind"] == "checking")
        account = await session.get(Account, uuid.UUID(checking["account_id"]))
        assert account is not None
        await share_account(session, account, family.teen)
        await session.commit()

        adults = await client.get(f"{family.base}/bank-connections", headers=family.headers())
        teens = await client.get(
            f"{family.base}/bank-connections", headers=family.headers(family.teen)
        )

        assert [c["id"] for c in adults.json()] == [first["id"], second["id"]]
        assert [(c["id"], [a["id"] for a in c["accounts"]]) for c in teens.json()] == [
            (second["id"], [checking["id"]])
        ]
        hidden = await client.get(
            f"{family.base}/bank-connections/{first['id']}", headers=family.headers(family.teen)
        )
        assert hidden.status_code == 404
        assert hidden.json()["code"] == "bank_connection_not_found"


class TestSyncAndDelete:
    async def test_sync_now_is_queued_once_until_it_starts(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        session_factory: async_sessionmaker[AsyncSession],
        bank_settings: Settings,
    ) -> None:
        connection = (await link_bank(client, family, demo_bank)).json()
        url = f"{family.base}/bank-connections/{connection['id']}/sync"

        again = await client.post(url, headers=family.headers())
        assert (again.status_code, again.json()) == (202, {"queued": False})

        await run_jobs(bank_settings, session_factory)
        after = await client.post(url, headers=family.headers())
        assert (after.status_code, after.json()) == (202, {"queued": True})

    async def test_delete_removes_the_item_and_keeps_the_transactions(
        self,
        client: httpx.AsyncClient,
        family: Family,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        session_factory: async_sessionmaker[AsyncSession],
        bank_settings: Settings,
    ) -> None:
        connection = (await link_bank(client, family, demo_bank)).json()
        await run_jobs(bank_settings, session_factory)
        account_ids = [uuid.UUID(a["account_id"]) for a in connection["accounts"]]
        kept = await synced(session, account_ids)
        assert len(kept) == len(bank_rows(demo_bank, await item_id_of(session, connection["id"])))

        response = await client.delete(
            f"{family.base}/bank-connections/{connection['id']}", headers=family.headers()
        )
        assert response.status_code == 204
        gone = await client.get(
            f"{family.base}/bank-connections/{connection['id']}", headers=family.headers()
        )
        assert gone.status_code == 404
        await run_jobs(bank_settings, session_factory)

        assert demo_bank.bank.items == {}
        assert (
            await session.scalar(
                select(func.count()).where(BankConnection.household_id == family.household.id)
            )
            == 0
        )
        assert (
            await session.scalar(
                select(func.count()).where(
                    BankConnectionAccount.household_id == family.household.id
                )
            )
            == 0
        )
        assert set(await synced(session, account_ids)) == set(kept)
        count = await session.scalar(
            select(func.count()).select_from(Account).where(Account.id.in_(account_ids))
        )
        assert count == 3
        # The same bank can be connected again.
        again = await link_bank(client, family, demo_bank)
        assert again.status_code == 201, again.text
        assert await session.scalar(select(func.count()).select_from(Transaction)) >= len(kept)


async def test_not_configured_is_503(
    client: httpx.AsyncClient, family: Family, bank_app: FastAPI
) -> None:
    bank_app.state.plaid = None
    response = await client.post(
        f"{family.base}/bank-connections/link-token", json={}, headers=family.headers()
    )
    assert response.status_code == 503
    assert response.json()["code"] == "bank_sync_not_configured"
