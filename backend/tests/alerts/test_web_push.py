"""Web Push from the delivery job to a local push service that checks what a real one checks:
the VAPID JWT (RFC 8292) and an aes128gcm body (RFC 8291) the browser's keys decrypt."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import http_ece
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.alerts.service import AlertKind, PreferenceSet, raise_alert, replace_preferences
from family_budget.config import Settings
from family_budget.models import PushDevice
from family_budget.worker.jobs import Outcome
from tests.alerts.conftest import Family, RunJobs
from tests.alerts.push_service import Browser, PushService, b64url_decode, push_service
from tests.alerts.test_delivery import BILL
from tests.factories import auth_headers

API = "/api/v1"


@pytest.fixture
def service() -> Iterator[PushService]:
    with push_service() as running:
        yield running


async def _subscribe(
    client: httpx.AsyncClient, settings: Settings, user: object, endpoint: str, browser: Browser
) -> str:
    response = await client.post(
        f"{API}/me/devices",
        json={"platform": "web", "subscription": {"endpoint": endpoint, "keys": browser.keys()}},
        headers=auth_headers(settings, user),  # type: ignore[arg-type]
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _raise_bill(session: AsyncSession, family: Family, key: str) -> None:
    await raise_alert(
        session, kind=AlertKind.BILL_REMINDER, data=BILL, key=key, household=family.context
    )
    await session.commit()


class TestWebPush:
    async def test_the_push_service_gets_a_signed_encrypted_message_the_browser_can_read(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        parkers: Family,
        smiths: Family,
        run_jobs: RunJobs,
        service: PushService,
    ) -> None:
        browser = Browser()
        await _subscribe(client, settings, parkers.owner, service.endpoint("owner"), browser)
        await _subscribe(client, settings, smiths.owner, service.endpoint("smith"), Browser())
        await _raise_bill(session, parkers, "bill:push")

        await run_jobs()

        [delivery] = service.deliveries  # the Smiths had no alert
        assert delivery.path == "/push/owner"
        assert delivery.headers["content-encoding"] == "aes128gcm"
        assert delivery.headers["ttl"] == str(3 * 24 * 3600)
        scheme, _, params = delivery.headers["authorization"].partition(" ")
        parts = dict(p.split("=", 1) for p in params.split(","))
        assert scheme == "vapid"
        server_key = (
            await client.get(
                f"{API}/me/devices/web-push-key", headers=auth_headers(settings, parkers.owner)
            )
        ).json()["public_key"]
        assert parts["k"] == server_key
        public = ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), b64url_decode(parts["k"])
        )
        claims = jwt.decode(parts["t"], key=public, algorithms=["ES256"], audience=service.url)
        assert claims["sub"] == settings.vapid_subject
        assert 0 < claims["exp"] - datetime.now(UTC).timestamp() <= 24 * 3600

        clear = http_ece.decrypt(
            delivery.body,
            private_key=browser.private_key,
            auth_secret=browser.auth_secret,
            version="aes128gcm",
        )
        assert json.loads(clear) == {
            "title": "Electricity is due March 5, 2027",
            "body": "$123.45 for The Parkers",
            "url": "https://app.family-budget.test/bills/42",
            "kind": "bill_reminder",
            "household_id": str(parkers.household.id),
            "tag": "bill:push",
        }

    async def test_a_subscription_the_service_says_is_gone_is_dropped(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        parkers: Family,
        run_jobs: RunJobs,
        service: PushService,
    ) -> None:
        await _subscribe(client, settings, parkers.owner, service.endpoint("gone"), Browser())
        service.status = 410
        await _raise_bill(session, parkers, "bill:gone")
        await run_jobs()
        assert len(service.deliveries) == 1
        assert await session.scalar(select(func.count()).select_from(PushDevice)) == 0

    async def test_push_switched_off_sends_nothing_to_the_browser(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        parkers: Family,
        run_jobs: RunJobs,
        service: PushService,
    ) -> None:
        await _subscribe(client, settings, parkers.owner, service.endpoint("off"), Browser())
        off = PreferenceSet.all_on()
        off.kinds[AlertKind.BILL_REMINDER]["push"] = False
        await replace_preferences(session, parkers.owner.id, off)
        await _raise_bill(session, parkers, "bill:off")
        await run_jobs()
        assert service.deliveries == []

    async def test_a_failing_push_service_does_not_fail_the_alert(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        parkers: Family,
        run_jobs: RunJobs,
        service: PushService,
    ) -> None:
        await _subscribe(client, settings, parkers.owner, service.endpoint("broken"), Browser())
        service.status = 500
        await _raise_bill(session, parkers, "bill:broken")
        outcomes = await run_jobs()
        assert outcomes[Outcome.DONE] == 1
        # The device stays: a server error is not a verdict on the subscription.
        assert await session.scalar(select(func.count()).select_from(PushDevice)) == 1
