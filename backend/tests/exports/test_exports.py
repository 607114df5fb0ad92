"""Exports through the API and the worker: the files' exact contents, the second household's
absence, the statement's figures against the API's own, and the 30-day expiry."""

from __future__ import annotations

import csv
import io
import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.config import Settings
from family_budget.models import Export
from family_budget.storage import storages_for
from family_budget.worker.jobs import JobContext, drain, registered_jobs
from family_budget.worker.schedule import schedule_due
from tests.exports.conftest import HYPERLINK, Ledger, RunJobs


async def request_export(
    client: httpx.AsyncClient, ledger: Ledger, kind: str, starts: str, ends: str
) -> dict[str, Any]:
    response = await client.post(
        f"{ledger.base}/exports",
        headers=ledger.headers(),
        json={"kind": kind, "from": starts, "to": ends},
    )
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


async def made_export(
    client: httpx.AsyncClient, ledger: Ledger, run_jobs: RunJobs, kind: str, starts: str, ends: str
) -> tuple[dict[str, Any], bytes]:
    queued = await request_export(client, ledger, kind, starts, ends)
    await run_jobs()
    read = await client.get(f"{ledger.base}/exports/{queued['id']}", headers=ledger.headers())
    body: dict[str, Any] = read.json()
    assert body["status"] == "ready", body
    # The link works on its own, without the session (as a browser download would).
    file = await client.get(urlsplit(body["download_url"]).path)
    assert file.status_code == 200
    assert file.headers["cache-control"] == "private, no-store"
    assert file.headers["content-disposition"].startswith("attachment;")
    return body, file.content


async def _exports_of(session: AsyncSession, household_id: uuid.UUID) -> int:
    """A household's exports (the arrangement's neighbour has one of its own)."""
    return int(
        await session.scalar(select(func.count()).where(Export.household_id == household_id)) or 0
    )


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


class TestRequest:
    async def test_queued_then_ready(
        self, client: httpx.AsyncClient, ledger: Ledger, run_jobs: RunJobs
    ) -> None:
        queued = await request_export(client, ledger, "budget_csv", "2026-11-01", "2026-11-30")
        assert queued["status"] == "queued"
        pending = await client.get(
            f"{ledger.base}/exports/{queued['id']}", headers=ledger.headers()
        )
        assert pending.json()["status"] == "queued"
        assert pending.json()["download_url"] is None

        await run_jobs()

        ready = (
            await client.get(f"{ledger.base}/exports/{queued['id']}", headers=ledger.headers())
        ).json()
        assert ready["status"] == "ready"
        assert ready["from"] == "2026-11-01"
        assert ready["to"] == "2026-11-30"
        assert ready["filename"] == "budget-2026-11-to-2026-11.csv"
        assert ready["size_bytes"] > 0
        created = datetime.fromisoformat(ready["created_at"])
        assert datetime.fromisoformat(ready["expires_at"]) - created == timedelta(days=30)
        listed = await client.get(f"{ledger.base}/exports", headers=ledger.headers())
        assert [e["id"] for e in listed.json()["items"]] == [queued["id"]]

    @pytest.mark.parametrize(
        ("body", "code"),
        [
            ({"kind": "budget_csv", "from": "2026-11-30", "to": "2026-11-01"}, "invalid_range"),
            (
                {"kind": "monthly_statement_pdf", "from": "2026-10-01", "to": "2026-11-30"},
                "statement_spans_months",
            ),
            ({"kind": "budget_csv", "from": "2016-01-01", "to": "2026-11-30"}, "range_too_long"),
            ({"kind": "everything_zip", "from": "2026-11-01", "to": "2026-11-30"}, None),
            ({"kind": "budget_csv", "from": "2026-11-01"}, None),
        ],
    )
    async def test_invalid_requests_change_nothing(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        ledger: Ledger,
        body: dict[str, str],
        code: str | None,
    ) -> None:
        response = await client.post(f"{ledger.base}/exports", headers=ledger.headers(), json=body)
        assert response.status_code == 422
        assert response.json()["code"] == (code or "validation_error")
        assert await _exports_of(session, ledger.household.id) == 0

    async def test_another_household_cannot_read_an_export(
        self, client: httpx.AsyncClient, ledger: Ledger
    ) -> None:
        queued = await request_export(client, ledger, "budget_csv", "2026-11-01", "2026-11-30")
        other_base = f"/api/v1/households/{ledger.other_household.id}"
        response = await client.get(
            f"{other_base}/exports/{queued['id']}", headers=ledger.headers(ledger.outsider)
        )
        assert response.status_code == 404
        assert response.json()["code"] == "export_not_found"


