"""The caller's notifications, preferences and devices over HTTP."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.config import Settings
from family_budget.models import Notification, NotificationPreference, PushDevice, User
from family_budget.models.base import utcnow
from tests.alerts.conftest import Family
from tests.factories import auth_headers, create_user

API = "/api/v1"
PREFS = f"{API}/me/notification-preferences"
ALL_ON = {"email": True, "push": True, "in_app": True}


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def browser_keys() -> dict[str, str]:
    """A browser's subscription keys: a P-256 public key and a 16-byte auth secret."""
    key = ec.generate_private_key(ec.SECP256R1())
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return {"p256dh": _b64url(point), "auth": _b64url(b"0123456789abcdef")}


async def _notify(session: AsyncSession, user: User, n: int, **overrides: Any) -> Notification:
    values: dict[str, Any] = {
        "user_id": user.id,
        "household_id": None,
        "kind": "security_alert",
        "alert_key": f"test:{user.id}:{n}",
        "title": f"Alert {n}",
        "body": f"Body {n}",
        "data": {"security_url": "https://app.family-budget.test/profile"},
        # One minute apart, the highest n newest.
        "created_at": utcnow().replace(microsecond=0) - timedelta(minutes=100 - n),
    }
    values.update(overrides)
    row = Notification(**values)
    session.add(row)
    await session.flush()
    return row


async def _read_at(session: AsyncSession, row: Notification) -> object:
    return await session.scalar(select(Notification.read_at).where(Notification.id == row.id))


class TestListNotifications:
    async def test_newest_first_in_pages_with_the_unread_count(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        parkers: Family,
        smiths: Family,
    ) -> None:
        for n in range(5):
            await _notify(session, parkers.owner, n, read_at=utcnow() if n == 0 else None)
        for n in range(3):  # another household's owner, at the same times
            await _notify(session, smiths.owner, n)
        await session.commit()
        headers = auth_headers(settings, parkers.owner)

        first = await client.get(f"{API}/me/notifications?limit=2", headers=headers)
        assert first.status_code == 200, first.text
        page = first.json()
        second = (
            await client.get(
                f"{API}/me/notifications",
                params={"limit": 2, "cursor": page["next_cursor"]},
                headers=headers,
            )
        ).json()
        last = (
            await client.get(
                f"{API}/me/notifications",
                params={"limit": 2, "cursor": second["next_cursor"]},
                headers=headers,
            )
        ).json()

        titles = [[item["title"] for item in p["items"]] for p in (page, second, last)]
        assert titles == [["Alert 4", "Alert 3"], ["Alert 2", "Alert 1"], ["Alert 0"]]
        assert (page["unread_count"], last["next_cursor"]) == (4, None)
        assert page["items"][0]["url"] == "https://app.family-budget.test/profile"
        assert page["items"][0]["household_id"] is None

    async def test_a_foreign_cursor_is_400(
        self, client: httpx.AsyncClient, settings: Settings, parkers: Family
    ) -> None:
        response = await client.get(
            f"{API}/me/notifications",
            params={"cursor": "not-a-cursor"},
            headers=auth_headers(settings, parkers.owner),
        )
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_cursor"

    async def test_needs_a_session(self, client: httpx.AsyncClient) -> None:
        assert (await client.get(f"{API}/me/notifications")).status_code == 401


class TestMarkRead:
    async def test_one_then_all(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        parkers: Family,
        smiths: Family,
    ) -> None:
        mine = [await _notify(session, parkers.owner, n) for n in range(3)]
        theirs = await _notify(session, smiths.owner, 0)
        await session.commit()
        headers = auth_headers(settings, parkers.owner)

        one = await client.post(f"{API}/me/notifications/{mine[0].id}/read", headers=headers)
        assert one.status_code == 204
        count = (await client.get(f"{API}/me/notifications", headers=headers)).json()
        assert count["unread_count"] == 2
        everything = await client.post(f"{API}/me/notifications/read-all", headers=headers)
        assert everything.json() == {"marked": 2}
        count = (await client.get(f"{API}/me/notifications", headers=headers)).json()
        assert count["unread_count"] == 0
        # The other household's notification is untouched.
        assert await _read_at(session, theirs) is None

    async def test_another_users_notification_is_404_and_stays_unread(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        parkers: Family,
        smiths: Family,
    ) -> None:
        theirs = await _notify(session, smiths.owner, 0)
        await session.commit()
        response = await client.post(
            f"{API}/me/notifications/{theirs.id}/read",
            headers=auth_headers(settings, parkers.owner),
        )
        assert response.status_code == 404
        assert response.json()["code"] == "notification_not_found"
        assert await _read_at(session, theirs) is None


def _preferences(**kinds: dict[str, bool]) -> dict[str, Any]:
    every = ("bill_reminder", "budget_alert", "account_sync_failure", "security_alert")
    return {
        "channels": dict(ALL_ON),
        "kinds": {kind: kinds.get(kind, dict(ALL_ON)) for kind in every},
    }


