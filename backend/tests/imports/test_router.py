"""Imports through the API: preview, duplicates, overrides, re-reading, commit, undo, history.

Every test runs with the other household's money in the same months (tests/arrange.py), and the
expected figures are written out from the files below, not computed by the code under test."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.imports.parsing.limits import MAX_FILE_BYTES
from family_budget.models import (
    AccountKind,
    ActivityTotal,
    ClearedState,
    Import,
    ImportRow,
    Transaction,
    TransactionTag,
)
from family_budget.worker.jobs import Outcome
from tests.arrange import Family
from tests.factories import create_account, create_transaction
from tests.imports.conftest import RunJobs, bank_export

MARCH = """Date,Payee,Amount
2024-03-01,POS 4312 AMAZON MKTP US*2K4,-25.99
2024-03-02,Corner Cafe,-4.50
2024-03-02,Corner Cafe,-4.50
2024-03-05,ACME PAYROLL,2500.00
2024-03-09,City Water,-61.20
"""
# The same statement a week later: the last two rows of March again, and two new ones.
MARCH_LATER = """Date,Payee,Amount
2024-03-05,ACME PAYROLL,2500.00
2024-03-09,City Water,-61.20
2024-03-12,Corner Cafe,-4.50
2024-03-14,Green Grocer,-37.15
"""
MARCH_AMOUNTS = [-2599, -450, -450, 250000, -6120]


async def upload(
    client: httpx.AsyncClient,
    family: Family,
    data: bytes | str,
    *,
    account_id: Any = None,
    options: dict[str, Any] | None = None,
    filename: str = "statement.csv",
) -> httpx.Response:
    form: dict[str, str] = {"account_id": str(account_id or family.private.id)}
    if options is not None:
        form["options"] = json.dumps(options)
    content = data.encode() if isinstance(data, str) else data
    return await client.post(
        f"{family.base}/imports",
        headers=family.headers(),
        files={"file": (filename, content, "text/csv")},
        data=form,
    )


async def preview(client: httpx.AsyncClient, family: Family, data: bytes | str, **kw: Any) -> Any:
    response = await upload(client, family, data, **kw)
    assert response.status_code == 201, response.text
    return response.json()


async def rows_of(client: httpx.AsyncClient, family: Family, import_id: str) -> list[Any]:
    response = await client.get(f"{family.base}/imports/{import_id}/rows", headers=family.headers())
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()["items"]
    return items


async def commit(client: httpx.AsyncClient, family: Family, import_id: str) -> Any:
    response = await client.post(
        f"{family.base}/imports/{import_id}/commit", headers=family.headers()
    )
    assert response.status_code == 200, response.text
    return response.json()


async def account_amounts(session: AsyncSession, account_id: Any) -> list[int]:
    return sorted(
        (
            await session.scalars(
                select(Transaction.amount_minor).where(Transaction.account_id == account_id)
            )
        ).all()
    )


async def account_activity(session: AsyncSession, account_id: Any) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(ActivityTotal.amount_minor), 0)).where(
            ActivityTotal.account_id == account_id
        )
    )
    return int(total or 0)


async def count_imports(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Import)) or 0)


class TestPreview:
    async def test_csv_preview(self, client: httpx.AsyncClient, family: Family) -> None:
        body = await preview(client, family, MARCH)
        assert body["status"] == "preview"
        assert body["format"] == "csv"
        assert body["account_id"] == str(family.private.id)
        assert body["counts"] == {
            "total": 5,
            "new": 5,
            "duplicates": 0,
            "errors": 0,
            "imported": None,
            "skipped": None,
        }
        assert body["progress"] == 1
        assert body["mapping"]["date_column"] == 0
        assert body["mapping"]["amount_column"] == 2
        rows = await rows_of(client, family, body["id"])
        assert [r["line"] for r in rows] == [2, 3, 4, 5, 6]
        assert [r["amount_minor"] for r in rows] == MARCH_AMOUNTS
        assert rows[0]["payee"] == "Amazon"
        assert rows[0]["payee_original"] == "POS 4312 AMAZON MKTP US*2K4"
        assert rows[0]["posted_on"] == "2024-03-01"
        # Two identical coffees in one file are two coffees.
        assert [r["status"] for r in rows] == ["new"] * 5
        assert all(r["include"] for r in rows)

    async def test_nothing_is_imported_before_commit(
        self, client: httpx.AsyncClient, family: Family, session: AsyncSession
    ) -> None:
        await preview(client, family, MARCH)
        assert await account_amounts(session, family.private.id) == []

    async def test_suggests_the_households_usual_category(
        self, client: httpx.AsyncClient, family: Family, session: AsyncSession
    ) -> None:
        for _ in range(2):
            await create_transaction(
                session, family.shared, payee="Corner Cafe", category_id=family.dining.id
            )
        await create_transaction(
            session, family.shared, payee="Corner Cafe", category_id=family.groceries.id
        )
        # Another household files the same payee elsewhere, more often: it does not count.
        for _ in range(5):
            await create_transaction(
                session,
                family.other.checking,
                payee="Corner Cafe",
                category_id=family.other.groceries.id,
            )
        await session.commit()
        body = await preview(client, family, MARCH)
        rows = await rows_of(client, family, body["id"])
        assert [r["category_id"] for r in rows] == [
            None,
            str(family.dining.id),
            str(family.dining.id),
            None,
            None,
        ]

    async def test_rows_page_with_cursor(self, client: httpx.AsyncClient, family: Family) -> None:
        body = await preview(client, family, MARCH)
        url = f"{family.base}/imports/{body['id']}/rows"
        first = (await client.get(url, params={"limit": 2}, headers=family.headers())).json()
        assert [r["line"] for r in first["items"]] == [2, 3]
        second = (
            await client.get(
                url, params={"limit": 2, "cursor": first["next_cursor"]}, headers=family.headers()
            )
        ).json()
        assert [r["line"] for r in second["items"]] == [4, 5]
        last = (
            await client.get(
                url, params={"limit": 2, "cursor": second["next_cursor"]}, headers=family.headers()
            )
        ).json()
        assert [r["line"] for r in last["items"]] == [6]
        assert last["next_cursor"] is None

    async def test_ofx_with_bank_ids(self, client: httpx.AsyncClient, family: Family) -> None:
        body = await preview(
            client, family, bank_export("ofxparse/checking.ofx"), filename="checking.ofx"
        )
        assert body["format"] == "qfx"
        assert body["mapping"] is None
        rows = await rows_of(client, family, body["id"])
        assert [(r["posted_on"], r["amount_minor"], r["external_id"]) for r in rows] == [
            ("2011-03-31", 1, "0000486"),
            ("2011-04-05", -3451, "0000487"),
            ("2011-04-07", -2500, "0000488"),
        ]

    async def test_a_row_that_cannot_be_read_is_an_error_row(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        body = await preview(
            client, family, "Date,Payee,Amount\n2024-03-01,Shop,-1.00\n2024-03-02,Shop,lots\n"
        )
        assert body["counts"]["errors"] == 1
        rows = await rows_of(client, family, body["id"])
        assert rows[1]["status"] == "error"
        assert rows[1]["error"]
        assert rows[1]["include"] is False


class TestRefusals:
    async def test_currency_mismatch_is_422_and_nothing_changes(
        self, client: httpx.AsyncClient, family: Family, session: AsyncSession
    ) -> None:
        euros = await create_account(
            session, family.household, name="Euro cash", kind=AccountKind.CASH, currency="EUR"
        )
        await session.commit()
        before = await count_imports(session)
        response = await upload(
            client, family, bank_export("ofxparse/checking.ofx"), account_id=euros.id
        )
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "currency_mismatch"
        assert "USD" in response.json()["detail"]
        assert await count_imports(session) == before

    @pytest.mark.parametrize(
        ("content", "named"),
        [
            (b"\x00\x01\x02\x03binary\x00" * 100, None),
            (
                '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
                "<OFX>&b;</OFX>",
                None,
            ),
            ("Date,Payee,Amount\n" + "," * 5000 + "\n", "limit"),
        ],
        ids=["binary", "entity-bomb", "a-million-columns"],
    )
    async def test_hostile_files_are_a_clear_4xx_and_nothing_changes(
        self,
        client: httpx.AsyncClient,
        family: Family,
        session: AsyncSession,
        content: bytes | str,
        named: str | None,
    ) -> None:
        before = await count_imports(session)
        response = await upload(client, family, content)
        assert 400 <= response.status_code < 500, response.text
        problem = response.json()
        assert problem["detail"]
        if named:
            assert named in problem
        assert await count_imports(session) == before

    async def test_over_20_mb_is_413(
        self, client: httpx.AsyncClient, family: Family, session: AsyncSession
    ) -> None:
        before = await count_imports(session)
        big = MARCH + "2024-03-10,Filler,-1.00\n" * (MAX_FILE_BYTES // 24 + 10)
        assert len(big) > MAX_FILE_BYTES
        response = await upload(client, family, big)
        assert response.status_code == 413, response.text
        assert await count_imports(session) == before

    async def test_another_households_account_is_422(
        self, client: httpx.AsyncClient, family: Family, session: AsyncSession
    ) -> None:
        response = await upload(client, family, MARCH, account_id=family.other.checking.id)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "unknown_account"

    async def test_a_teen_cannot_import(self, client: httpx.AsyncClient, family: Family) -> None:
        response = await client.post(
            f"{family.base}/imports",
            headers=family.headers(family.teen),
            files={"file": ("s.csv", MARCH.encode(), "text/csv")},
            data={"account_id": str(family.shared.id)},
        )
        assert response.status_code == 403


class TestDuplicates:
    async def test_the_same_statement_twice_adds_nothing(
        self, client: httpx.AsyncClient, family: Family, session: AsyncSession
    ) -> None:
        first = await preview(client, family, MARCH)
        assert (await commit(client, family, first["id"]))["counts"] == {
            "imported": 5,
            "skipped": 0,
        }
        second = await preview(client, family, MARCH)
        assert second["counts"]["new"] == 0
        assert second["counts"]["duplicates"] == 5
        rows = await rows_of(client, family, second["id"])
        ours = {
            t.id: t
            for t in await session.scalars(
                select(Transaction).where(Transaction.account_id == family.private.id)
            )
        }
        matched = [ours[uuid.UUID(r["duplicate_of"])] for r in rows]
        assert [t.amount_minor for t in matched] == MARCH_AMOUNTS
        assert len({t.id for t in matched}) == 5  # each coffee matches its own twin
        assert [r["duplicate"]["posted_on"] for r in rows] == [
            "2024-03-01",
            "2024-03-02",
            "2024-03-02",
            "2024-03-05",
            "2024-03-09",
        ]
        assert rows[0]["duplicate"]["payee"] == "Amazon"
        assert (await commit(client, family, second["id"]))["counts"] == {
            "imported": 0,
            "skipped": 5,
        }
        assert await account_amounts(session, family.private.id) == sorted(MARCH_AMOUNTS)

    async def test_an_overlapping_statement_adds_exactly_the_new_rows(
        self, client: httpx.AsyncClient, family: Family, session: AsyncSession
    ) -> None:
        await commit(client, family, (await preview(client, family, MARCH))["id"])
        later = await preview(client, family, MARCH_LATER)
        assert later["counts"]["new"] == 2
        assert later["counts"]["duplicates"] == 2
        assert (await commit(client, family, later["id"]))["counts"]["imported"] == 2
        assert await account_amounts(session, family.private.id) == sorted(
            [*MARCH_AMOUNTS, -450, -3715]
        )

    async def test_ofx_twice_matches_by_bank_id(
        self, client: httpx.AsyncClient, family: Family, session: AsyncSession
    ) -> None:
        data = bank_export("ofxparse/checking.ofx")
        await commit(client, family, (await preview(client, family, data))["id"])
        again = await preview(client, family, data)
        assert again["counts"]["duplicates"] == 3
        assert (await commit(client, family, again["id"]))["counts"]["imported"] == 0
        assert await account_amounts(session, family.private.id) == [-3451, -2500, 1]

    async def test_two_previews_of_one_statement_committed_add_it_once(
        self, client: httpx.AsyncClient, family: Family, session: AsyncSession
    ) -> None:
        first = await preview(client, family, MARCH)
        second = await preview(client, family, MARCH)
        await commit(client, family, first["id"])
        assert (await commit(client, family, second["id"]))["counts"]["imported"] == 0
        assert await account_amounts(session, family.private.id) == sorted(MARCH_AMOUNTS)

    async def test_a_forced_duplicate_is_imported(
        self, client: httpx.AsyncClient, family: Family, session: AsyncSession
    ) -> None:
        await commit(client, family, (await preview(client, family, MARCH))["id"])
        again = await preview(client, family, MARCH)
        response = await client.patch(
            f"{family.base}/imports/{again['id']}",
            headers=family.headers(),
            json={"rows": [{"line": 3, "include": True}]},
        )
        assert response.status_code == 200, response.text
        rows = await rows_of(client, family, again["id"])
        assert [r["include"] for r in rows] == [False, True, False, False, False]
        assert (await commit(client, family, again["id"]))["counts"] == {
            "imported": 1,
            "skipped": 4,
        }
        assert await account_amounts(session, family.private.id) == sorted([*MARCH_AMOUNTS, -450])

    async def test_a_new_row_can_be_left_out(
        self, client: httpx.AsyncClient, family: Family, session: AsyncSession
    ) -> None:
        body = await preview(client, family, MARCH)
        await client.patch(
            f"{family.base}/imports/{body['id']}",
            headers=family.headers(),
            json={"rows": [{"line": 5, "include": False}]},
        )
        assert (await commit(client, family, body["id"]))["counts"] == {
            "imported": 4,
            "skipped": 1,
        }
        assert 250000 not in await account_amounts(session, family.private.id)

    async def test_an_unknown_line_is_422(self, client: httpx.AsyncClient, family: Family) -> None:
        body = await preview(client, family, MARCH)
        response = await client.patch(
            f"{family.base}/imports/{body['id']}",
            headers=family.headers(),
            json={"rows": [{"line": 99, "include": True}]},
        )
        assert response.status_code == 422
        assert response.json()["code"] == "unknown_import_row"


class TestReread:
    AMBIGUOUS = "Date,Payee,Amount\n03/04/2024,Shop,-1.00\n05/06/2024,Shop,-2.00\n"

    async def test_ambiguous_dates_are_asked_and_options_reread_the_file(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        body = await preview(client, family, self.AMBIGUOUS)
        assert body["date_order_ambiguous"] is True
        assert set(body["date_format_candidates"]) >= {"%d/%m/%Y", "%m/%d/%Y"}
        response = await client.patch(
            f"{family.base}/imports/{body['id']}",
            headers=family.headers(),
            json={"options": {"date_format": "%d/%m/%Y"}},
        )
        assert response.status_code == 200, response.text
        assert response.json()["mapping"]["date_format"] == "%d/%m/%Y"
        rows = await rows_of(client, family, body["id"])
        assert [r["posted_on"] for r in rows] == ["2024-04-03", "2024-06-05"]
        response = await client.patch(
            f"{family.base}/imports/{body['id']}",
            headers=family.headers(),
            json={"options": {"date_format": "%m/%d/%Y"}},
        )
        rows = await rows_of(client, family, body["id"])
        assert [r["posted_on"] for r in rows] == ["2024-03-04", "2024-05-06"]

    async def test_mapping_given_at_upload(self, client: httpx.AsyncClient, family: Family) -> None:
        data = "When;What;Out;In\n01.03.2024;Rent;1.200,00;\n02.03.2024;Refund;;15,50\n"
        body = await preview(
            client,
            family,
            data,
            options={
                "delimiter": ";",
                "date_format": "%d.%m.%Y",
                "outflow_column": "Out",
                "inflow_column": "In",
                "payee_column": "What",
                "decimal_separator": ",",
            },
        )
        rows = await rows_of(client, family, body["id"])
        assert [(r["posted_on"], r["amount_minor"]) for r in rows] == [
            ("2024-03-01", -120000),
            ("2024-03-02", 1550),
        ]

    async def test_a_mapping_that_does_not_fit_keeps_the_preview(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        body = await preview(client, family, MARCH)
        response = await client.patch(
            f"{family.base}/imports/{body['id']}",
            headers=family.headers(),
            json={"options": {"amount_column": 9}},
        )
        assert response.status_code == 422, response.text
        assert len(await rows_of(client, family, body["id"])) == 5


class TestCommitAndUndo:
    async def test_commit_keeps_budget_totals_and_twice_adds_nothing(
        self, client: httpx.AsyncClient, family: Family, session: AsyncSession
    ) -> None:
        theirs_before = await account_activity(session, family.other.checking.id)
        body = await preview(client, family, MARCH)
        await commit(client, family, body["id"])
        again = await client.post(
            f"{family.base}/imports/{body['id']}/commit", headers=family.headers()
        )
        assert again.status_code == 200
        assert again.json() == {"status": "committed", "counts": {"imported": 5, "skipped": 0}}
        assert await account_amounts(session, family.private.id) == sorted(MARCH_AMOUNTS)
        assert await account_activity(session, family.private.id) == sum(MARCH_AMOUNTS)
        assert await account_activity(session, family.other.checking.id) == theirs_before
        # The bank's own statement lists them: they have cleared at the bank.
        states = await session.scalars(
            select(Transaction.cleared).where(Transaction.account_id == family.private.id)
        )
        assert set(states) == {ClearedState.CLEARED}
        got = (
            await client.get(f"{family.base}/imports/{body['id']}", headers=family.headers())
        ).json()
        assert got["status"] == "committed"
        assert got["counts"]["imported"] == 5

    async def test_undo_keeps_an_edited_row_and_lists_it(
        self, client: httpx.AsyncClient, family: Family, session: AsyncSession
    ) -> None:
        body = await preview(client, family, MARCH)
        await commit(client, family, body["id"])
        water = (
            await session.scalars(
                select(Transaction).where(
                    Transaction.account_id == family.private.id,
                    Transaction.amount_minor == -6120,
                )
            )
        ).one()
        response = await client.patch(
            f"{family.base}/transactions/{water.id}",
            headers={**family.headers(), "If-Match": f'W/"{water.version}"'},
            json={"category_id": str(family.groceries.id)},
        )
        assert response.status_code == 200, response.text
        payroll = (
            await session.scalars(
                select(Transaction).where(
                    Transaction.account_id == family.private.id,
                    Transaction.amount_minor == 250000,
                )
            )
        ).one()
        tagged = await client.patch(
            f"{family.base}/transactions/{payroll.id}",
            headers={**family.headers(), "If-Match": f'W/"{payroll.version}"'},
            json={"tags": ["salary"]},
        )
        assert tagged.status_code == 200, tagged.text

        response = await client.delete(
            f"{family.base}/imports/{body['id']}", headers=family.headers()
        )
        assert response.status_code == 200, response.text
        undone = response.json()
        assert undone["status"] == "undone"
        assert undone["removed"] == 3
        assert sorted(k["amount_minor"] for k in undone["kept"]) == [-6120, 250000]
        assert await account_amounts(session, family.private.id) == [-6120, 250000]
        assert await account_activity(session, family.private.id) == 250000 - 6120
        got = (
            await client.get(f"{family.base}/imports/{body['id']}", headers=family.headers())
        ).json()
        assert got["status"] == "undone"
        # Undone cannot be committed again.
        again = await client.post(
            f"{family.base}/imports/{body['id']}/commit", headers=family.headers()
        )
        assert again.status_code == 409

    async def test_payee_rules_suggest_and_apply_and_their_tags_do_not_pin_on_undo(
        self, client: httpx.AsyncClient, family: Family, session: AsyncSession
    ) -> None:
        # The household's habit says dining for Corner Cafe; its rule says groceries, renames
        # the payee and tags it. Another household's rule for the same payee changes nothing.
        for _ in range(3):
            await create_transaction(
                session, family.shared, payee="Corner Cafe", category_id=family.dining.id
            )
        await session.commit()
        for household, category_id in (
            (family, family.groceries.id),
            (family.other, family.other.groceries.id),
        ):
            created = await client.post(
                f"{household.base}/rules",
                headers=family.headers(family.owner if household is family else family.other.owner),
                json={
                    "name": "Cafe",
                    "conditions": {"payee": {"match": "contains", "value": "corner cafe"}},
                    "actions": {
                        "category_id": str(category_id),
                        "payee": "The Corner Cafe",
                        "tags": ["coffee"],
                    },
                },
            )
            assert created.status_code == 201, created.text

        body = await preview(client, family, MARCH)
        rows = await rows_of(client, family, body["id"])
        assert [r["category_id"] for r in rows] == [
            None,
            str(family.groceries.id),
            str(family.groceries.id),
            None,
            None,
        ]
        await commit(client, family, body["id"])
        cafe = (
            await session.scalars(
                select(Transaction).where(
                    Transaction.import_id == uuid.UUID(body["id"]),
                    Transaction.amount_minor == -450,
                )
            )
        ).all()
        assert [(t.payee, t.category_id) for t in cafe] == [
            ("The Corner Cafe", family.groceries.id)
        ] * 2
        tags = await session.scalars(
            select(TransactionTag.tag).where(
                TransactionTag.transaction_id.in_([t.id for t in cafe])
            )
        )
        assert list(tags) == ["coffee", "coffee"]

        undone = await client.delete(
            f"{family.base}/imports/{body['id']}", headers=family.headers()
        )
        assert undone.status_code == 200, undone.text
        assert (undone.json()["removed"], undone.json()["kept"]) == (5, [])

    async def test_discarding_a_preview(
        self, client: httpx.AsyncClient, family: Family, session: AsyncSession
    ) -> None:
        body = await preview(client, family, MARCH)
        response = await client.delete(
            f"{family.base}/imports/{body['id']}", headers=family.headers()
        )
        assert response.json() == {"status": "discarded", "removed": 0, "kept": []}
        assert (
            await session.scalar(
                select(func.count())
                .select_from(ImportRow)
                .where(ImportRow.household_id == family.household.id)
            )
            == 0
        )
        gone = await client.get(f"{family.base}/imports/{body['id']}", headers=family.headers())
        assert gone.status_code == 404

    async def test_undo_leaves_other_transactions_alone(
        self, client: httpx.AsyncClient, family: Family, session: AsyncSession
    ) -> None:
        typed = await create_transaction(
            session, family.private, posted_on=date(2024, 3, 20), amount_minor=-999
        )
        await session.commit()
        body = await preview(client, family, MARCH)
        await commit(client, family, body["id"])
        await client.delete(f"{family.base}/imports/{body['id']}", headers=family.headers())
        assert await account_amounts(session, family.private.id) == [typed.amount_minor]
        assert await account_activity(session, family.private.id) == -999


class TestBigFiles:
    async def test_read_and_committed_by_the_worker_with_progress(
        self,
        client: httpx.AsyncClient,
        family: Family,
        session: AsyncSession,
        run_jobs: RunJobs,
    ) -> None:
        # Above 2 MB (and the API's 1 MB default body limit), within the 20 MB import limit.
        filler_rows = 2 * 1024 * 1024 // 24 + 1
        filler = "2024-03-10,Filler,-1.00\n" * filler_rows
        body = await preview(client, family, MARCH + filler)
        assert body["status"] == "parsing"
        assert body["progress"] == 0
        assert body["format"] == ""
        url = f"{family.base}/imports/{body['id']}"

        assert (await run_jobs())[Outcome.DONE] == 1
        read = (await client.get(url, headers=family.headers())).json()
        assert read["status"] == "preview"
        assert read["progress"] == 1
        assert read["counts"]["total"] == 5 + filler_rows
        assert read["counts"]["new"] == 5 + filler_rows

        response = await client.post(f"{url}/commit", headers=family.headers())
        assert response.status_code == 202, response.text
        assert response.json() == {"status": "committing", "counts": None}
        assert await account_amounts(session, family.private.id) == []
        assert (await run_jobs())[Outcome.DONE] == 1
        done = await client.post(f"{url}/commit", headers=family.headers())
        assert done.json() == {
            "status": "committed",
            "counts": {"imported": 5 + filler_rows, "skipped": 0},
        }
        assert await account_activity(session, family.private.id) == sum(MARCH_AMOUNTS) - (
            100 * filler_rows
        )

    async def test_a_big_statement_in_another_currency_fails_in_the_worker(
        self,
        client: httpx.AsyncClient,
        family: Family,
        session: AsyncSession,
        run_jobs: RunJobs,
    ) -> None:
        record = (
            "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240305<TRNAMT>-1.00<FITID>{n}<NAME>Shop</STMTTRN>\n"
        )
        ofx = (
            "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\n"
            "CHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n"
            "<OFX><BANKMSGSRSV1><STMTTRNRS>"
            "<STMTRS><CURDEF>EUR<BANKACCTFROM><BANKID>1<ACCTID>2<ACCTTYPE>CHECKING"
            "</BANKACCTFROM><BANKTRANLIST>\n"
            + "".join(record.format(n=n) for n in range(30_000))
            + "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
        )
        body = await preview(client, family, ofx, filename="big.ofx")
        assert body["status"] == "parsing"
        assert (await run_jobs())[Outcome.DONE] == 1
        url = f"{family.base}/imports/{body['id']}"
        failed = (await client.get(url, headers=family.headers())).json()
        assert failed["status"] == "failed"
        assert "EUR" in failed["error"]
        assert failed["counts"]["total"] == 0
        response = await client.delete(url, headers=family.headers())
        assert response.json()["status"] == "discarded"
        assert await account_amounts(session, family.private.id) == []

    async def test_a_big_file_in_the_wrong_format_is_refused_at_once(
        self, client: httpx.AsyncClient, family: Family, session: AsyncSession
    ) -> None:
        before = await count_imports(session)
        response = await upload(client, family, b"\x00\xff" * (1024 * 1024 + 10))
        assert response.status_code == 422, response.text
        assert await count_imports(session) == before


class TestHistory:
    async def test_lists_our_imports_newest_first(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        first = await preview(client, family, MARCH)
        second = await preview(client, family, MARCH_LATER)
        response = await client.get(f"{family.base}/imports", headers=family.headers())
        assert response.status_code == 200
        assert [i["id"] for i in response.json()["items"]] == [second["id"], first["id"]]

    async def test_another_households_import_is_404(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        body = await preview(client, family, MARCH)
        other = family.other
        for method, suffix in (("GET", ""), ("GET", "/rows"), ("POST", "/commit")):
            response = await client.request(
                method,
                f"{other.base}/imports/{body['id']}{suffix}",
                headers=family.headers(other.owner),
            )
            assert response.status_code == 404, response.text
            assert response.json()["code"] == "import_not_found"
        listed = await client.get(f"{other.base}/imports", headers=family.headers(other.owner))
        assert [i["filename"] for i in listed.json()["items"]] == ["their-statement.csv"]
