"""Moving money with real parallel requests on real commits: each move adds to the month's
assignments in one statement, so parallel moves into and out of the same categories all land
and none is lost (a read-then-write would keep only the last). Runs on the suite's database
(PostgreSQL in CI) in a household made for the test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from family_budget.config import Settings
from tests.committed import CommittedHousehold, committed_household

MOVES = 12


@pytest.fixture
async def household(settings: Settings) -> AsyncIterator[CommittedHousehold]:
    async with committed_household(settings) as home:
        yield home


def _by_name(month: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {line["name"]: line for group in month["groups"] for line in group["categories"]}


async def test_parallel_moves_all_land(household: CommittedHousehold) -> None:
    home = household
    month = (await home.client.get(f"{home.base}/budgets/2024-03", headers=home.headers)).json()
    lines = _by_name(month)
    source, destination = lines["Groceries"]["category_id"], lines["Dining out"]["category_id"]
    moved = await asyncio.gather(
        *(
            home.client.post(
                f"{home.base}/budgets/2024-03/move",
                json={
                    "from_category_id": source if n % 2 else None,
                    "to_category_id": destination,
                    "amount_minor": 100,
                },
                headers=home.headers,
            )
            for n in range(MOVES)
        )
    )
    assert [answer.status_code for answer in moved] == [200] * MOVES
    after = _by_name(
        (await home.client.get(f"{home.base}/budgets/2024-03", headers=home.headers)).json()
    )
    assert after["Dining out"]["assigned_minor"] == 100 * MOVES
    assert after["Groceries"]["assigned_minor"] == -100 * (MOVES // 2)