class TestPreferences:
    async def test_all_on_until_changed_then_as_stored(
        self, client: httpx.AsyncClient, settings: Settings, parkers: Family
    ) -> None:
        headers = auth_headers(settings, parkers.owner)
        before = (await client.get(PREFS, headers=headers)).json()
        assert before == {**_preferences(), "always_emailed": ["security_alert"]}

        wanted = _preferences(budget_alert={"email": False, "push": True, "in_app": False})
        wanted["channels"]["push"] = False
        put = await client.put(PREFS, json=wanted, headers=headers)
        assert put.status_code == 200, put.text

        after = (await client.get(PREFS, headers=headers)).json()
        assert after == {**wanted, "always_emailed": ["security_alert"]}
        # Another user's switches are their own.
        other = await client.get(PREFS, headers=auth_headers(settings, parkers.adult))
        assert other.json()["channels"] == ALL_ON

    @pytest.mark.parametrize(
        "mutate",
        [
            lambda p: p["kinds"].__setitem__("weather", dict(ALL_ON)),
            lambda p: p["channels"].__setitem__("sms", True),
            lambda p: p["kinds"]["bill_reminder"].__setitem__("email", "yes"),
            lambda p: p["kinds"]["bill_reminder"].__setitem__("email", 1),
            lambda p: p["kinds"].pop("budget_alert"),
            lambda p: p["channels"].pop("in_app"),
        ],
        ids=["unknown kind", "unknown channel", "string", "number", "missing kind", "missing"],
    )
    async def test_invalid_documents_are_422_and_change_nothing(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        parkers: Family,
        mutate: Any,
    ) -> None:
        body = _preferences()
        mutate(body)
        response = await client.put(PREFS, json=body, headers=auth_headers(settings, parkers.owner))
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        stored = await session.scalar(
            select(func.count())
            .select_from(NotificationPreference)
            .where(NotificationPreference.user_id == parkers.owner.id)
        )
        assert stored == 0


class TestDevices:
    async def test_a_browser_subscribes_once_and_unsubscribes(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        parkers: Family,
    ) -> None:
        headers = auth_headers(settings, parkers.owner)
        subscription = {
            "endpoint": "https://push.example.test/send/abc",
            "keys": browser_keys(),
            "expirationTime": None,
        }
        first = await client.post(
            f"{API}/me/devices",
            json={"platform": "web", "subscription": subscription},
            headers=headers,
        )
        again = await client.post(
            f"{API}/me/devices",
            json={"platform": "web", "subscription": subscription},
            headers=headers,
        )
        assert (first.status_code, again.status_code) == (201, 201), first.text
        assert first.json()["id"] == again.json()["id"]
        assert first.json()["push_enabled"] is True
        assert "push.example.test" not in first.text

        gone = await client.delete(f"{API}/me/devices/{first.json()['id']}", headers=headers)
        assert gone.status_code == 204
        assert await session.scalar(select(func.count()).select_from(PushDevice)) == 0

    async def test_a_phone_without_platform_applications_is_kept_without_push(
        self, client: httpx.AsyncClient, settings: Settings, parkers: Family
    ) -> None:
        response = await client.post(
            f"{API}/me/devices",
            json={"platform": "android", "token": "fcm-token-" + "x" * 140},
            headers=auth_headers(settings, parkers.owner),
        )
        assert response.status_code == 201, response.text
        assert (response.json()["platform"], response.json()["push_enabled"]) == (
            "android",
            False,
        )

    async def test_another_users_device_is_404_and_stays(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        parkers: Family,
        smiths: Family,
    ) -> None:
        created = await client.post(
            f"{API}/me/devices",
            json={"platform": "ios", "token": "a" * 64},
            headers=auth_headers(settings, smiths.owner),
        )
        response = await client.delete(
            f"{API}/me/devices/{created.json()['id']}",
            headers=auth_headers(settings, parkers.owner),
        )
        assert response.status_code == 404
        assert response.json()["code"] == "device_not_found"
        assert await session.scalar(select(func.count()).select_from(PushDevice)) == 1

    @pytest.mark.parametrize(
        "body",
        [
            {"platform": "blackberry", "token": "a" * 64},
            {"platform": "ios"},
            {"platform": "ios", "token": "has spaces in it"},
            {"platform": "web", "token": "a" * 64},
            {
                "platform": "web",
                "subscription": {"endpoint": "ftp://push.example.test/x", "keys": browser_keys()},
            },
            {
                "platform": "web",
                "subscription": {
                    "endpoint": "https://push.example.test/x",
                    "keys": {"p256dh": "AAAA", "auth": "AAAA"},
                },
            },
        ],
        ids=["platform", "no token", "token", "web token", "scheme", "keys"],
    )
    async def test_invalid_registrations_are_422_and_add_nothing(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        parkers: Family,
        body: dict[str, Any],
    ) -> None:
        response = await client.post(
            f"{API}/me/devices", json=body, headers=auth_headers(settings, parkers.owner)
        )
        assert response.status_code == 422, response.text
        assert await session.scalar(select(func.count()).select_from(PushDevice)) == 0

    async def test_outside_development_an_endpoint_inside_the_network_is_refused(
        self, client: httpx.AsyncClient, settings: Settings, parkers: Family, monkeypatch: Any
    ) -> None:
        monkeypatch.setattr(settings, "environment", settings.environment.__class__("staging"))
        for endpoint in ("https://169.254.169.254/latest", "http://push.example.test/x"):
            response = await client.post(
                f"{API}/me/devices",
                json={
                    "platform": "web",
                    "subscription": {"endpoint": endpoint, "keys": browser_keys()},
                },
                headers=auth_headers(settings, parkers.owner),
            )
            assert response.status_code == 422, endpoint
            assert response.json()["code"] == "invalid_web_push_subscription"

    async def test_the_web_push_key_is_a_p256_point(
        self, client: httpx.AsyncClient, settings: Settings, session: AsyncSession
    ) -> None:
        user = await create_user(session)
        await session.commit()
        response = await client.get(
            f"{API}/me/devices/web-push-key", headers=auth_headers(settings, user)
        )
        raw = base64.urlsafe_b64decode(response.json()["public_key"] + "==")
        point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        assert point.curve.name == "secp256r1"