class TestTransactionsCsv:
    async def test_one_row_per_split_line_and_nothing_of_theirs(
        self, client: httpx.AsyncClient, ledger: Ledger, run_jobs: RunJobs
    ) -> None:
        body, data = await made_export(
            client, ledger, run_jobs, "transactions_csv", "2026-11-01", "2026-11-30"
        )
        assert body["filename"] == "transactions-2026-11-01-to-2026-11-30.csv"
        assert body["content_type"] == "text/csv; charset=utf-8"
        rows = read_csv(data)
        ids = {name: str(value) for name, value in ledger.ids.items()}

        assert rows[0] == [
            "Date", "Account", "Payee", "Category group", "Category", "Memo", "Tags", "Amount",
            "Currency", "Status", "Transaction ID",
        ]  # fmt: skip
        # Split lines of one transaction come in no particular order: compare as a multiset,
        # and the dates in order.
        assert sorted(rows[1:]) == sorted(
            [
                ["2026-11-01", "Joint checking", "Acme Corp", "Income", "Salary", "November pay",
                 "", "3000.00", "USD", "posted", ids["pay"]],
                ["2026-11-03", "Visa", "'" + HYPERLINK, "Everyday", "Groceries", "'@SUM(A1:A9)",
                 "'+cmd, food", "-123.45", "USD", "posted", ids["shop"]],
                ["2026-11-10", "Visa", "Farmers Market", "Everyday", "Groceries", "'-2+3", "",
                 "-50.00", "USD", "posted", ids["market"]],
                ["2026-11-10", "Visa", "Farmers Market", "Everyday", "Dining out", "Market day",
                 "", "-30.00", "USD", "posted", ids["market"]],
                ["2026-11-15", "Joint checking", "", "", "", "Save", "", "-200.00", "USD",
                 "posted", rows[5][10] if rows[5][7] == "-200.00" else rows[6][10]],
                ["2026-11-15", "Savings", "", "", "", "Save", "", "200.00", "USD", "posted",
                 rows[6][10] if rows[6][7] == "200.00" else rows[5][10]],
                ["2026-11-20", "Visa", "Pizza Place", "Everyday", "Dining out", "", "",
                 "-45.50", "USD", "posted", ids["pizza"]],
                ["2026-11-25", "Joint checking", "Corner Store", "", "", "", "", "-19.99", "USD",
                 "posted", ids["corner"]],
            ]
        )  # fmt: skip
        dates = [row[0] for row in rows[1:]]
        assert dates == sorted(dates)
        text = data.decode("utf-8-sig")
        for theirs in ("Secret Payee B", "Their Employer", "Their checking", "October thing"):
            assert theirs not in text
        # The amounts add up to the month's net movement, to the cent.
        assert (
            sum(round(float(row[7]) * 100) for row in rows[1:])
            == 300_000 - 12_345 - 8_000 - 4_550 - 1_999
        )


