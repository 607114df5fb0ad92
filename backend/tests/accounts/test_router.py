from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.models import Account, AccountShare
from tests.arrange import Family
from tests.factories import create_transaction, share_account


async def _count(session: AsyncSession, model: Any) -> int:
    return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def _account_row(session: AsyncSession, account_id: uuid.UUID) -> Account:
    return (
        await session.execute(
            select(Account)
            .where(Account.id == account_id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()


class TestListAccounts:
    async def test_lists_with_balances_and_shares(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        family.private.opening_balance_minor = 100_000
        await create_transaction(session, family.private, amount_minor=-2_550)
        await create_transaction(session, family.private, amount_minor=12_000)
        await create_transaction(session, family.shared, amount_minor=-300)
        await create_transaction(session, family.other.checking, amount_minor=-999_999)
        await session.commit()

        response = await client.get(f"{family.base}/accounts", headers=family.headers())

        assert response.status_code == 200
        by_name = {a["name"]: a for a in response.json()}
        assert set(by_name) == {"Joint checking", "Pocket money"}
        assert by_name["Joint checking"]["balance_minor"] == 100_000 - 2_550 + 12_000
        assert by_name["Joint checking"]["shared_with_user_ids"] == []
        assert by_name["Pocket money"]["balance_minor"] == -300
        assert by_name["Pocket money"]["shared_with_user_ids"] == [str(family.teen.id)]
        assert by_name["Pocket money"]["source"] == "manual"

    async def test_archived_hidden_unless_asked(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        family.private.archived_at = datetime.now(UTC)
        await session.commit()

        default = await client.get(f"{family.base}/accounts", headers=family.headers())
        everything = await client.get(
            f"{family.base}/accounts", params={"include_archived": "true"}, headers=family.headers()
        )

        assert [a["name"] for a in default.json()] == ["Pocket money"]
        assert {a["name"] for a in everything.json()} == {"Joint checking", "Pocket money"}

    async def test_teen_sees_only_shared_accounts(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        response = await client.get(f"{family.base}/accounts", headers=family.headers(family.teen))
        other = await client.get(
            f"{family.base}/accounts", headers=family.headers(family.other_teen)
        )

        assert [a["id"] for a in response.json()] == [str(family.shared.id)]
        assert other.json() == []

    async def test_shares_of_former_teens_are_not_listed(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        # A teen, but of the other household: not a member here.
        await share_account(session, family.private, family.other.teen)
        await session.commit()

        response = await client.get(
            f"{family.base}/accounts/{family.private.id}", headers=family.headers()
        )

        assert response.json()["shared_with_user_ids"] == []


class TestCreateAccount:
    async def test_valid_with_defaults(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        response = await client.post(
            f"{family.base}/accounts",
            json={"name": "Rainy day", "kind": "savings"},
            headers=family.headers(family.adult),
        )

        assert response.status_code == 201
        body = response.json()
        assert body["currency"] == "USD"
        assert body["opening_balance_minor"] == 0
        assert body["balance_minor"] == 0
        assert body["opened_on"] == datetime.now(UTC).date().isoformat()
        assert body["archived_at"] is None
        row = await _account_row(session, uuid.UUID(body["id"]))
        assert (row.household_id, row.name, row.kind) == (
            family.household.id,
            "Rainy day",
            "savings",
        )

    async def test_all_fields_and_sharing(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        response = await client.post(
            f"{family.base}/accounts",
            json={
                "name": "Yen wallet 💴",
                "kind": "cash",
                "currency": "JPY",
                "opening_balance_minor": 5000,
                "opened_on": "2023-12-31",
                "shared_with_user_ids": [str(family.teen.id), str(family.teen.id)],
            },
            headers=family.headers(),
        )

        assert response.status_code == 201
        body = response.json()
        assert (body["currency"], body["opening_balance_minor"], body["balance_minor"]) == (
            "JPY",
            5000,
            5000,
        )
        assert body["opened_on"] == "2023-12-31"
        assert body["shared_with_user_ids"] == [str(family.teen.id)]
        teen_view = await client.get(
            f"{family.base}/accounts/{body['id']}", headers=family.headers(family.teen)
        )
        assert teen_view.status_code == 200

    @pytest.mark.parametrize(
        "payload",
        [
            {"kind": "cash"},
            {"name": "", "kind": "cash"},
            {"name": "x" * 101, "kind": "cash"},
            {"name": "Bad\u0000name", "kind": "cash"},
            {"name": "Evil \u202etxt", "kind": "cash"},
            {"name": "Ok", "kind": "piggy_bank"},
            {"name": "Ok", "kind": "cash", "currency": "usd"},
            {"name": "Ok", "kind": "cash", "currency": "XXX"},
            {"name": "Ok", "kind": "cash", "opening_balance_minor": "100"},
            {"name": "Ok", "kind": "cash", "opening_balance_minor": 100.0},
            {"name": "Ok", "kind": "cash", "opening_balance_minor": True},
            {"name": "Ok", "kind": "cash", "opening_balance_minor": 10**13 + 1},
            {"name": "Ok", "kind": "cash", "opened_on": "2024-02-30"},
            {"name": "Ok", "kind": "cash", "opened_on": "20240-01-01"},
            {"name": "Ok", "kind": "cash", "source": "plaid"},
            {"name": "Ok", "kind": "cash", "balance_minor": 5},
            {"name": "Ok", "kind": "cash", "shared_with_user_ids": ["not-a-uuid"]},
        ],
    )
    async def test_invalid_is_422_and_changes_nothing(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        payload: dict[str, Any],
    ) -> None:
        before = await _count(session, Account)

        response = await client.post(
            f"{family.base}/accounts", json=payload, headers=family.headers()
        )

        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"
        assert await _count(session, Account) == before

    @pytest.mark.parametrize("who", ["adult", "outsider_id"])
    async def test_sharing_with_a_non_teen_is_422(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family, who: str
    ) -> None:
        user_id = {
            "adult": family.adult.id,
            "outsider_id": uuid.uuid4(),
        }[who]
        before = (await _count(session, Account), await _count(session, AccountShare))

        response = await client.post(
            f"{family.base}/accounts",
            json={"name": "Ok", "kind": "cash", "shared_with_user_ids": [str(user_id)]},
            headers=family.headers(),
        )

        assert response.status_code == 422
        assert response.json()["code"] == "unknown_member"
        assert response.json()["user_ids"] == [str(user_id)]
        assert (await _count(session, Account), await _count(session, AccountShare)) == before

    async def test_teen_is_403(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        before = await _count(session, Account)
        response = await client.post(
            f"{family.base}/accounts",
            json={"name": "Mine", "kind": "cash"},
            headers=family.headers(family.teen),
        )
        assert response.status_code == 403
        assert response.json()["code"] == "insufficient_role"
        assert await _count(session, Account) == before


class TestGetAccount:
    async def test_valid(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        await create_transaction(session, family.shared, amount_minor=-125)
        await session.commit()

        response = await client.get(
            f"{family.base}/accounts/{family.shared.id}", headers=family.headers(family.teen)
        )

        assert response.status_code == 200
        assert response.json()["balance_minor"] == -125
        assert response.json()["kind"] == "cash"

    async def test_teen_unshared_is_404(self, client: httpx.AsyncClient, family: Family) -> None:
        response = await client.get(
            f"{family.base}/accounts/{family.private.id}", headers=family.headers(family.teen)
        )
        assert response.status_code == 404
        assert response.json()["code"] == "account_not_found"

    async def test_malformed_id_is_422(self, client: httpx.AsyncClient, family: Family) -> None:
        response = await client.get(f"{family.base}/accounts/nope", headers=family.headers())
        assert response.status_code == 422


class TestUpdateAccount:
    async def test_valid(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        response = await client.patch(
            f"{family.base}/accounts/{family.private.id}",
            json={
                "name": "حساب مشترك",
                "opening_balance_minor": -4200,
                "opened_on": "2020-05-01",
                "currency": "EUR",
                "shared_with_user_ids": [str(family.other_teen.id)],
            },
            headers=family.headers(family.adult),
        )

        assert response.status_code == 200
        body = response.json()
        assert body["name"] == "حساب مشترك"
        assert (body["opening_balance_minor"], body["balance_minor"]) == (-4200, -4200)
        assert (body["opened_on"], body["currency"]) == ("2020-05-01", "EUR")
        assert body["shared_with_user_ids"] == [str(family.other_teen.id)]
        row = await _account_row(session, family.private.id)
        assert (row.name, row.currency, row.kind) == ("حساب مشترك", "EUR", "checking")

    async def test_unsharing_hides_it_from_the_teen(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        response = await client.patch(
            f"{family.base}/accounts/{family.shared.id}",
            json={"shared_with_user_ids": []},
            headers=family.headers(),
        )
        teen_view = await client.get(
            f"{family.base}/accounts/{family.shared.id}", headers=family.headers(family.teen)
        )

        assert response.json()["shared_with_user_ids"] == []
        assert teen_view.status_code == 404

    async def test_partial_keeps_other_fields(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        response = await client.patch(
            f"{family.base}/accounts/{family.shared.id}",
            json={"name": "Allowance"},
            headers=family.headers(),
        )
        body = response.json()
        assert (body["name"], body["currency"], body["opened_on"]) == (
            "Allowance",
            "USD",
            "2024-01-01",
        )
        assert body["shared_with_user_ids"] == [str(family.teen.id)]

    async def test_currency_change_with_transactions_is_409(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        await create_transaction(session, family.private)
        await session.commit()

        response = await client.patch(
            f"{family.base}/accounts/{family.private.id}",
            json={"currency": "EUR", "name": "Renamed"},
            headers=family.headers(),
        )

        assert response.status_code == 409
        assert response.json()["code"] == "account_has_transactions"
        row = await _account_row(session, family.private.id)
        assert (row.currency, row.name) == ("USD", "Joint checking")

    @pytest.mark.parametrize(
        "payload",
        [
            {"name": None},
            {"currency": None},
            {"opening_balance_minor": None},
            {"opening_balance_minor": 1.5},
            {"opening_balance_minor": -(10**13) - 1},
            {"opened_on": "2023-13-01"},
            {"kind": "savings"},
            {"source": "manual"},
            {"shared_with_user_ids": None},
        ],
    )
    async def test_invalid_is_422_and_changes_nothing(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        payload: dict[str, Any],
    ) -> None:
        response = await client.patch(
            f"{family.base}/accounts/{family.private.id}", json=payload, headers=family.headers()
        )

        assert response.status_code == 422
        row = await _account_row(session, family.private.id)
        assert (row.name, row.currency, row.opening_balance_minor) == ("Joint checking", "USD", 0)

    async def test_sharing_with_an_adult_is_422(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        response = await client.patch(
            f"{family.base}/accounts/{family.shared.id}",
            json={"shared_with_user_ids": [str(family.adult.id)], "name": "Changed"},
            headers=family.headers(),
        )

        assert response.status_code == 422
        assert response.json()["code"] == "unknown_member"
        shares = (
            (
                await session.execute(
                    select(AccountShare.user_id).where(AccountShare.account_id == family.shared.id)
                )
            )
            .scalars()
            .all()
        )
        assert list(shares) == [family.teen.id]
        assert (await _account_row(session, family.shared.id)).name == "Pocket money"

    async def test_teen_is_403(self, client: httpx.AsyncClient, family: Family) -> None:
        response = await client.patch(
            f"{family.base}/accounts/{family.shared.id}",
            json={"name": "Mine now"},
            headers=family.headers(family.teen),
        )
        assert response.status_code == 403
        assert response.json()["code"] == "insufficient_role"


class TestArchiveAccount:
    async def test_archive_then_unarchive(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        url = f"{family.base}/accounts/{family.private.id}"
        archived = await client.post(f"{url}/archive", headers=family.headers())
        again = await client.post(f"{url}/archive", headers=family.headers())
        listed = await client.get(f"{family.base}/accounts", headers=family.headers())

        assert archived.status_code == 200
        assert archived.json()["archived_at"] is not None
        assert again.json()["archived_at"] == archived.json()["archived_at"]
        assert str(family.private.id) not in [a["id"] for a in listed.json()]

        restored = await client.post(f"{url}/unarchive", headers=family.headers())
        assert restored.status_code == 200
        assert restored.json()["archived_at"] is None
        assert (await _account_row(session, family.private.id)).archived_at is None

    async def test_teen_is_403(self, client: httpx.AsyncClient, family: Family) -> None:
        for action in ("archive", "unarchive"):
            response = await client.post(
                f"{family.base}/accounts/{family.shared.id}/{action}",
                headers=family.headers(family.teen),
            )
            assert response.status_code == 403
            assert response.json()["code"] == "insufficient_role"


class TestDeleteAccount:
    async def test_valid(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        response = await client.delete(
            f"{family.base}/accounts/{family.shared.id}", headers=family.headers(family.adult)
        )

        assert response.status_code == 204
        assert (
            await session.execute(select(Account).where(Account.id == family.shared.id))
        ).first() is None
        shares = (await session.execute(select(AccountShare.account_id))).scalars().all()
        assert list(shares) == [family.other.savings.id]  # only the other household's

    async def test_with_transactions_is_409(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        await create_transaction(session, family.private)
        await session.commit()

        response = await client.delete(
            f"{family.base}/accounts/{family.private.id}", headers=family.headers()
        )

        assert response.status_code == 409
        assert response.json()["code"] == "account_has_transactions"
        assert await _account_row(session, family.private.id)

    async def test_teen_is_403(self, client: httpx.AsyncClient, family: Family) -> None:
        response = await client.delete(
            f"{family.base}/accounts/{family.shared.id}", headers=family.headers(family.teen)
        )
        assert response.status_code == 403
        assert response.json()["code"] == "insufficient_role"


class TestBalance:
    """balance_minor = opening balance + every transaction, computed by SQL, checked against the
    plain rule on a handful of generated lists (hypothesis covers the rule itself)."""

    @pytest.mark.parametrize(
        ("opening", "amounts"),
        [
            (0, []),
            (1_000, [0]),
            (-50_000, [-1, 1, -1, 1]),
            (123_456, [-(10**13), 10**13, -99_999, 250_000, -7]),
            (10**13, [10**13] * 7),
            (-(10**13), [-(10**13)] * 5 + [3]),
        ],
    )
    async def test_balance_is_opening_plus_amounts(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        opening: int,
        amounts: list[int],
    ) -> None:
        family.private.opening_balance_minor = opening
        for day, amount in enumerate(amounts, start=1):
            await create_transaction(
                session, family.private, amount_minor=amount, posted_on=date(2024, 1, day)
            )
        # Another account's and another household's money never leaks in.
        await create_transaction(session, family.shared, amount_minor=777)
        await create_transaction(session, family.other.checking, amount_minor=888)
        await session.commit()

        one = await client.get(
            f"{family.base}/accounts/{family.private.id}", headers=family.headers()
        )
        listed = await client.get(f"{family.base}/accounts", headers=family.headers())

        expected = opening + sum(amounts)
        assert one.json()["balance_minor"] == expected
        assert isinstance(one.json()["balance_minor"], int)
        by_id = {a["id"]: a["balance_minor"] for a in listed.json()}
        assert by_id == {str(family.private.id): expected, str(family.shared.id): 777}
