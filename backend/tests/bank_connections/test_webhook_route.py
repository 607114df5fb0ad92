"""POST /api/v1/webhooks/plaid: verified or refused with nothing changed, rate limited, queued."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.config import Settings
from family_budget.models import Job
from tests.arrange import Family
from tests.bank_connections.bank import item_id_of, link_bank, run_jobs
from tests.plaid_support import DemoBankUnderTest

pytestmark = pytest.mark.usefixtures("bank_app")

URL = "/api/v1/webhooks/plaid"


def _body(item_id: str) -> bytes:
    return json.dumps(
        {
            "environment": "sandbox",
            "item_id": item_id,
            "webhook_code": "SYNC_UPDATES_AVAILABLE",
            "webhook_type": "TRANSACTIONS",
            "initial_update_complete": True,
            "historical_update_complete": True,
        },
        indent=2,
    ).encode()


async def _post(client: httpx.AsyncClient, raw: bytes, signature: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Plaid-Verification"] = signature
    return await client.post(URL, content=raw, headers=headers)


async def _jobs(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Job)) or 0)


def _webhook_counts(app: FastAPI, verification: str) -> float:
    total = 0.0
    for metric in app.state.metrics.registry.collect():
        for sample in metric.samples:
            if (
                sample.name == "family_budget_plaid_webhooks_total"
                and sample.labels["verification"] == verification
            ):
                total += sample.value
    return total


@pytest.fixture
async def linked(
    client: httpx.AsyncClient,
    family: Family,
    demo_bank: DemoBankUnderTest,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    bank_settings: Settings,
) -> str:
    """A synced connection; returns its Plaid item id."""
    response = await link_bank(client, family, demo_bank)
    await run_jobs(bank_settings, session_factory)
    return await item_id_of(session, response.json()["id"])


class TestVerification:
    async def test_a_signed_webhook_queues_a_sync(
        self,
        client: httpx.AsyncClient,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        linked: str,
        bank_app: FastAPI,
    ) -> None:
        raw = _body(linked)
        before = await _jobs(session)
        response = await _post(client, raw, demo_bank.bank.signer.sign(raw))
        assert (response.status_code, response.json()) == (200, {"received": True})
        assert await _jobs(session) == before + 1
        assert _webhook_counts(bank_app, "verified") == 1

    @pytest.mark.parametrize(
        "forge",
        [
            pytest.param(lambda raw, sign: (raw, None), id="no header"),
            pytest.param(lambda raw, sign: (raw, "not-a-jwt"), id="garbage header"),
            pytest.param(
                lambda raw, sign: (raw.replace(b'"sandbox"', b'"production"'), sign(raw)),
                id="changed body",
            ),
            pytest.param(
                lambda raw, sign: (json.dumps(json.loads(raw)).encode(), sign(raw)),
                id="re-serialized body",
            ),
            pytest.param(lambda raw, sign: (raw, _foreign_signature(raw)), id="foreign key"),
            pytest.param(lambda raw, sign: (raw, _hs256_signature(raw)), id="HS256"),
        ],
    )
    async def test_an_unverifiable_webhook_is_401_and_changes_nothing(
        self,
        client: httpx.AsyncClient,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        linked: str,
        bank_app: FastAPI,
        forge: Any,
    ) -> None:
        raw, signature = forge(_body(linked), demo_bank.bank.signer.sign)
        before = await _jobs(session)
        response = await _post(client, raw, signature)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "webhook_verification_failed"
        assert await _jobs(session) == before
        assert _webhook_counts(bank_app, "failed") == 1
        assert _webhook_counts(bank_app, "verified") == 0

    async def test_an_unknown_item_is_acknowledged_and_ignored(
        self,
        client: httpx.AsyncClient,
        demo_bank: DemoBankUnderTest,
        session: AsyncSession,
        linked: str,
    ) -> None:
        raw = _body("item-we-never-linked")
        before = await _jobs(session)
        response = await _post(client, raw, demo_bank.bank.signer.sign(raw))
        assert response.status_code == 200
        assert await _jobs(session) == before

    async def test_a_verified_body_that_is_not_a_webhook_is_400(
        self, client: httpx.AsyncClient, demo_bank: DemoBankUnderTest, session: AsyncSession
    ) -> None:
        raw = b'{"webhook_type": "ITEM"}'
        response = await _post(client, raw, demo_bank.bank.signer.sign(raw))
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_webhook"
        assert await _jobs(session) == 0


async def test_webhooks_are_rate_limited_per_address(
    client: httpx.AsyncClient,
    demo_bank: DemoBankUnderTest,
    bank_app: FastAPI,
    bank_settings: Settings,
) -> None:
    bank_app.state.settings = bank_settings.model_copy(
        update={"plaid_webhook_rate_per_address": "3/minute"}
    )
    raw = _body("item-x")
    statuses = [(await _post(client, raw, "forged")).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    limited = await _post(client, raw, demo_bank.bank.signer.sign(raw))
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1


def _foreign_signature(raw: bytes) -> str:
    """A well-formed ES256 signature by a key that is not Plaid's (with the demo bank's kid
    unknown to it, the verifier asks the bank, which knows no such key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    claims = {"iat": int(time.time()), "request_body_sha256": _sha(raw)}
    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": "not-a-plaid-key"})


def _hs256_signature(raw: bytes) -> str:
    claims = {"iat": int(time.time()), "request_body_sha256": _sha(raw)}
    return jwt.encode(claims, "x" * 32, algorithm="HS256", headers={"kid": "k"})


def _sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()
