"""Idempotency-Key on POST (hardening audit item 8): twenty identical parallel POSTs recorded
the money twenty times. Stripe's semantics, for every POST route, in one middleware."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.config import Settings
from family_budget.idempotency import KEPT_FOR, purge
from family_budget.models import IdempotencyKey, Transaction
from tests.arrange import Family
from tests.committed import CommittedHousehold, committed_household


def _expense(family: Family, payee: str, amount_minor: int = -1_234) -> dict[str, Any]:
    return {
        "account_id": str(family.private.id),
        "posted_on": "2024-03-05",
        "amount_minor": amount_minor,
        "payee": payee,
    }


async def _count_payee(session: AsyncSession, family: Family, payee: str) -> int:
    statement = select(func.count()).where(
        Transaction.household_id == family.household.id, Transaction.payee == payee
    )
    return int((await session.execute(statement)).scalar_one())


async def test_a_retry_with_the_same_key_gets_the_same_answer_and_no_second_effect(
    client: httpx.AsyncClient, session: AsyncSession, family: Family
) -> None:
    headers = {**family.headers(), "Idempotency-Key": "create-rent-1"}
    body = _expense(family, "Landlord")

    first = await client.post(f"{family.base}/transactions", json=body, headers=headers)
    again = await client.post(f"{family.base}/transactions", json=body, headers=headers)

    assert first.status_code == 201
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["etag"] == first.headers["etag"]
    assert "idempotent-replayed" not in first.headers
    assert await _count_payee(session, family, "Landlord") == 1


async def test_the_same_key_for_another_request_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, family: Family
) -> None:
    headers = {**family.headers(), "Idempotency-Key": "k-2"}
    first = await client.post(
        f"{family.base}/transactions", json=_expense(family, "Bakery"), headers=headers
    )
    other = await client.post(
        f"{family.base}/transactions", json=_expense(family, "Bakery", -999), headers=headers
    )
    elsewhere = await client.post(
        f"{family.base}/accounts",
        json={"name": "Cash", "kind": "cash", "opening_balance_minor": 0},
        headers=headers,
    )

    assert first.status_code == 201
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (422, "idempotency_key_reused")
    assert await _count_payee(session, family, "Bakery") == 1


async def test_keys_belong_to_one_user(
    client: httpx.AsyncClient, session: AsyncSession, family: Family
) -> None:
    body = _expense(family, "Pharmacy")
    owner = await client.post(
        f"{family.base}/transactions",
        json=body,
        headers={**family.headers(family.owner), "Idempotency-Key": "same"},
    )
    adult = await client.post(
        f"{family.base}/transactions",
        json=body,
        headers={**family.headers(family.adult), "Idempotency-Key": "same"},
    )
    assert (owner.status_code, adult.status_code) == (201, 201)
    assert owner.json()["id"] != adult.json()["id"]
    assert await _count_payee(session, family, "Pharmacy") == 2


async def test_a_refused_request_is_not_kept_so_a_corrected_retry_runs(
    client: httpx.AsyncClient, session: AsyncSession, family: Family
) -> None:
    headers = {**family.headers(), "Idempotency-Key": "bad-1"}
    body = {**_expense(family, "Shop"), "amount_minor": "12.50"}
    first = await client.post(f"{family.base}/transactions", json=body, headers=headers)
    again = await client.post(f"{family.base}/transactions", json=body, headers=headers)
    assert first.status_code == again.status_code == 422
    assert "idempotent-replayed" not in again.headers
    # The same key, now with a body that works: it runs, once.
    fixed = {**body, "amount_minor": -1_250}
    created = await client.post(f"{family.base}/transactions", json=fixed, headers=headers)
    replayed = await client.post(f"{family.base}/transactions", json=fixed, headers=headers)
    assert (created.status_code, replayed.status_code) == (201, 201)
    assert replayed.headers["idempotent-replayed"] == "true"
    assert await _count_payee(session, family, "Shop") == 1


@pytest.mark.parametrize("key", ["", "k" * 256, "clé", "tab\there"])
async def test_a_malformed_key_is_400_and_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession, family: Family, key: str
) -> None:
    response = await client.post(
        f"{family.base}/transactions",
        json=_expense(family, "Nowhere"),
        headers={**family.headers(), "Idempotency-Key": key.encode()},
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid_idempotency_key")
    assert await _count_payee(session, family, "Nowhere") == 0


async def test_without_a_valid_token_the_route_answers_as_usual(
    client: httpx.AsyncClient, family: Family
) -> None:
    response = await client.post(
        f"{family.base}/transactions",
        json=_expense(family, "Anyone"),
        headers={"Idempotency-Key": "anon", "Authorization": "Bearer not-a-token"},
    )
    assert (response.status_code, response.json()["code"]) == (401, "invalid_token")


async def test_a_key_past_its_24_hours_runs_again(
    client: httpx.AsyncClient, session: AsyncSession, family: Family
) -> None:
    headers = {**family.headers(), "Idempotency-Key": "old"}
    body = _expense(family, "Garage")
    assert (
        await client.post(f"{family.base}/transactions", json=body, headers=headers)
    ).status_code == 201
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.user_id == family.owner.id, IdempotencyKey.key == "old")
        .values(created_at=datetime.now(UTC) - KEPT_FOR - timedelta(minutes=1))
    )
    again = await client.post(f"{family.base}/transactions", json=body, headers=headers)
    assert again.status_code == 201
    assert "idempotent-replayed" not in again.headers
    assert await _count_payee(session, family, "Garage") == 2


async def test_purge_removes_only_keys_past_their_24_hours(
    session: AsyncSession, family: Family
) -> None:
    now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    for name, age in (
        ("old", KEPT_FOR + timedelta(seconds=1)),
        ("young", KEPT_FOR - timedelta(seconds=1)),
    ):
        session.add(
            IdempotencyKey(
                user_id=family.owner.id,
                key=name,
                fingerprint="0" * 64,
                created_at=now - age,
                status_code=201,
            )
        )
    await session.flush()

    assert await purge(session, now) == 1
    left = await session.scalars(
        select(IdempotencyKey.key).where(IdempotencyKey.user_id == family.owner.id)
    )
    assert list(left) == ["young"]


@pytest.fixture
async def household(settings: Settings) -> AsyncIterator[CommittedHousehold]:
    async with committed_household(settings) as home:
        yield home


async def test_parallel_requests_with_one_key_have_one_effect(
    household: CommittedHousehold,
) -> None:
    home = household
    account = await home.client.post(
        f"{home.base}/accounts",
        json={"name": "Checking", "kind": "checking", "opening_balance_minor": 0},
        headers=home.headers,
    )
    body = {"account_id": account.json()["id"], "posted_on": "2024-03-01", "amount_minor": -500}
    key = str(uuid.uuid4())
    answers = await asyncio.gather(
        *(
            home.client.post(
                f"{home.base}/transactions",
                json=body,
                headers={**home.headers, "Idempotency-Key": key},
            )
            for _ in range(20)
        )
    )
    created = [answer for answer in answers if answer.status_code == 201]
    in_progress = [answer for answer in answers if answer.status_code == 409]
    assert len(created) + len(in_progress) == 20
    assert {answer.json()["id"] for answer in created} == {created[0].json()["id"]}
    assert all(answer.json()["code"] == "idempotency_key_in_progress" for answer in in_progress)
    listed = await home.client.get(f"{home.base}/transactions", headers=home.headers)
    assert len(listed.json()["items"]) == 1
