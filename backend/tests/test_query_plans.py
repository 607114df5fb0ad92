"""Every statement the household pages send reads the household's rows through an index, never by
scanning a whole table of every household's data.

The budget view, the reports and the lists are the hot paths (docs/benchmarks.md); a query that
loses its household condition still gives the right answer when another condition (an id
already known to be the household's) narrows it, but it then reads every household's rows. This
test catches that: each statement sent while answering the requests below is explained on SQLite
(EXPLAIN QUERY PLAN) and no plan may SCAN a table of household data. PostgreSQL chooses
sequential scans for small tables by cost, so its plans say nothing here; the test runs on SQLite.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from family_budget.bills.schemas import ScheduledCreate
from family_budget.bills.service import create_scheduled
from family_budget.config import Settings
from tests.arrange import Family
from tests.factories import create_transaction

HOUSEHOLD_TABLES = {
    "accounts",
    "account_shares",
    "activity_totals",
    "budget_assignments",
    "categories",
    "category_groups",
    "invitations",
    "memberships",
    "rules",
    "scheduled_occurrences",
    "scheduled_transactions",
    "budget_alert_settings",
    "transaction_splits",
    "transaction_tags",
    "transactions",
}
_SCAN = re.compile(r"\bSCAN (\w+)")
# Scans known today, each a finding to fix (docs/testing.md), kept out of the check so that it
# catches new ones: statement start -> why it scans.
KNOWN_SCANS = {
    # Merging a category recomputes the monthly totals of the buckets holding its money, found
    # by category id alone: no index starts with category_id.
    "SELECT DISTINCT transactions.account_id, transactions.posted_on FROM transactions WHERE "
    "transactions.category_id IN": "buckets_of_category has no household condition",
    "SELECT DISTINCT transactions.account_id, transaction_splits.posted_on FROM "
    "transaction_splits": "buckets_of_category has no household condition",
    # Deleting a category makes the database null or delete the rows that name it (ON DELETE
    # SET NULL / CASCADE), looked up by category_id alone.
    "DELETE FROM categories WHERE": "foreign keys on category_id have no index of their own",
}


@dataclass(frozen=True)
class Sent:
    statement: str
    parameters: Any


@pytest.fixture
def sent(connection: AsyncConnection) -> Iterator[list[Sent]]:
    statements: list[Sent] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append(Sent(statement, parameters))

    event.listen(connection.sync_connection, "before_cursor_execute", record)
    yield statements
    event.remove(connection.sync_connection, "before_cursor_execute", record)


def _requests(family: Family) -> list[tuple[str, str, dict[str, Any] | None]]:
    groceries, dining = str(family.groceries.id), str(family.dining.id)
    return [
        ("GET", "/accounts", None),
        ("GET", f"/accounts/{family.shared.id}", None),
        ("GET", f"/transactions?category_id={groceries}&tag=coffee", None),
        # Text search: payee, memo, category names (and split lines') and an amount.
        ("GET", "/transactions?q=12.50", None),
        ("GET", "/categories?include_hidden=true", None),
        ("GET", "/budgets/2024-03", None),
        # Partial months at both edges: raw rows as well as the monthly totals.
        ("GET", "/reports/spending-by-category?from=2024-01-15&to=2024-03-10", None),
        ("GET", "/reports/income-vs-expenses?months=6&end=2024-03", None),
        ("GET", "/reports/net-worth?months=6&end=2024-03", None),
        ("POST", "/categories/groups", {"name": "New group"}),
        ("POST", "/categories", {"group_id": str(family.group.id), "name": "New"}),
        ("POST", "/budgets/2024-04/copy-previous", None),
        ("POST", f"/categories/{groceries}/merge", {"into_category_id": dining}),
        ("GET", "/rules", None),
        (
            "POST",
            "/rules",
            {
                "name": "Shop",
                "conditions": {"payee": {"match": "contains", "value": "shop"}},
                "actions": {"category_id": groceries, "tags": ["shop"]},
            },
        ),
        # The bill calendar (our bill is monthly from 2024-01-31), and a write of this month's
        # money, which checks the budget alert thresholds.
        ("GET", "/bills?from=2024-01-01&to=2024-03-31", None),
        (
            "POST",
            "/transactions",
            {
                "account_id": str(family.private.id),
                "posted_on": datetime.now(UTC).date().isoformat(),
                "amount_minor": -1_000,
                "category_id": groceries,
            },
        ),
    ]


@pytest.mark.parametrize("index", range(17))
async def test_household_pages_read_through_indexes(
    index: int,
    client: httpx.AsyncClient,
    connection: AsyncConnection,
    settings: Settings,
    family: Family,
    session: AsyncSession,
    sent: list[Sent],
) -> None:
    if not settings.is_sqlite:
        pytest.skip("SQLite's plans are checked; PostgreSQL scans small tables by cost")
    requests = _requests(family)
    assert len(requests) == 17  # one test per request: keep the parametrization in step
    await create_scheduled(
        session,
        family.context(),
        ScheduledCreate(
            account_id=family.private.id,
            payee="Rent",
            amount_minor=-100_000,
            rrule="FREQ=MONTHLY",
            starts_on=date(2024, 1, 31),
        ),
    )
    await session.commit()
    method, path, body = requests[index]
    sent.clear()

    response = await client.request(
        method, f"{family.base}{path}", json=body, headers=family.headers()
    )

    assert response.is_success, response.text
    await _check_plans(connection, sent, f"{method} {path}")


@pytest.mark.parametrize("dry_run", ["true", "false"])
async def test_applying_a_rule_reads_through_indexes(
    dry_run: str,
    client: httpx.AsyncClient,
    connection: AsyncConnection,
    settings: Settings,
    family: Family,
    session: AsyncSession,
    sent: list[Sent],
) -> None:
    if not settings.is_sqlite:
        pytest.skip("SQLite's plans are checked; PostgreSQL scans small tables by cost")
    # Ours to change (the other household's "Their payee" rows match the text too).
    await create_transaction(session, family.private, payee="Our payee")
    await session.commit()
    created = await client.post(
        f"{family.base}/rules",
        json={
            "name": "Theirs too",
            "conditions": {"payee": {"match": "contains", "value": "payee"}},
            "actions": {"category_id": str(family.groceries.id), "tags": ["t"]},
        },
        headers=family.headers(),
    )
    assert created.status_code == 201, created.text
    sent.clear()

    response = await client.post(
        f"{family.base}/rules/{created.json()['id']}/apply",
        params={"dry_run": dry_run},
        headers=family.headers(),
    )

    assert response.is_success, response.text
    assert response.json()["changed"] == 1
    await _check_plans(connection, sent, f"apply (dry_run={dry_run})")


async def _check_plans(connection: AsyncConnection, sent: list[Sent], what: str) -> None:
    statements = [
        s for s in sent if s.statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE"))
    ]
    assert statements, f"{what} sent no statement"
    scans = []
    for item in statements:
        if " ".join(item.statement.split()).startswith(tuple(KNOWN_SCANS)):
            continue
        plan = await connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + item.statement, item.parameters
        )
        for row in plan.all():
            for table in _SCAN.findall(str(row[-1])):
                if re.sub(r"_\d+$", "", table) in HOUSEHOLD_TABLES:
                    scans.append(f"{row[-1]}\n    in: {' '.join(item.statement.split())[:300]}")
    assert not scans, f"{what} scans whole tables:\n" + "\n".join(scans)
