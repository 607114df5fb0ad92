"""The order of the list (date, then entry), transfers as one row, text search and date ranges.

The expected order is computed from the order the test entered rows in, never from entry_seq."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.imports.service import bulk_insert
from family_budget.migrations import alembic_config
from family_budget.models import Account, Transaction, TransactionStatus
from family_budget.money import MAX_AMOUNT_MINOR
from family_budget.transactions.bulk import number_bulk_rows
from family_budget.transactions.queries import AmountQuery, parse_amount_query
from tests.arrange import Family
from tests.factories import create_split, create_transaction

DAY = date(2024, 3, 15)  # inside MONEY_MONTHS: the other household has money that month too


async def _walk(
    client: httpx.AsyncClient, family: Family, limit: int, **params: Any
) -> list[dict[str, Any]]:
    """Every item of the list, page by page."""
    headers = family.headers(params.pop("_user", None))
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        query: dict[str, Any] = {"limit": limit, **params}
        if cursor:
            query["cursor"] = cursor
        response = await client.get(f"{family.base}/transactions", params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def _row(account: Account, payee: str, amount_minor: int, posted_on: date = DAY) -> dict[str, Any]:
    """A transaction as the import and bank sync insert it: every column but entry_seq."""
    now = datetime.now(UTC)
    return {
        "id": uuid.uuid4(),
        "household_id": account.household_id,
        "account_id": account.id,
        "posted_on": posted_on,
        "amount_minor": amount_minor,
        "payee": payee,
        "payee_original": payee,
        "memo": "",
        "external_id": None,
        "category_id": None,
        "status": TransactionStatus.POSTED,
        "is_split": False,
        "transfer_id": None,
        "created_by_id": None,
        "import_id": None,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


class TestEntryOrder:
    @pytest.mark.parametrize("limit", [1, 4, 100])
    async def test_same_day_newest_entry_first_across_pages(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family, limit: int
    ) -> None:
        entered: list[str] = []
        for n in range(9):
            ours = await client.post(
                f"{family.base}/transactions",
                json={
                    "account_id": str(family.private.id if n % 2 else family.shared.id),
                    "posted_on": DAY.isoformat(),
                    "amount_minor": -100 - n,
                    "payee": f"Shop {n}",
                },
                headers=family.headers(),
            )
            assert ours.status_code == 201
            entered.append(ours.json()["id"])
            # The other household enters money on the same day in between.
            await create_transaction(session, family.other.checking, posted_on=DAY)
            await session.commit()
        await create_transaction(session, family.private, posted_on=DAY - timedelta(days=1))
        await create_transaction(session, family.private, posted_on=DAY + timedelta(days=1))
        await session.commit()

        items = await _walk(
            client, family, limit, **{"from": DAY.isoformat(), "to": DAY.isoformat()}
        )

        assert [item["id"] for item in items] == entered[::-1]
        # The same order again: it does not depend on ids or on the page size.
        again = await _walk(client, family, 3, **{"from": DAY.isoformat(), "to": DAY.isoformat()})
        assert [item["id"] for item in again] == entered[::-1]

    async def test_editing_keeps_the_place_of_entry(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        first = await create_transaction(session, family.private, posted_on=DAY, payee="First")
        second = await create_transaction(session, family.private, posted_on=DAY, payee="Second")
        await session.commit()
        response = await client.patch(
            f"{family.base}/transactions/{first.id}",
            json={"payee": "First, edited", "amount_minor": -999},
            headers={**family.headers(), "If-Match": 'W/"1"'},
        )
        assert response.status_code == 200

        items = await _walk(client, family, 100)

        assert [item["id"] for item in items] == [str(second.id), str(first.id)]

    # Imports and syncs number their rows up front (number_bulk_rows); any other insert is
    # numbered by the database as it arrives ("unnumbered": the SQLite trigger, the identity).
    @pytest.mark.parametrize("how", ["import", "bank sync", "unnumbered"])
    async def test_bulk_insert_keeps_file_order(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family, how: str
    ) -> None:
        before = await create_transaction(session, family.private, posted_on=DAY, payee="Before")
        await session.commit()
        file_rows = [_row(family.private, f"Line {n}", -n) for n in range(1, 8)]
        theirs = [_row(family.other.checking, f"Theirs {n}", -n) for n in range(1, 4)]
        # Our file in two parts with another household's rows written in between.
        for rows in (file_rows[:4], theirs, file_rows[4:]):
            if how != "unnumbered":
                await number_bulk_rows(session, rows)
            if how == "import":
                await bulk_insert(session, Transaction.__table__, rows)
            else:
                await session.execute(insert(Transaction), rows)
        # A row entered by hand afterwards still comes after all of them.
        after = await create_transaction(session, family.private, posted_on=DAY, payee="After")
        await session.commit()

        items = await _walk(client, family, 3)

        expected = [
            str(after.id),
            *(str(row["id"]) for row in reversed(file_rows)),
            str(before.id),
        ]
        assert [item["id"] for item in items] == expected
        numbers = dict(
            (
                await session.execute(
                    select(Transaction.id, Transaction.entry_seq).where(
                        Transaction.id.in_([row["id"] for row in file_rows + theirs])
                    )
                )
            ).all()
        )
        in_file_order = [numbers[row["id"]] for row in file_rows]
        assert in_file_order == sorted(in_file_order)
        assert len(set(numbers.values())) == len(numbers)

    def test_migration_numbers_existing_rows_by_creation(self, tmp_path: Path) -> None:
        """The backfill on a database that already holds transactions (SQLite; the PostgreSQL
        branch differs only in how new rows are numbered)."""
        path = tmp_path / "old.db"
        config = alembic_config(f"sqlite+aiosqlite:///{path.as_posix()}")
        command.upgrade(config, "5d3c1e7a9b20")  # the revision before entry order
        created = ["2024-01-02 10:00:00", "2024-01-01 09:00:00", "2024-01-02 10:00:00"]
        ids = [uuid.UUID(int=3).hex, uuid.UUID(int=9).hex, uuid.UUID(int=1).hex]
        with sqlite3.connect(path) as db:  # foreign keys are off: bare rows are enough
            for row_id, created_at in zip(ids, created, strict=True):
                db.execute(
                    "INSERT INTO transactions (id, household_id, account_id, posted_on, "
                    "amount_minor, payee, payee_original, memo, status, is_split, version, "
                    "created_at, updated_at) VALUES (?, ?, ?, '2024-01-01', -1, '', '', '', "
                    "'posted', 0, 1, ?, ?)",
                    (
                        row_id,
                        uuid.UUID(int=100).hex,
                        uuid.UUID(int=200).hex,
                        created_at,
                        created_at,
                    ),
                )
        command.upgrade(config, "head")
        with sqlite3.connect(path) as db:
            db.execute(
                "INSERT INTO transactions (id, household_id, account_id, posted_on, amount_minor, "
                "payee, payee_original, memo, status, is_split, version, created_at, updated_at) "
                "VALUES (?, ?, ?, '2024-01-01', -1, '', '', '', 'posted', 0, 1, '2020-01-01', "
                "'2020-01-01')",
                (uuid.UUID(int=5).hex, uuid.UUID(int=100).hex, uuid.UUID(int=200).hex),
            )
            numbered = dict(db.execute("SELECT id, entry_seq FROM transactions").fetchall())
        # Oldest first, the id breaking the tie; a row added afterwards comes last whatever its
        # created_at says.
        assert numbered == {ids[1]: 1, ids[2]: 2, ids[0]: 3, uuid.UUID(int=5).hex: 4}


class TestTransferAsOneRow:
    async def _transfer(self, client: httpx.AsyncClient, family: Family) -> dict[str, Any]:
        response = await client.post(
            f"{family.base}/transactions/transfers",
            json={
                "from_account_id": str(family.private.id),
                "to_account_id": str(family.shared.id),
                "amount_minor": 5_000,
                "posted_on": DAY.isoformat(),
            },
            headers=family.headers(),
        )
        assert response.status_code == 201
        result: dict[str, Any] = response.json()
        return result

    async def test_all_accounts_show_one_row_and_each_account_its_leg(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        spent = await create_transaction(session, family.private, posted_on=DAY, amount_minor=-700)
        await session.commit()
        transfer = await self._transfer(client, family)
        out_leg, in_leg = transfer["from_transaction"], transfer["to_transaction"]

        everything = await _walk(client, family, 1)
        private = await _walk(client, family, 100, account_id=str(family.private.id))
        shared = await _walk(client, family, 100, account_id=str(family.shared.id))

        assert [item["id"] for item in everything] == [out_leg["id"], str(spent.id)]
        link = everything[0]["transfer"]
        assert (link["from_account_name"], link["to_account_name"]) == (
            "Joint checking",
            "Pocket money",
        )
        assert (link["from_account_id"], link["to_account_id"]) == (
            str(family.private.id),
            str(family.shared.id),
        )
        assert link["moved_minor"] == 5_000
        assert [item["id"] for item in private] == [out_leg["id"], str(spent.id)]
        assert [item["id"] for item in shared] == [in_leg["id"]]
        assert shared[0]["amount_minor"] == 5_000
        assert shared[0]["transfer"]["from_account_name"] == "Joint checking"

    async def test_a_teen_sees_the_leg_they_may_see_without_the_other_account(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        transfer = await self._transfer(client, family)

        items = await _walk(client, family, 100, _user=family.teen)

        assert [item["id"] for item in items] == [transfer["to_transaction"]["id"]]
        link = items[0]["transfer"]
        assert link["from_account_id"] is link["from_account_name"] is None
        assert link["to_account_name"] == "Pocket money"

    async def test_transfers_are_not_income_or_spending(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        await create_transaction(
            session, family.private, posted_on=DAY, amount_minor=-700, category_id=family.dining.id
        )
        await session.commit()
        await self._transfer(client, family)

        report = await client.get(
            f"{family.base}/reports/spending-by-category",
            params={"from": DAY.isoformat(), "to": DAY.isoformat()},
            headers=family.headers(),
        )
        income_only = await _walk(client, family, 100, min_amount_minor=0)

        assert report.json()["total_minor"] == 700
        assert income_only == []


class TestSearch:
    async def _arrange(self, session: AsyncSession, family: Family) -> dict[str, Transaction]:
        made = {
            "payee": await create_transaction(
                session, family.private, posted_on=DAY, payee="Green Grocer", amount_minor=-1
            ),
            "memo": await create_transaction(
                session, family.private, posted_on=DAY, memo="Birthday 50%_cake", amount_minor=-2
            ),
            "category": await create_transaction(
                session,
                family.private,
                posted_on=DAY,
                category_id=family.dining.id,
                amount_minor=-3,
            ),
            "split": await create_transaction(
                session, family.shared, posted_on=DAY, is_split=True, amount_minor=-1_000
            ),
            "spent": await create_transaction(
                session, family.private, posted_on=DAY, amount_minor=-1_250
            ),
            "refund": await create_transaction(
                session, family.private, posted_on=DAY, amount_minor=1_250
            ),
            "large": await create_transaction(
                session, family.private, posted_on=DAY, amount_minor=-123_450
            ),
        }
        await create_split(session, made["split"], family.groceries, -400)
        await create_split(session, made["split"], None, -600)
        # The other household has the same payee, memo, category name and amounts.
        for amount in (-1_250, 1_250, -123_450):
            await create_transaction(
                session,
                family.other.checking,
                posted_on=DAY,
                amount_minor=amount,
                payee="Green Grocer",
                memo="Birthday 50%_cake",
                category_id=family.other.groceries.id,
            )
        await session.commit()
        return made

    @pytest.mark.parametrize(
        ("q", "expected"),
        [
            ("grocer", {"payee", "split"}),  # payee, and the split line's category "Groceries"
            ("GREEN", {"payee"}),
            ("birthday", {"memo"}),
            ("50%_", {"memo"}),
            ("_", {"memo"}),
            ("dining", {"category"}),
            ("12.50", {"spent", "refund"}),
            ("12,50", {"spent", "refund"}),
            ("12,5", {"spent", "refund"}),
            ("-12,50", {"spent"}),
            ("\u221212.50", {"spent"}),
            ("+12.50", {"refund"}),
            ("(12.50)", {"spent"}),
            ("1,234.50", {"large"}),
            ("1.234,50", {"large"}),
            ("1234.5", {"large"}),
            ("10", {"split"}),
            ("12.5051", set()),
            ("nothing like it", set()),
        ],
    )
    async def test_matches(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        q: str,
        expected: set[str],
    ) -> None:
        made = await self._arrange(session, family)
        names = {str(t.id): name for name, t in made.items()}

        items = await _walk(client, family, 100, q=q)

        assert {names.get(item["id"], item["id"]) for item in items} == expected

    async def test_a_teen_searches_only_shared_accounts(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        made = await self._arrange(session, family)

        items = await _walk(client, family, 100, q="grocer", _user=family.teen)

        assert [item["id"] for item in items] == [str(made["split"].id)]

    @pytest.mark.parametrize("q", ["a\x00b", "x" * 201, "a\u202eb"])
    async def test_bad_text_is_422(self, client: httpx.AsyncClient, family: Family, q: str) -> None:
        response = await client.get(
            f"{family.base}/transactions", params={"q": q}, headers=family.headers()
        )
        assert (response.status_code, response.json()["code"]) == (422, "validation_error")


def _written(minor: int, places: int, decimal: str, grouped: bool) -> str:
    """How a person writes `minor` (an independent model: string arithmetic, no parsing)."""
    units, cents = divmod(abs(minor), 10**places)
    whole = str(units)
    if grouped:
        thousands = "," if decimal == "." else "."
        whole = f"{units:,}".replace(",", thousands)
    text = whole + (decimal + str(cents).zfill(places) if places else "")
    return ("-" if minor < 0 else "") + text


class TestAmountQuery:
    @given(
        minor=st.integers(-MAX_AMOUNT_MINOR, MAX_AMOUNT_MINOR),
        currency=st.sampled_from(["USD", "JPY", "KWD"]),
        decimal=st.sampled_from([".", ","]),
        grouped=st.booleans(),
    )
    def test_what_people_write_is_the_amount(
        self, minor: int, currency: str, decimal: str, grouped: bool
    ) -> None:
        places = {"USD": 2, "JPY": 0, "KWD": 3}[currency]
        if places == 0 and not grouped:
            decimal = "."  # "1,234" in yen is grouping, never a decimal comma
        text = _written(minor, places, decimal, grouped)

        assert parse_amount_query(text, currency) == AmountQuery(minor, signed=minor < 0)

    @pytest.mark.parametrize(
        ("text", "currency", "expected"),
        [
            ("12", "USD", AmountQuery(1_200, signed=False)),
            ("12,5", "USD", AmountQuery(1_250, signed=False)),
            ("1,250", "USD", AmountQuery(125_000, signed=False)),
            ("1,250", "JPY", AmountQuery(1_250, signed=False)),
            ("12.50", "JPY", None),
            ("12.505", "USD", AmountQuery(1_250_500, signed=False)),
            ("12.5051", "USD", None),
            ("1.250", "USD", AmountQuery(125_000, signed=False)),
            ("1.250", "KWD", AmountQuery(1_250, signed=False)),
            ("12.50", "KWD", AmountQuery(12_500, signed=False)),
            ("+3", "USD", AmountQuery(300, signed=True)),
            ("grocer", "USD", None),
            ("2024-03", "USD", None),
            ("9" * 20, "USD", None),
        ],
    )
    def test_edges(self, text: str, currency: str, expected: AmountQuery | None) -> None:
        assert parse_amount_query(text, currency) == expected


class TestDateRange:
    async def test_both_ends_are_inclusive(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        days = [DAY + timedelta(days=offset) for offset in range(-2, 3)]
        made = {
            day: await create_transaction(session, family.private, posted_on=day) for day in days
        }
        await session.commit()

        async def listed(start: date, end: date) -> list[str]:
            items = await _walk(
                client, family, 2, **{"from": start.isoformat(), "to": end.isoformat()}
            )
            return [item["id"] for item in items]

        assert await listed(DAY, DAY) == [str(made[DAY].id)]
        assert await listed(days[1], days[3]) == [str(made[day].id) for day in days[3:0:-1]]
        assert await listed(days[-1] + timedelta(days=1), days[-1] + timedelta(days=9)) == []

    async def test_from_after_to_is_422(self, client: httpx.AsyncClient, family: Family) -> None:
        response = await client.get(
            f"{family.base}/transactions",
            params={"from": "2024-03-16", "to": "2024-03-15"},
            headers=family.headers(),
        )
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_date_range"
