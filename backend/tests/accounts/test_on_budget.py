"""Accounts are on-budget or tracking: loans and investments track by default."""

from __future__ import annotations

import httpx
import pytest

from tests.arrange import Family


class TestOnBudget:
    @pytest.mark.parametrize(
        ("kind", "expected"),
        [
            ("checking", True),
            ("savings", True),
            ("credit_card", True),
            ("cash", True),
            ("loan", False),
            ("investment", False),
        ],
    )
    async def test_default_by_kind(
        self, client: httpx.AsyncClient, family: Family, kind: str, expected: bool
    ) -> None:
        response = await client.post(
            f"{family.base}/accounts", json={"name": "A", "kind": kind}, headers=family.headers()
        )
        assert response.status_code == 201
        assert response.json()["on_budget"] is expected

    async def test_set_on_create_and_update(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        created = await client.post(
            f"{family.base}/accounts",
            json={"name": "Brokerage cash", "kind": "investment", "on_budget": True},
            headers=family.headers(),
        )
        assert created.json()["on_budget"] is True
        url = f"{family.base}/accounts/{created.json()['id']}"
        updated = await client.patch(url, json={"on_budget": False}, headers=family.headers())
        assert updated.json()["on_budget"] is False

    @pytest.mark.parametrize("value", [None, "yes", 1])
    async def test_invalid_is_422(
        self, client: httpx.AsyncClient, family: Family, value: object
    ) -> None:
        response = await client.patch(
            f"{family.base}/accounts/{family.private.id}",
            json={"on_budget": value},
            headers=family.headers(),
        )
        assert response.status_code == 422
