"""GET …/payees?q=: autocomplete over the household's payees with their usual category."""

from __future__ import annotations

from datetime import date

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.arrange import Family
from tests.factories import create_transaction


async def _payees(client: httpx.AsyncClient, family: Family, q: str, **kw: object) -> list[dict]:
    response = await client.get(
        f"{family.base}/payees",
        params={"q": q},
        headers=family.headers(kw.get("user")),  # type: ignore[arg-type]
    )
    assert response.status_code == 200, response.text
    items: list[dict] = response.json()["items"]
    return items


async def test_prefix_most_used_first_with_usual_category(
    client: httpx.AsyncClient, family: Family, session: AsyncSession
) -> None:
    for _ in range(3):
        await create_transaction(
            session, family.private, payee="Corner Cafe", category_id=family.dining.id
        )
    await create_transaction(
        session, family.private, payee="Corner Cafe", category_id=family.groceries.id
    )
    await create_transaction(session, family.private, payee="Corner Shop")
    await create_transaction(session, family.private, payee="Rent")
    # The neighbours' payees never show, however often they use them.
    for _ in range(5):
        await create_transaction(
            session,
            family.other.checking,
            payee="Corner Bakery",
            category_id=family.other.groceries.id,
        )
    await session.commit()

    assert await _payees(client, family, "cor") == [
        {"payee": "Corner Cafe", "uses": 4, "category_id": str(family.dining.id)},
        {"payee": "Corner Shop", "uses": 1, "category_id": None},
    ]
    assert await _payees(client, family, "%") == []


async def test_a_tie_goes_to_the_most_recently_used_category(
    client: httpx.AsyncClient, family: Family, session: AsyncSession
) -> None:
    await create_transaction(
        session,
        family.private,
        payee="Market",
        category_id=family.groceries.id,
        posted_on=date(2024, 1, 5),
    )
    await create_transaction(
        session,
        family.private,
        payee="Market",
        category_id=family.dining.id,
        posted_on=date(2024, 2, 5),
    )
    await session.commit()
    assert await _payees(client, family, "Mar") == [
        {"payee": "Market", "uses": 2, "category_id": str(family.dining.id)}
    ]


async def test_a_teen_sees_payees_of_shared_accounts_only(
    client: httpx.AsyncClient, family: Family, session: AsyncSession
) -> None:
    await create_transaction(session, family.shared, payee="Arcade")
    await create_transaction(session, family.private, payee="Anniversary dinner")
    await session.commit()
    assert [p["payee"] for p in await _payees(client, family, "a", user=family.teen)] == ["Arcade"]
    assert [p["payee"] for p in await _payees(client, family, "a")] == [
        "Anniversary dinner",
        "Arcade",
    ]
