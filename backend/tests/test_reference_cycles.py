"""The hot pages leave nothing in reference cycles (issue 16): whatever a request builds is freed
by reference counting when it ends. Objects left in cycles wait for the cyclic collector, whose
full collections over a worker's heap were the pauses that set the API's p99.

The requests are ASGI calls straight into the app, so that only the app's own objects count (an
HTTP client's would be counted too). Each page is warmed up first: caches filled on the first
request live on by design."""

from __future__ import annotations

import asyncio
import gc
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tests.arrange import Family
from tests.factories import assign_budget, create_split, create_transaction

PAGES = {
    "transactions page": "/transactions?from=2026-03-01&to=2026-03-31&limit=100",
    "month view": "/budgets/2026-03",
    "year report": "/reports/spending-by-category?from=2025-03-15&to=2026-03-14",
}


async def _get(app: FastAPI, path_and_query: str, headers: dict[str, str]) -> int:
    path, _, query = path_and_query.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver")]
        + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 443),
        "state": {},
    }
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


@pytest.fixture
async def busy_family(session: AsyncSession, family: Family) -> Family:
    """A month with plain, split and categorized rows and a budget; the other household has
    money in the same month."""
    for day in range(1, 29):
        await create_transaction(
            session, family.private, posted_on=date(2026, 3, day), amount_minor=-1_250 - day
        )
        split = await create_transaction(
            session, family.private, posted_on=date(2026, 3, day), amount_minor=-900, is_split=True
        )
        await create_split(session, split, family.groceries, -400)
        await create_split(session, split, family.dining, -500)
        await create_transaction(
            session, family.other.checking, posted_on=date(2026, 3, day), amount_minor=-3_000
        )
    await assign_budget(session, family.groceries, date(2026, 3, 1), 50_000)
    await session.commit()
    return family


@pytest.mark.parametrize("page", list(PAGES))
async def test_a_request_leaves_no_reference_cycles(
    app: FastAPI, busy_family: Family, page: str
) -> None:
    path = busy_family.base + PAGES[page]
    headers = busy_family.headers()
    for _ in range(3):
        assert await _get(app, path, headers) == 200
    # Collecting may finalize an earlier test's clients, whose sockets finish closing on later
    # turns of the event loop (and leave cycles of their own): collect until nothing is left
    # (a bounded number of times), so that only the measured request counts.
    for _ in range(20):
        await asyncio.sleep(0.01)
        if gc.collect() == 0:
            break
    gc.disable()
    try:
        assert await _get(app, path, headers) == 200
        left_in_cycles = gc.collect()
    finally:
        gc.enable()
    assert left_in_cycles == 0