class TestBudgetCsv:
    async def test_every_category_of_every_month(
        self, client: httpx.AsyncClient, ledger: Ledger, run_jobs: RunJobs
    ) -> None:
        _, data = await made_export(
            client, ledger, run_jobs, "budget_csv", "2026-10-15", "2026-11-02"
        )
        assert read_csv(data) == [
            ["Month", "Group", "Category", "Assigned", "Activity", "Available", "Currency"],
            ["2026-10", "Everyday", "Groceries", "0.00", "0.00", "0.00", "USD"],
            ["2026-10", "Everyday", "Dining out", "0.00", "0.00", "0.00", "USD"],
            ["2026-11", "Everyday", "Groceries", "400.00", "-173.45", "226.55", "USD"],
            ["2026-11", "Everyday", "Dining out", "150.00", "-75.50", "74.50", "USD"],
        ]


def _usd(amount_minor: int) -> str:
    """Written independently of the app's formatter: 1234567 -> '12,345.67 USD'."""
    sign = "-" if amount_minor < 0 else ""
    dollars, cents = divmod(abs(amount_minor), 100)
    return f"{sign}{dollars:,}.{cents:02d} USD"


class TestMonthlyStatement:
    async def test_figures_match_the_api(
        self, client: httpx.AsyncClient, ledger: Ledger, run_jobs: RunJobs
    ) -> None:
        body, data = await made_export(
            client, ledger, run_jobs, "monthly_statement_pdf", "2026-11-01", "2026-11-30"
        )
        assert body["filename"] == "statement-2026-11.pdf"
        assert data.startswith(b"%PDF-")
        reader = PdfReader(io.BytesIO(data))
        # Layout mode keeps a table row on one line; spaces are normalized.
        lines = [
            " ".join(line.split())
            for page in reader.pages
            for line in page.extract_text(extraction_mode="layout").splitlines()
        ]
        text = "\n".join(lines)

        def after(label: str, *, words_first: bool = False) -> str:
            """What is printed after `label` on its row: figures (an account's kind first)."""
            for line in lines:
                if not (line.startswith(label + " ") and line.endswith(" USD")):
                    continue
                rest = line[len(label) + 1 :]
                if words_first or not rest[0].isalpha():
                    return rest
            raise AssertionError(f"no row {label!r} with figures in:\n{text}")

        assert "Monthly statement: November 2026" in text
        assert "The Parkers" in text
        headers = ledger.headers()
        budget = (await client.get(f"{ledger.base}/budgets/2026-11", headers=headers)).json()
        flows = (
            await client.get(
                f"{ledger.base}/reports/income-vs-expenses",
                headers=headers,
                params={"end": "2026-11", "months": 1},
            )
        ).json()["months"][0]
        worth = (
            await client.get(
                f"{ledger.base}/reports/net-worth",
                headers=headers,
                params={"end": "2026-11", "months": 1},
            )
        ).json()["months"][0]
        accounts = (await client.get(f"{ledger.base}/accounts", headers=headers)).json()

        # Budget against actual, per category, as the budget endpoint has it.
        for group in budget["groups"]:
            assert after(group["name"]) == " ".join(
                [
                    _usd(group["assigned_minor"]),
                    _usd(-group["activity_minor"]),
                    _usd(group["available_minor"]),
                ]
            )
            for category in group["categories"]:
                assert after(category["name"]) == " ".join(
                    [
                        _usd(category["assigned_minor"]),
                        _usd(-category["activity_minor"]),
                        _usd(category["available_minor"]),
                    ]
                )
        # ... and as arranged, independently of the API.
        assert after("Groceries") == f"{_usd(40_000)} {_usd(17_345)} {_usd(22_655)}"
        assert after("Dining out") == f"{_usd(15_000)} {_usd(7_550)} {_usd(7_450)}"
        # Income against expenses, as the report has it.
        assert after("Income") == _usd(flows["income_minor"])
        assert after("Expenses") == _usd(flows["expenses_minor"])
        assert after("Net") == _usd(flows["net_minor"])
        assert (flows["income_minor"], flows["expenses_minor"]) == (300_000, 26_894)
        # Balances (no money moved after November, so today's equal November's end).
        for account in accounts:
            balance = after(account["name"], words_first=True)
            assert balance.endswith(_usd(account["balance_minor"]))
        assert after("Joint checking", words_first=True) == f"checking {_usd(377_001)}"
        assert after("Visa", words_first=True) == f"credit card {_usd(-24_895)}"
        assert after("Assets") == _usd(worth["assets_minor"])
        assert after("Liabilities") == _usd(worth["liabilities_minor"])
        assert after("Net worth") == _usd(worth["net_worth_minor"])
        assert worth["net_worth_minor"] == 377_001 + 70_000 - 24_895
        # The biggest payees, biggest first.
        payees = [line for line in lines if line.endswith(" USD") and line.split()[-3] == "1"]
        assert payees == [
            f"{HYPERLINK} 1 {_usd(12_345)}",
            f"Farmers Market 1 {_usd(8_000)}",
            f"Pizza Place 1 {_usd(4_550)}",
            f"Corner Store 1 {_usd(1_999)}",
        ]
        # The chart's legend is drawn text too.
        assert "Assigned" in text
        assert "Spent" in text
        for theirs in ("Secret Payee B", "Their Employer", "Their food", "777.00", "999.00"):
            assert theirs not in text


