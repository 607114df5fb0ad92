"""Transactions entered by hand are counted for the business dashboard, once saved."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.arrange import Family


def _created(app: FastAPI) -> float:
    value = app.state.metrics.registry.get_sample_value(
        "family_budget_transactions_created_total", {"source": "manual"}
    )
    return float(value or 0.0)


async def test_each_saved_transaction_counts_once(
    client: httpx.AsyncClient, app: FastAPI, family: Family
) -> None:
    body = {
        "account_id": str(family.private.id),
        "posted_on": "2024-03-10",
        "amount_minor": -4599,
        "payee": "Grocer",
    }
    created = await client.post(f"{family.base}/transactions", json=body, headers=family.headers())
    assert created.status_code == 201, created.text
    assert _created(app) == 1

    refused = await client.post(
        f"{family.base}/transactions",
        json={**body, "amount_minor": 1.5},
        headers=family.headers(),
    )
    assert refused.status_code == 422
    assert _created(app) == 1

    transfer = await client.post(
        f"{family.base}/transactions/transfers",
        json={
            "from_account_id": str(family.private.id),
            "to_account_id": str(family.shared.id),
            "amount_minor": 10_000,
            "posted_on": "2024-04-01",
        },
        headers=family.headers(),
    )
    assert transfer.status_code == 201, transfer.text
    assert _created(app) == 3  # a transfer is two transactions
    text = (await client.get("/metrics")).text
    assert 'family_budget_transactions_created_total{source="manual"} 3.0' in text
