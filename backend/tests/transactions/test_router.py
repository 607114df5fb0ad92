from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from family_budget.models import Transaction, TransactionSplit, TransactionTag, User
from tests.arrange import Family
from tests.factories import create_account, create_split, create_transaction


async def _snapshot(
    session: AsyncSession, household_id: uuid.UUID | None = None
) -> tuple[Any, ...]:
    """Everything a failed request must leave as it was: of every household, or of one."""
    transactions = select(
        func.count(),
        func.coalesce(func.sum(Transaction.amount_minor), 0),
        func.coalesce(func.sum(Transaction.version), 0),
    ).select_from(Transaction)
    splits = select(func.count()).select_from(TransactionSplit)
    tags = select(func.count()).select_from(TransactionTag)
    if household_id is not None:
        transactions = transactions.where(Transaction.household_id == household_id)
        splits = splits.where(TransactionSplit.household_id == household_id)
        tags = tags.where(TransactionTag.household_id == household_id)
    totals = (await session.execute(transactions)).one()
    return (
        *map(int, totals),
        (await session.execute(splits)).scalar(),
        (await session.execute(tags)).scalar(),
    )


async def _row(session: AsyncSession, transaction_id: uuid.UUID | str) -> Transaction | None:
    return (
        await session.execute(
            select(Transaction)
            .where(Transaction.id == uuid.UUID(str(transaction_id)))
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


def _new(family: Family, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "account_id": str(family.private.id),
        "posted_on": "2024-03-10",
        "amount_minor": -4599,
        "payee": "Grocer",
    }
    body.update(overrides)
    return body


async def _post(
    client: httpx.AsyncClient, family: Family, body: dict[str, Any], user: User | None = None
) -> httpx.Response:
    return await client.post(
        f"{family.base}/transactions",
        content=_ascii_json(body),
        headers=_json_headers(family, user),
    )


def _ascii_json(body: Any) -> bytes:
    # httpx writes UTF-8 and cannot encode a lone surrogate; clients send it as a \ud800 escape.
    return json.dumps(body).encode("ascii")


def _json_headers(family: Family, user: User | None = None) -> dict[str, str]:
    return {**family.headers(user), "Content-Type": "application/json"}


async def _transfer(
    client: httpx.AsyncClient, family: Family, amount_minor: int = 10_000, **overrides: Any
) -> dict[str, Any]:
    body = {
        "from_account_id": str(family.private.id),
        "to_account_id": str(family.shared.id),
        "amount_minor": amount_minor,
        "posted_on": "2024-04-01",
        "memo": "Allowance",
    }
    body.update(overrides)
    response = await client.post(
        f"{family.base}/transactions/transfers", json=body, headers=family.headers()
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def _bump_version(session: AsyncSession, transaction: Transaction, version: int) -> None:
    """As if other writers had changed it (the mapper's version counter ignores inserted values)."""
    await session.execute(
        update(Transaction)
        .where(Transaction.id == transaction.id)
        .values(version=version)
        .execution_options(synchronize_session=False)
    )
    await session.commit()


def _if_match(version: int) -> dict[str, str]:
    return {"If-Match": f'W/"{version}"'}


@pytest.fixture
def queries(connection: AsyncConnection) -> Iterator[list[str]]:
    """Every SQL statement sent while the fixture is active."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(connection.sync_connection, "before_cursor_execute", record)
    yield statements
    event.remove(connection.sync_connection, "before_cursor_execute", record)


class TestCreateTransaction:
    async def test_valid_minimal(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        response = await _post(client, family, _new(family))

        assert response.status_code == 201
        body = response.json()
        assert response.headers["ETag"] == 'W/"1"'
        assert body["version"] == 1
        assert (body["amount_minor"], body["payee"], body["memo"]) == (-4599, "Grocer", "")
        assert (body["status"], body["category_id"], body["transfer"]) == ("posted", None, None)
        assert (body["tags"], body["splits"]) == ([], [])
        row = await _row(session, body["id"])
        assert row is not None
        assert (row.household_id, row.account_id, row.posted_on, row.created_by_id) == (
            family.household.id,
            family.private.id,
            date(2024, 3, 10),
            family.owner.id,
        )

    async def test_valid_with_category_tags_and_status(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        response = await _post(
            client,
            family,
            _new(
                family,
                amount_minor=0,
                category_id=str(family.groceries.id),
                status="pending",
                memo="line one\nline two",
                tags=["weekly", "family trip"],
            ),
        )

        assert response.status_code == 201
        body = response.json()
        assert (body["amount_minor"], body["category_id"], body["status"]) == (
            0,
            str(family.groceries.id),
            "pending",
        )
        assert body["memo"] == "line one\nline two"
        assert body["tags"] == ["family trip", "weekly"]
        tags = await session.execute(
            select(TransactionTag.tag, TransactionTag.household_id)
            .where(TransactionTag.transaction_id == uuid.UUID(body["id"]))
            .order_by(TransactionTag.tag)
        )
        assert [tuple(t) for t in tags] == [
            ("family trip", family.household.id),
            ("weekly", family.household.id),
        ]

    async def test_split(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        response = await _post(
            client,
            family,
            _new(
                family,
                amount_minor=-10_000,
                splits=[
                    {"category_id": str(family.groceries.id), "amount_minor": -7_000},
                    {"category_id": str(family.dining.id), "amount_minor": -3_500, "memo": "Café"},
                    {"amount_minor": 500, "memo": "refund"},
                ],
            ),
        )

        assert response.status_code == 201
        body = response.json()
        assert body["category_id"] is None
        assert sorted(line["amount_minor"] for line in body["splits"]) == [-7_000, -3_500, 500]
        lines = (
            await session.execute(
                select(TransactionSplit)
                .where(TransactionSplit.household_id == family.household.id)
                .order_by(TransactionSplit.amount_minor)
            )
        ).scalars()
        assert [
            (line.category_id, line.amount_minor, line.household_id, line.posted_on, line.memo)
            for line in lines
        ] == [
            (family.groceries.id, -7_000, family.household.id, date(2024, 3, 10), ""),
            (family.dining.id, -3_500, family.household.id, date(2024, 3, 10), "Café"),
            (None, 500, family.household.id, date(2024, 3, 10), "refund"),
        ]

    @pytest.mark.parametrize(
        "payee",
        ["☕ Café Zoë 👨‍👩‍👧", "مخبز الحي", "שוק הכרמל", "北京烤鸭", "", "Tab\there", "x" * 200],
    )
    async def test_any_language_and_emoji_payee_is_accepted(
        self, client: httpx.AsyncClient, family: Family, payee: str
    ) -> None:
        response = await _post(client, family, _new(family, payee=payee))
        assert response.status_code == 201
        assert response.json()["payee"] == payee

    @pytest.mark.parametrize(
        "overrides",
        [
            {"amount_minor": "100"},
            {"amount_minor": 12.0},
            {"amount_minor": 12.5},
            {"amount_minor": True},
            {"amount_minor": None},
            {"amount_minor": 10**13 + 1},
            {"amount_minor": -(10**13) - 1},
            {"amount_minor": 10**30},
            {"posted_on": "2024-02-30"},
            {"posted_on": "2023-02-29"},
            {"posted_on": "2024-3-1"},
            {"posted_on": "1899-12-31"},
            {"posted_on": "2200-01-01"},
            {"posted_on": 20240301},
            {"payee": "Null\u0000byte"},
            {"payee": "lone \ud800 surrogate"},
            {"payee": "evil\u202egnp.exe"},
            {"payee": "isolate\u2066x"},
            {"payee": "bell\u0007"},
            {"payee": "y" * 201},
            {"memo": "m" * 2001},
            {"status": "cleared"},
            {"tags": ["a", "a"]},
            {"tags": [f"t{i}" for i in range(21)]},
            {"tags": ["has,comma"]},
            {"tags": ["x" * 51]},
            {"tags": [""]},
            {"splits": [{"amount_minor": "1"}, {"amount_minor": -4600}]},
            {"splits": [{"amount_minor": -4599, "color": "red"}, {"amount_minor": 0}]},
            {"account_id": "not-a-uuid"},
            {"unknown_field": 1},
            {"version": 7},
            {"transfer_id": str(uuid.uuid4())},
        ],
    )
    async def test_invalid_is_422_and_changes_nothing(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        overrides: dict[str, Any],
    ) -> None:
        before = await _snapshot(session)

        response = await _post(client, family, _new(family, **overrides))

        assert response.status_code == 422, response.text
        assert response.json()["code"] == "validation_error"
        assert response.headers["content-type"] == "application/problem+json"
        assert await _snapshot(session) == before

    async def test_missing_fields_are_422(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        before = await _snapshot(session)
        response = await _post(client, family, {"payee": "Nothing else"})
        assert response.status_code == 422
        fields = {error["field"] for error in response.json()["errors"]}
        assert fields == {"account_id", "posted_on", "amount_minor"}
        assert await _snapshot(session) == before

    @pytest.mark.parametrize(
        ("splits", "parent_category", "code"),
        [
            ([-1000, -3500], None, "splits_do_not_sum"),
            ([-4599, -1], None, "splits_do_not_sum"),
            ([-4599], None, "split_needs_two_lines"),
            ([-4000, -599], "groceries", "split_parent_has_category"),
        ],
    )
    async def test_split_rules_are_422(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        splits: list[int],
        parent_category: str | None,
        code: str,
    ) -> None:
        before = await _snapshot(session)
        body = _new(family, splits=[{"amount_minor": amount} for amount in splits])
        if parent_category:
            body["category_id"] = str(family.groceries.id)

        response = await _post(client, family, body)

        assert response.status_code == 422
        assert response.json()["code"] == code
        assert await _snapshot(session) == before

    async def test_archived_account_is_409(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        family.private.archived_at = datetime.now(UTC)
        await session.commit()
        before = await _snapshot(session)

        response = await _post(client, family, _new(family))

        assert response.status_code == 409
        assert response.json()["code"] == "account_archived"
        assert await _snapshot(session) == before

    async def test_teen_on_shared_account(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        response = await _post(
            client,
            family,
            _new(family, account_id=str(family.shared.id), category_id=str(family.dining.id)),
            user=family.teen,
        )
        assert response.status_code == 201
        row = await _row(session, response.json()["id"])
        assert row is not None
        assert row.created_by_id == family.teen.id

    async def test_teen_on_unshared_account_is_422(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        before = await _snapshot(session)
        response = await _post(client, family, _new(family), user=family.teen)
        assert response.status_code == 422
        assert response.json()["code"] == "unknown_account"
        assert await _snapshot(session) == before

    async def test_malformed_json_is_400(self, client: httpx.AsyncClient, family: Family) -> None:
        response = await client.post(
            f"{family.base}/transactions",
            content=b'{"amount_minor": ',
            headers={**family.headers(), "Content-Type": "application/json"},
        )
        assert response.status_code == 400
        assert response.json()["code"] == "malformed_json"


class TestGetTransaction:
    async def test_valid_with_etag(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        transaction = await create_transaction(session, family.shared)
        await _bump_version(session, transaction, 4)

        response = await client.get(
            f"{family.base}/transactions/{transaction.id}", headers=family.headers(family.teen)
        )

        assert response.status_code == 200
        assert response.headers["ETag"] == 'W/"4"'
        assert response.json()["version"] == 4
        assert response.json()["amount_minor"] == -1250

    async def test_split_lines_and_tags_are_shown(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        transaction = await create_transaction(
            session, family.private, amount_minor=-300, is_split=True
        )
        await create_split(session, transaction, family.groceries, -100)
        await create_split(session, transaction, family.dining, -200)
        session.add(
            TransactionTag(transaction_id=transaction.id, tag="z", household_id=family.household.id)
        )
        await session.commit()

        body = (
            await client.get(
                f"{family.base}/transactions/{transaction.id}", headers=family.headers()
            )
        ).json()

        assert body["tags"] == ["z"]
        assert sorted((s["category_id"], s["amount_minor"]) for s in body["splits"]) == sorted(
            [(str(family.groceries.id), -100), (str(family.dining.id), -200)]
        )

    async def test_teen_unshared_is_404(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        transaction = await create_transaction(session, family.private)
        await session.commit()
        response = await client.get(
            f"{family.base}/transactions/{transaction.id}", headers=family.headers(family.teen)
        )
        assert response.status_code == 404
        assert response.json()["code"] == "transaction_not_found"


class TestUpdateTransaction:
    async def _create(
        self, client: httpx.AsyncClient, family: Family, **fields: Any
    ) -> dict[str, Any]:
        response = await _post(client, family, _new(family, **fields))
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def test_valid(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        created = await self._create(client, family, tags=["a", "b"])

        response = await client.patch(
            f"{family.base}/transactions/{created['id']}",
            json={
                "account_id": str(family.shared.id),
                "posted_on": "2024-03-11",
                "amount_minor": -5000,
                "payee": "Market 🍎",
                "memo": "fixed",
                "category_id": str(family.groceries.id),
                "status": "pending",
                "tags": ["b", "c"],
            },
            headers={**family.headers(family.adult), **_if_match(1)},
        )

        assert response.status_code == 200, response.text
        body = response.json()
        assert response.headers["ETag"] == 'W/"2"'
        assert body["version"] == 2
        assert (body["account_id"], body["posted_on"], body["amount_minor"]) == (
            str(family.shared.id),
            "2024-03-11",
            -5000,
        )
        assert (body["payee"], body["memo"], body["status"]) == ("Market 🍎", "fixed", "pending")
        assert body["tags"] == ["b", "c"]
        row = await _row(session, created["id"])
        assert row is not None
        assert (row.category_id, row.version, row.amount_minor) == (family.groceries.id, 2, -5000)
        stored_tags = (
            (
                await session.execute(
                    select(TransactionTag.tag).where(
                        TransactionTag.household_id == family.household.id
                    )
                )
            )
            .scalars()
            .all()
        )
        assert sorted(stored_tags) == ["b", "c"]

    @pytest.mark.parametrize("if_match", ['W/"1"', '"1"', "1", 'W/"9", W/"1"'])
    async def test_if_match_forms(
        self, client: httpx.AsyncClient, family: Family, if_match: str
    ) -> None:
        created = await self._create(client, family)
        response = await client.patch(
            f"{family.base}/transactions/{created['id']}",
            json={"memo": "ok"},
            headers={**family.headers(), "If-Match": if_match},
        )
        assert response.status_code == 200
        assert response.json()["version"] == 2

    @pytest.mark.parametrize("if_match", [None, "", "*"])
    async def test_missing_if_match_is_428(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        if_match: str | None,
    ) -> None:
        created = await self._create(client, family)
        before = await _snapshot(session)
        headers = family.headers()
        if if_match is not None:
            headers["If-Match"] = if_match

        response = await client.patch(
            f"{family.base}/transactions/{created['id']}", json={"memo": "x"}, headers=headers
        )

        assert response.status_code == 428
        assert response.json()["code"] == "precondition_required"
        assert await _snapshot(session) == before

    @pytest.mark.parametrize("if_match", ['W/"2"', "0", 'W/"abc"', "v1"])
    async def test_stale_if_match_is_412_and_changes_nothing(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family, if_match: str
    ) -> None:
        created = await self._create(client, family, tags=["keep"])
        before = await _snapshot(session)

        response = await client.patch(
            f"{family.base}/transactions/{created['id']}",
            json={"amount_minor": 1, "tags": []},
            headers={**family.headers(), "If-Match": if_match},
        )

        assert response.status_code == 412
        assert response.json()["code"] == "version_conflict"
        assert response.json()["current_version"] == 1
        assert await _snapshot(session) == before

    async def test_second_writer_with_old_etag_loses(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        created = await self._create(client, family)
        url = f"{family.base}/transactions/{created['id']}"
        first = await client.patch(
            url, json={"memo": "first"}, headers={**family.headers(), **_if_match(1)}
        )
        second = await client.patch(
            url, json={"memo": "second"}, headers={**family.headers(family.adult), **_if_match(1)}
        )
        final = await client.get(url, headers=family.headers())

        assert (first.status_code, second.status_code) == (200, 412)
        assert final.json()["memo"] == "first"
        assert final.headers["ETag"] == 'W/"2"'

    async def test_tags_only_change_bumps_version(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        created = await self._create(client, family)
        response = await client.patch(
            f"{family.base}/transactions/{created['id']}",
            json={"tags": ["new"]},
            headers={**family.headers(), **_if_match(1)},
        )
        assert response.json()["version"] == 2
        assert response.json()["tags"] == ["new"]

    async def test_split_then_resplit_then_unsplit(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        created = await self._create(
            client, family, amount_minor=-900, category_id=str(family.groceries.id)
        )
        url = f"{family.base}/transactions/{created['id']}"

        split = await client.patch(
            url,
            json={
                "splits": [
                    {"category_id": str(family.groceries.id), "amount_minor": -600},
                    {"category_id": str(family.dining.id), "amount_minor": -300},
                ]
            },
            headers={**family.headers(), **_if_match(1)},
        )
        assert split.status_code == 200, split.text
        assert split.json()["category_id"] is None  # the lines carry the categories now
        assert len(split.json()["splits"]) == 2

        moved = await client.patch(
            url,
            json={
                "amount_minor": -1000,
                "posted_on": "2024-05-02",
                "splits": [
                    {"category_id": str(family.dining.id), "amount_minor": -500},
                    {"category_id": str(family.dining.id), "amount_minor": -250},
                    {"category_id": str(family.groceries.id), "amount_minor": -250},
                ],
            },
            headers={**family.headers(), **_if_match(2)},
        )
        assert moved.status_code == 200, moved.text
        lines = (
            await session.execute(
                select(TransactionSplit.amount_minor, TransactionSplit.posted_on).where(
                    TransactionSplit.household_id == family.household.id
                )
            )
        ).all()
        assert sorted(lines) == [
            (-500, date(2024, 5, 2)),
            (-250, date(2024, 5, 2)),
            (-250, date(2024, 5, 2)),
        ]

        redated = await client.patch(
            url, json={"posted_on": "2024-06-30"}, headers={**family.headers(), **_if_match(3)}
        )
        assert redated.status_code == 200
        dates = (
            (
                await session.execute(
                    select(TransactionSplit.posted_on)
                    .where(TransactionSplit.household_id == family.household.id)
                    .distinct()
                )
            )
            .scalars()
            .all()
        )
        assert list(dates) == [date(2024, 6, 30)]

        unsplit = await client.patch(
            url,
            json={"splits": [], "category_id": str(family.dining.id)},
            headers={**family.headers(), **_if_match(4)},
        )
        assert unsplit.status_code == 200
        assert (unsplit.json()["splits"], unsplit.json()["category_id"]) == (
            [],
            str(family.dining.id),
        )
        assert (
            await session.execute(
                select(func.count())
                .select_from(TransactionSplit)
                .where(TransactionSplit.household_id == family.household.id)
            )
        ).scalar() == 0
        row = await _row(session, created["id"])
        assert row is not None
        assert row.is_split is False

    @pytest.mark.parametrize(
        ("payload", "code"),
        [
            ({"amount_minor": -901}, "splits_do_not_sum"),
            ({"category_id": "groceries"}, "split_parent_has_category"),
            (
                {"splits": [{"amount_minor": -900}, {"amount_minor": 1}]},
                "splits_do_not_sum",
            ),
            ({"splits": [{"amount_minor": -900}]}, "split_needs_two_lines"),
        ],
    )
    async def test_split_rules_on_update_are_422(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        payload: dict[str, Any],
        code: str,
    ) -> None:
        transaction = await create_transaction(
            session, family.private, amount_minor=-900, is_split=True
        )
        await create_split(session, transaction, family.groceries, -450)
        await create_split(session, transaction, family.dining, -450)
        await session.commit()
        ids = {"groceries": str(family.groceries.id)}
        if "category_id" in payload:
            payload = {"category_id": ids[payload["category_id"]]}
        for line in payload.get("splits", []):
            if "category_id" in line:
                line["category_id"] = ids[line["category_id"]]
        before = await _snapshot(session)

        response = await client.patch(
            f"{family.base}/transactions/{transaction.id}",
            json=payload,
            headers={**family.headers(), **_if_match(1)},
        )

        assert response.status_code == 422
        assert response.json()["code"] == code
        assert await _snapshot(session) == before

    @pytest.mark.parametrize(
        "payload",
        [
            {"amount_minor": None},
            {"posted_on": None},
            {"account_id": None},
            {"tags": None},
            {"payee": None},
            {"status": None},
            {"amount_minor": "5"},
            {"amount_minor": 5.0},
            {"amount_minor": False},
            {"amount_minor": 10**14},
            {"posted_on": "2024-04-31"},
            {"payee": "\udfff"},
            {"payee": "a\u202db"},
            {"memo": "ok\u0000"},
            {"household_id": str(uuid.uuid4())},
            {"version": 2},
        ],
    )
    async def test_invalid_is_422_and_changes_nothing(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        payload: dict[str, Any],
    ) -> None:
        created = await self._create(client, family)
        before = await _snapshot(session)

        response = await client.patch(
            f"{family.base}/transactions/{created['id']}",
            content=_ascii_json(payload),
            headers={**_json_headers(family), **_if_match(1)},
        )

        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"
        assert await _snapshot(session) == before

    async def test_moving_to_an_archived_account_is_409(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        created = await self._create(client, family)
        family.shared.archived_at = datetime.now(UTC)
        await session.commit()

        response = await client.patch(
            f"{family.base}/transactions/{created['id']}",
            json={"account_id": str(family.shared.id)},
            headers={**family.headers(), **_if_match(1)},
        )

        assert response.status_code == 409
        assert response.json()["code"] == "account_archived"

    async def test_teen_may_categorize_split_and_tag(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        transaction = await create_transaction(session, family.shared, amount_minor=-800)
        await session.commit()
        url = f"{family.base}/transactions/{transaction.id}"

        categorized = await client.patch(
            url,
            json={"category_id": str(family.dining.id), "tags": ["snacks"]},
            headers={**family.headers(family.teen), **_if_match(1)},
        )
        split = await client.patch(
            url,
            json={
                "category_id": None,
                "splits": [
                    {"category_id": str(family.dining.id), "amount_minor": -500},
                    {"category_id": str(family.groceries.id), "amount_minor": -300},
                ],
            },
            headers={**family.headers(family.teen), **_if_match(2)},
        )

        assert categorized.status_code == 200
        assert categorized.json()["category_id"] == str(family.dining.id)
        assert split.status_code == 200, split.text
        assert len(split.json()["splits"]) == 2

    @pytest.mark.parametrize(
        "payload",
        [
            {"amount_minor": -1},
            {"payee": "x"},
            {"memo": "x"},
            {"posted_on": "2024-01-01"},
            {"status": "pending"},
            {"account_id": "shared"},
            {"category_id": None, "amount_minor": -1250},
        ],
    )
    async def test_teen_other_fields_are_403(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        payload: dict[str, Any],
    ) -> None:
        transaction = await create_transaction(session, family.shared)
        await session.commit()
        if payload.get("account_id") == "shared":
            payload = {"account_id": str(family.shared.id)}
        before = await _snapshot(session)

        response = await client.patch(
            f"{family.base}/transactions/{transaction.id}",
            json=payload,
            headers={**family.headers(family.teen), **_if_match(1)},
        )

        assert response.status_code == 403
        assert response.json()["code"] == "insufficient_role"
        assert await _snapshot(session) == before

    async def test_teen_unshared_is_404(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        transaction = await create_transaction(session, family.private)
        await session.commit()
        response = await client.patch(
            f"{family.base}/transactions/{transaction.id}",
            json={"category_id": str(family.dining.id)},
            headers={**family.headers(family.teen), **_if_match(1)},
        )
        assert response.status_code == 404
        assert response.json()["code"] == "transaction_not_found"


class TestDeleteTransaction:
    async def test_valid_removes_lines_and_tags(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        transaction = await create_transaction(
            session, family.private, amount_minor=-300, is_split=True
        )
        await create_split(session, transaction, family.groceries, -100)
        await create_split(session, transaction, family.dining, -200)
        session.add(
            TransactionTag(transaction_id=transaction.id, tag="t", household_id=family.household.id)
        )
        await session.commit()

        response = await client.delete(
            f"{family.base}/transactions/{transaction.id}",
            headers={**family.headers(family.adult), **_if_match(1)},
        )

        assert response.status_code == 204
        assert await _row(session, transaction.id) is None
        assert await _snapshot(session, family.household.id) == (0, 0, 0, 0, 0)

    async def test_missing_if_match_is_428(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        transaction = await create_transaction(session, family.private)
        await session.commit()
        response = await client.delete(
            f"{family.base}/transactions/{transaction.id}", headers=family.headers()
        )
        assert response.status_code == 428
        assert response.json()["code"] == "precondition_required"
        assert await _row(session, transaction.id) is not None

    async def test_stale_if_match_is_412(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        transaction = await create_transaction(session, family.private)
        await _bump_version(session, transaction, 3)
        response = await client.delete(
            f"{family.base}/transactions/{transaction.id}",
            headers={**family.headers(), **_if_match(2)},
        )
        assert response.status_code == 412
        assert response.json()["code"] == "version_conflict"
        assert await _row(session, transaction.id) is not None

    async def test_teen_is_403(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        transaction = await create_transaction(session, family.shared)
        await session.commit()
        response = await client.delete(
            f"{family.base}/transactions/{transaction.id}",
            headers={**family.headers(family.teen), **_if_match(1)},
        )
        assert response.status_code == 403
        assert response.json()["code"] == "insufficient_role"
        assert await _row(session, transaction.id) is not None


class TestCreateTransfer:
    async def test_valid_pair(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        body = await _transfer(client, family, amount_minor=2_500, payee="Me")

        out_leg, in_leg = body["from_transaction"], body["to_transaction"]
        assert (out_leg["account_id"], out_leg["amount_minor"]) == (str(family.private.id), -2_500)
        assert (in_leg["account_id"], in_leg["amount_minor"]) == (str(family.shared.id), 2_500)
        both_ways = {
            "transfer_id": body["transfer_id"],
            "from_account_id": str(family.private.id),
            "from_account_name": family.private.name,
            "to_account_id": str(family.shared.id),
            "to_account_name": family.shared.name,
            "moved_minor": 2_500,
        }
        assert out_leg["transfer"] == {
            **both_ways,
            "counterpart_account_id": str(family.shared.id),
            "counterpart_transaction_id": in_leg["id"],
        }
        assert in_leg["transfer"] == {
            **both_ways,
            "counterpart_account_id": str(family.private.id),
            "counterpart_transaction_id": out_leg["id"],
        }
        assert out_leg["category_id"] is None
        assert in_leg["category_id"] is None
        assert (out_leg["memo"], out_leg["payee"], out_leg["posted_on"]) == (
            "Allowance",
            "Me",
            "2024-04-01",
        )
        rows = (
            await session.execute(
                select(Transaction.transfer_id, func.sum(Transaction.amount_minor))
                .where(Transaction.household_id == family.household.id)
                .group_by(Transaction.transfer_id)
            )
        ).all()
        assert [(str(t), int(s)) for t, s in rows] == [(body["transfer_id"], 0)]

    async def test_reading_either_leg_shows_the_link(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        body = await _transfer(client, family)
        in_leg = await client.get(
            f"{family.base}/transactions/{body['to_transaction']['id']}", headers=family.headers()
        )
        assert in_leg.json()["transfer"] == {
            "transfer_id": body["transfer_id"],
            "counterpart_account_id": str(family.private.id),
            "counterpart_transaction_id": body["from_transaction"]["id"],
            "from_account_id": str(family.private.id),
            "from_account_name": family.private.name,
            "to_account_id": str(family.shared.id),
            "to_account_name": family.shared.name,
            "moved_minor": 10_000,
        }

    @pytest.mark.parametrize(
        ("overrides", "status", "code"),
        [
            ({"to_account_id": "private"}, 422, "same_account"),
            ({"to_account_id": "euro"}, 422, "currency_mismatch"),
            ({"to_account_id": "archived"}, 409, "account_archived"),
            ({"amount_minor": 0}, 422, "validation_error"),
            ({"amount_minor": -5}, 422, "validation_error"),
            ({"amount_minor": "5"}, 422, "validation_error"),
            ({"amount_minor": 10**13 + 1}, 422, "validation_error"),
            ({"posted_on": "2024-02-31"}, 422, "validation_error"),
            ({"category_id": "x"}, 422, "validation_error"),
            ({"payee": "\u0000"}, 422, "validation_error"),
        ],
    )
    async def test_invalid_changes_nothing(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        overrides: dict[str, Any],
        status: int,
        code: str,
    ) -> None:
        euro = await create_account(session, family.household, currency="EUR")
        archived = await create_account(session, family.household, archived_at=datetime.now(UTC))
        await session.commit()
        names = {
            "private": family.private.id,
            "euro": euro.id,
            "archived": archived.id,
        }
        body: dict[str, Any] = {
            "from_account_id": str(family.private.id),
            "to_account_id": str(family.shared.id),
            "amount_minor": 100,
            "posted_on": "2024-04-01",
        }
        for key, value in overrides.items():
            body[key] = str(names[value]) if key.endswith("account_id") else value
        before = await _snapshot(session)

        response = await client.post(
            f"{family.base}/transactions/transfers", json=body, headers=family.headers()
        )

        assert response.status_code == status, response.text
        assert response.json()["code"] == code
        assert await _snapshot(session) == before

    async def test_teen_is_403(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        before = await _snapshot(session)
        response = await client.post(
            f"{family.base}/transactions/transfers",
            json={
                "from_account_id": str(family.shared.id),
                "to_account_id": str(family.private.id),
                "amount_minor": 100,
                "posted_on": "2024-04-01",
            },
            headers=family.headers(family.teen),
        )
        assert response.status_code == 403
        assert response.json()["code"] == "insufficient_role"
        assert await _snapshot(session) == before


class TestTransferSeenByATeen:
    async def test_the_other_account_stays_unnamed_unless_shared(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        """Hardening audit item 10: a teen saw the ids of the unshared account (and transaction)
        a transfer came from."""
        created = await client.post(
            f"{family.base}/transactions/transfers",
            json={
                "from_account_id": str(family.private.id),
                "to_account_id": str(family.shared.id),
                "amount_minor": 2_000,
                "posted_on": "2024-03-09",
            },
            headers=family.headers(),
        )
        assert created.status_code == 201
        incoming = created.json()["to_transaction"]
        path = f"{family.base}/transactions/{incoming['id']}"

        as_adult = await client.get(path, headers=family.headers())
        as_teen = await client.get(path, headers=family.headers(family.teen))
        listed = await client.get(
            f"{family.base}/transactions",
            params={"account_id": str(family.shared.id)},
            headers=family.headers(family.teen),
        )

        assert as_adult.json()["transfer"]["counterpart_account_id"] == str(family.private.id)
        hidden = {
            "transfer_id": incoming["transfer"]["transfer_id"],
            "counterpart_account_id": None,
            "counterpart_transaction_id": None,
            "from_account_id": None,
            "from_account_name": None,
            "to_account_id": str(family.shared.id),
            "to_account_name": family.shared.name,
            "moved_minor": 2_000,
        }
        assert as_teen.json()["transfer"] == hidden
        (row,) = [item for item in listed.json()["items"] if item["id"] == incoming["id"]]
        assert row["transfer"] == hidden
        # Without an account filter the teen still sees the leg they can see.
        everything = await client.get(
            f"{family.base}/transactions", headers=family.headers(family.teen)
        )
        (row,) = [item for item in everything.json()["items"] if item["id"] == incoming["id"]]
        assert row["transfer"] == hidden
        for response in (as_teen, listed, everything):
            assert str(family.private.id) not in response.text
            assert family.private.name not in response.text


class TestTransferPairBehaviour:
    @pytest.mark.parametrize("leg", ["from_transaction", "to_transaction"])
    async def test_amount_and_date_move_together(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family, leg: str
    ) -> None:
        body = await _transfer(client, family, amount_minor=1_000)
        target = body[leg]
        new_amount = 3_000 if target["amount_minor"] > 0 else -3_000

        response = await client.patch(
            f"{family.base}/transactions/{target['id']}",
            json={"amount_minor": new_amount, "posted_on": "2024-04-15", "memo": "only here"},
            headers={**family.headers(), **_if_match(1)},
        )

        assert response.status_code == 200, response.text
        other = "to_transaction" if leg == "from_transaction" else "from_transaction"
        counterpart = await _row(session, body[other]["id"])
        assert counterpart is not None
        assert (counterpart.amount_minor, counterpart.posted_on) == (-new_amount, date(2024, 4, 15))
        assert counterpart.version == 2
        assert counterpart.memo == "Allowance"
        balances = {
            a["id"]: a["balance_minor"]
            for a in (await client.get(f"{family.base}/accounts", headers=family.headers())).json()
        }
        assert balances == {str(family.private.id): -3_000, str(family.shared.id): 3_000}

    @pytest.mark.parametrize(
        "payload",
        [
            {"category_id": "groceries"},
            {"splits": [{"amount_minor": -500}, {"amount_minor": -500}]},
        ],
    )
    async def test_leg_cannot_be_categorized(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        payload: dict[str, Any],
    ) -> None:
        body = await _transfer(client, family, amount_minor=1_000)
        if "category_id" in payload:
            payload = {"category_id": str(family.groceries.id)}
        before = await _snapshot(session)

        response = await client.patch(
            f"{family.base}/transactions/{body['from_transaction']['id']}",
            json=payload,
            headers={**family.headers(), **_if_match(1)},
        )

        assert response.status_code == 422
        assert response.json()["code"] == "transfer_not_categorizable"
        assert await _snapshot(session) == before

    async def test_zero_amount_on_a_leg_is_422(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        body = await _transfer(client, family)
        response = await client.patch(
            f"{family.base}/transactions/{body['from_transaction']['id']}",
            json={"amount_minor": 0},
            headers={**family.headers(), **_if_match(1)},
        )
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_transfer_amount"

    async def test_moving_a_leg_onto_the_counterpart_account_is_422(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        body = await _transfer(client, family)
        response = await client.patch(
            f"{family.base}/transactions/{body['from_transaction']['id']}",
            json={"account_id": str(family.shared.id)},
            headers={**family.headers(), **_if_match(1)},
        )
        assert response.status_code == 422
        assert response.json()["code"] == "same_account"

    @pytest.mark.parametrize("leg", ["from_transaction", "to_transaction"])
    async def test_deleting_one_leg_deletes_both(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family, leg: str
    ) -> None:
        body = await _transfer(client, family)
        response = await client.delete(
            f"{family.base}/transactions/{body[leg]['id']}",
            headers={**family.headers(), **_if_match(1)},
        )
        assert response.status_code == 204
        assert await _row(session, body["from_transaction"]["id"]) is None
        assert await _row(session, body["to_transaction"]["id"]) is None


class TestListTransactions:
    async def test_filters(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        def at(day: int) -> date:
            return date(2024, 3, day)

        rent = await create_transaction(
            session,
            family.private,
            posted_on=at(1),
            amount_minor=-150_000,
            payee="Landlord",
            category_id=family.groceries.id,
        )
        cafe = await create_transaction(
            session,
            family.private,
            posted_on=at(5),
            amount_minor=-450,
            payee="Café 50%_off / to go",
            status="pending",
        )
        salary = await create_transaction(
            session, family.private, posted_on=at(25), amount_minor=300_000, payee="ACME Payroll"
        )
        split = await create_transaction(
            session,
            family.shared,
            posted_on=at(10),
            amount_minor=-1_000,
            payee="Market",
            is_split=True,
        )
        await create_split(session, split, family.dining, -400)
        await create_split(session, split, family.groceries, -600)
        before_march = await create_transaction(
            session, family.private, posted_on=date(2024, 2, 29), amount_minor=-1
        )
        await create_transaction(
            session,
            family.other.checking,
            posted_on=at(5),
            amount_minor=-450,
            payee="Café 50%_off / to go",
        )
        session.add(
            TransactionTag(transaction_id=cafe.id, tag="coffee", household_id=family.household.id)
        )
        await session.commit()
        transfer = await _transfer(client, family, posted_on="2024-03-20")
        out_leg, in_leg = transfer["from_transaction"]["id"], transfer["to_transaction"]["id"]

        async def ids(**params: Any) -> set[str]:
            response = await client.get(
                f"{family.base}/transactions", params=params, headers=family.headers()
            )
            assert response.status_code == 200, response.text
            return {item["id"] for item in response.json()["items"]}

        # Without an account filter the transfer is one row: its outgoing leg.
        everything = {str(t.id) for t in (rent, cafe, salary, split, before_march)} | {out_leg}
        assert await ids() == everything
        assert await ids(**{"from": "2024-03-01", "to": "2024-03-05"}) == {
            str(rent.id),
            str(cafe.id),
        }
        assert await ids(**{"from": "2024-03-25"}) == {str(salary.id)}
        assert await ids(to="2024-02-29") == {str(before_march.id)}
        assert await ids(account_id=str(family.shared.id)) == {str(split.id), in_leg}
        assert await ids(category_id=str(family.groceries.id)) == {str(rent.id), str(split.id)}
        assert await ids(category_id=str(family.dining.id)) == {str(split.id)}
        assert await ids(payee="café") == {str(cafe.id)}
        assert await ids(payee="PAYROLL") == {str(salary.id)}
        assert await ids(payee="50%_") == {str(cafe.id)}
        assert await ids(payee="%") == {str(cafe.id)}
        assert await ids(payee="_") == {str(cafe.id)}
        # "/" escapes the wildcards in the LIKE pattern: the user's own "/" is literal too.
        assert await ids(payee="/ to") == {str(cafe.id)}
        assert await ids(payee="//") == set()
        assert await ids(min_amount_minor=0) == {str(salary.id)}
        assert await ids(min_amount_minor=0, account_id=str(family.shared.id)) == {in_leg}
        assert await ids(min_amount_minor=-1_000, max_amount_minor=-450) == {
            str(cafe.id),
            str(split.id),
        }
        assert await ids(uncategorized="true") == {
            str(cafe.id),
            str(salary.id),
            str(before_march.id),
        }
        assert await ids(tag="coffee") == {str(cafe.id)}
        assert await ids(tag="Coffee") == set()
        assert await ids(status="pending") == {str(cafe.id)}
        assert await ids(status="posted") == everything - {str(cafe.id)}

    async def test_items_carry_tags_splits_and_transfer(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        split = await create_transaction(
            session, family.shared, posted_on=date(2024, 3, 10), amount_minor=-1_000, is_split=True
        )
        await create_split(session, split, family.dining, -400)
        await create_split(session, split, family.groceries, -600)
        session.add(
            TransactionTag(transaction_id=split.id, tag="b", household_id=family.household.id)
        )
        session.add(
            TransactionTag(transaction_id=split.id, tag="a", household_id=family.household.id)
        )
        await session.commit()
        transfer = await _transfer(client, family, posted_on="2024-03-20")

        items = (await client.get(f"{family.base}/transactions", headers=family.headers())).json()[
            "items"
        ]
        by_id = {item["id"]: item for item in items}

        assert by_id[str(split.id)]["tags"] == ["a", "b"]
        assert sorted(s["amount_minor"] for s in by_id[str(split.id)]["splits"]) == [-600, -400]
        assert by_id[str(split.id)]["transfer"] is None
        out_leg = by_id[transfer["from_transaction"]["id"]]
        assert out_leg["transfer"]["counterpart_transaction_id"] == transfer["to_transaction"]["id"]
        assert out_leg["transfer"]["counterpart_account_id"] == str(family.shared.id)
        assert [item["posted_on"] for item in items] == sorted(
            (item["posted_on"] for item in items), reverse=True
        )

    @pytest.mark.parametrize("limit", [1, 3, 7, 500])
    async def test_walking_all_pages_returns_every_row_once(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family, limit: int
    ) -> None:
        # Several rows per day, entered in order: the later entry comes first inside a date.
        created = []
        for n in range(23):
            account = family.private if n % 3 else family.shared
            created.append(
                await create_transaction(
                    session,
                    account,
                    posted_on=date(2024, 3, 1) + timedelta(days=n // 4),
                    amount_minor=-n,
                )
            )
        await session.commit()

        seen: list[dict[str, Any]] = []
        cursor = None
        pages = 0
        while True:
            params: dict[str, Any] = {"limit": limit}
            if cursor:
                params["cursor"] = cursor
            response = await client.get(
                f"{family.base}/transactions", params=params, headers=family.headers()
            )
            assert response.status_code == 200
            page = response.json()
            assert len(page["items"]) <= limit
            seen.extend(page["items"])
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break

        assert len(seen) == len({item["id"] for item in seen}) == 23
        assert {item["id"] for item in seen} == {str(t.id) for t in created}
        entered = sorted(enumerate(created), key=lambda n_t: (n_t[1].posted_on, n_t[0]))
        assert [item["id"] for item in seen] == [str(t.id) for _, t in reversed(entered)]
        # The last page says so itself: no extra empty page at the end.
        assert pages == -(-23 // limit)

    async def test_pages_with_filters_and_teen_visibility(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        for n in range(6):
            await create_transaction(session, family.shared, posted_on=date(2024, 3, 1 + n))
            await create_transaction(session, family.private, posted_on=date(2024, 3, 1 + n))
        await session.commit()

        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 4, "from": "2024-03-02"}
            if cursor:
                params["cursor"] = cursor
            page = (
                await client.get(
                    f"{family.base}/transactions",
                    params=params,
                    headers=family.headers(family.teen),
                )
            ).json()
            seen.extend(item["account_id"] for item in page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                break

        assert seen == [str(family.shared.id)] * 5
        unshared = await client.get(
            f"{family.base}/transactions",
            params={"account_id": str(family.private.id)},
            headers=family.headers(family.teen),
        )
        assert unshared.json() == {"items": [], "next_cursor": None}
        nobody = await client.get(
            f"{family.base}/transactions", headers=family.headers(family.other_teen)
        )
        assert nobody.json()["items"] == []

    # PostgreSQL refuses a NUL byte in text; it reached the database and came back as a 500.
    @pytest.mark.parametrize(
        "params",
        [{"payee": "Rent\x00"}, {"tag": "\x00"}, {"payee": "a\u202eb"}, {"cursor": "\x00abc"}],
    )
    async def test_control_characters_in_filters_are_4xx(
        self, client: httpx.AsyncClient, family: Family, params: dict[str, str]
    ) -> None:
        response = await client.get(
            f"{family.base}/transactions", params=params, headers=family.headers()
        )
        expected = (400, "invalid_cursor") if "cursor" in params else (422, "validation_error")
        assert (response.status_code, response.json()["code"]) == expected

    @pytest.mark.parametrize("cursor", ["garbage!", "bm9wZQ", "MjAyNC0wMi0zMHxhYmM", "x" * 201])
    async def test_invalid_cursor(
        self, client: httpx.AsyncClient, family: Family, cursor: str
    ) -> None:
        response = await client.get(
            f"{family.base}/transactions", params={"cursor": cursor}, headers=family.headers()
        )
        expected = 422 if len(cursor) > 200 else 400
        assert response.status_code == expected
        if expected == 400:
            assert response.json()["code"] == "invalid_cursor"

    @pytest.mark.parametrize(
        "params",
        [
            {"limit": 0},
            {"limit": 501},
            {"limit": "ten"},
            {"from": "2024-02-30"},
            {"to": "yesterday"},
            {"min_amount_minor": "1.5"},
            {"max_amount_minor": 10**13 + 1},
            {"status": "cleared"},
            {"account_id": "nope"},
            {"uncategorized": "maybe"},
        ],
    )
    async def test_invalid_query_is_422(
        self, client: httpx.AsyncClient, family: Family, params: dict[str, Any]
    ) -> None:
        response = await client.get(
            f"{family.base}/transactions", params=params, headers=family.headers()
        )
        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"

    async def test_query_count_does_not_grow_with_the_page(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        queries: list[str],
    ) -> None:
        async def count_for_page() -> int:
            queries.clear()
            response = await client.get(f"{family.base}/transactions", headers=family.headers())
            assert response.status_code == 200
            return sum(1 for q in queries if q.lstrip().upper().startswith("SELECT"))

        async def add_rows(n: int) -> None:
            for i in range(n):
                t = await create_transaction(
                    session, family.private, amount_minor=-200, is_split=True
                )
                await create_split(session, t, family.groceries, -100)
                await create_split(session, t, family.dining, -100)
                session.add(
                    TransactionTag(
                        transaction_id=t.id, tag=f"t{i}", household_id=family.household.id
                    )
                )
            await session.commit()

        await add_rows(1)
        small = await count_for_page()
        await add_rows(15)
        await _transfer(client, family)
        large = await count_for_page()

        # the caller with their membership (one query) + the page (receipt counts included) +
        # tags + split lines
        assert small == large == 4


class TestBulkCategorize:
    async def test_valid(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        rows = [await create_transaction(session, family.private) for _ in range(2)]
        untouched = await create_transaction(session, family.private)
        await session.commit()
        await _bump_version(session, rows[1], 4)

        response = await client.post(
            f"{family.base}/transactions/bulk-categorize",
            json={
                "transaction_ids": [str(r.id) for r in rows] * 2,
                "category_id": str(family.dining.id),
            },
            headers=family.headers(),
        )

        assert response.status_code == 200
        assert response.json() == {"updated": 2}
        stored = [await _row(session, r.id) for r in rows]
        assert [(r.category_id, r.version) for r in stored if r] == [
            (family.dining.id, 2),
            (family.dining.id, 5),
        ]
        after = await _row(session, untouched.id)
        assert after is not None
        assert (after.category_id, after.version) == (None, 1)

    async def test_clearing_the_category(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        row = await create_transaction(session, family.shared, category_id=family.groceries.id)
        await session.commit()
        response = await client.post(
            f"{family.base}/transactions/bulk-categorize",
            json={"transaction_ids": [str(row.id)], "category_id": None},
            headers=family.headers(family.teen),
        )
        assert response.json() == {"updated": 1}
        stored = await _row(session, row.id)
        assert stored is not None
        assert stored.category_id is None

    @pytest.mark.parametrize(
        ("problem", "code"),
        [
            ("missing", "unknown_transactions"),
            ("teen_unshared", "unknown_transactions"),
            ("transfer", "transfer_not_categorizable"),
            ("split", "split_not_categorizable"),
        ],
    )
    async def test_all_or_nothing(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        problem: str,
        code: str,
    ) -> None:
        good = await create_transaction(session, family.shared)
        offender_id: uuid.UUID | str
        user = family.owner
        if problem == "missing":
            offender_id = uuid.uuid4()
        elif problem == "teen_unshared":
            offender_id = (await create_transaction(session, family.private)).id
            user = family.teen
        elif problem == "split":
            offender_id = (await create_transaction(session, family.private, is_split=True)).id
        await session.commit()
        if problem == "transfer":
            offender_id = (await _transfer(client, family))["from_transaction"]["id"]
        before = await _snapshot(session)

        response = await client.post(
            f"{family.base}/transactions/bulk-categorize",
            json={
                "transaction_ids": [str(good.id), str(offender_id)],
                "category_id": str(family.groceries.id),
            },
            headers=family.headers(user),
        )

        assert response.status_code == 422
        assert response.json()["code"] == code
        assert response.json()["transaction_ids"] == [str(offender_id)]
        assert await _snapshot(session) == before
        stored = await _row(session, good.id)
        assert stored is not None
        assert stored.category_id is None

    @pytest.mark.parametrize(
        "payload",
        [
            {"transaction_ids": [], "category_id": None},
            {"transaction_ids": [str(uuid.uuid4()) for _ in range(501)], "category_id": None},
            {"transaction_ids": ["nope"], "category_id": None},
            {"transaction_ids": [str(uuid.uuid4())]},
            {"transaction_ids": [str(uuid.uuid4())], "category_id": None, "extra": 1},
        ],
    )
    async def test_invalid_body_is_422(
        self, client: httpx.AsyncClient, family: Family, payload: dict[str, Any]
    ) -> None:
        response = await client.post(
            f"{family.base}/transactions/bulk-categorize", json=payload, headers=family.headers()
        )
        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"