class TestExpiry:
    async def test_gone_after_thirty_days_in_the_folder(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        session_factory: async_sessionmaker[AsyncSession],
        ledger: Ledger,
        run_jobs: RunJobs,
    ) -> None:
        body, _ = await made_export(
            client, ledger, run_jobs, "budget_csv", "2026-11-01", "2026-11-30"
        )
        storage = storages_for(settings).exports
        # Read before the session's objects are expired below.
        base, household_id, headers = ledger.base, ledger.household.id, ledger.headers()
        prefix = f"{household_id}/{body['id']}/"
        assert [o.key for o in storage.list(prefix)] == [f"{prefix}{body['filename']}"]
        # A file no row names, left by a crash between storing and recording, 31 days old.
        orphan = f"{household_id}/orphan/old.csv"
        storage.put(orphan, b"old", content_type="text/csv")
        old = (datetime.now(UTC) - timedelta(days=31)).timestamp()
        os.utime(storage.path_of(orphan), (old, old))  # type: ignore[attr-defined]

        # The first daily purge after the export expired (expiry + 4 hours missed it whenever
        # the test ran between 20:00 and 23:27 UTC: that lands before the next day's 03:27).
        expires_at = datetime.fromisoformat(body["expires_at"]).astimezone(UTC)
        purge_at = registered_jobs()["exports.purge_expired"].at
        later = datetime.combine(expires_at.date(), purge_at, tzinfo=UTC)
        if later <= expires_at:
            later += timedelta(days=1)
        scheduled = await schedule_due(session_factory, later)
        assert f"exports.purge_expired@{later.date().isoformat()}" in scheduled
        await drain(JobContext(settings, session_factory, now=later))

        assert storage.list(prefix) == []
        assert storage.list(f"{household_id}/orphan/") == []
        session.expire_all()
        assert await _exports_of(session, household_id) == 0
        response = await client.get(f"{base}/exports/{body['id']}", headers=headers)
        assert response.status_code == 404

    async def test_an_expired_export_reads_as_gone_before_the_purge(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        ledger: Ledger,
        run_jobs: RunJobs,
    ) -> None:
        body, _ = await made_export(
            client, ledger, run_jobs, "budget_csv", "2026-11-01", "2026-11-30"
        )
        export = await session.get(Export, uuid.UUID(body["id"]))
        assert export is not None
        export.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        await session.commit()

        response = await client.get(f"{ledger.base}/exports/{body['id']}", headers=ledger.headers())
        listed = await client.get(f"{ledger.base}/exports", headers=ledger.headers())

        assert response.status_code == 404
        assert listed.json()["items"] == []
