"""Security alerts raised by the auth domain: a new sign-in device, a password change or reset,
an email change, a session ended after refresh-token reuse; and a bouncing address on /me."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.auth.devices import DEVICE_COOKIE_NAME
from family_budget.config import Settings
from family_budget.models import Notification, SignInDevice, User
from family_budget.models.base import utcnow
from tests.alerts.conftest import RunJobs
from tests.auth.helpers import STRONG_PASSWORD, bearer, login, set_cookies
from tests.conftest import Emails
from tests.factories import DEFAULT_PASSWORD, create_user
from tests.outbox import token_from_email

API = "/api/v1"


async def _activities(session: AsyncSession, user: User) -> list[str]:
    rows = await session.scalars(
        select(Notification.body)
        .where(Notification.user_id == user.id, Notification.kind == "security_alert")
        .order_by(Notification.created_at)
    )
    # The push body is "<activity> (<when>)": the activity is what the tests name.
    return [body.rsplit(" (", 1)[0] for body in rows]


def _security_emails(messages: list[dict[str, Any]], to: str) -> list[str]:
    return [
        m["text"].split("We noticed this on your account: ", 1)[1].split(" (", 1)[0]
        for m in messages
        if m["template"] == "security_alert" and m["to"] == to
    ]


@pytest.fixture
async def other_browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A second client with a cookie jar of its own: another browser."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        yield client


class TestNewDevice:
    async def test_the_first_device_is_quiet_a_known_one_too_a_new_one_alerts(
        self,
        client: httpx.AsyncClient,
        other_browser: httpx.AsyncClient,
        session: AsyncSession,
        run_jobs: RunJobs,
        emails: Emails,
    ) -> None:
        user = await create_user(session)
        await session.commit()

        first = await client.post(
            f"{API}/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD}
        )
        cookie = set_cookies(first)[DEVICE_COOKIE_NAME]
        assert (cookie["httponly"], cookie["secure"], cookie["path"]) == (
            True,
            True,
            "/api/v1/auth",
        )
        await login(client, user.email)  # the same browser, its cookie sent back
        await login(other_browser, user.email)  # another browser
        await login(other_browser, user.email)  # ... now known
        await run_jobs()

        assert await _activities(session, user) == ["A sign-in from a new device or browser"]
        assert _security_emails(await emails(), user.email) == [
            "A sign-in from a new device or browser"
        ]
        hashes = await session.scalars(
            select(SignInDevice.device_hash).where(SignInDevice.user_id == user.id)
        )
        # Two devices, stored as hashes: the cookie's value is nowhere in the database.
        assert sorted(len(h) for h in hashes) == [64, 64]
        assert cookie.value not in {h for h in hashes}

    async def test_a_failed_sign_in_records_no_device(
        self, other_browser: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        user = await create_user(session)
        await session.commit()
        response = await other_browser.post(
            f"{API}/auth/login", json={"email": user.email, "password": "wrong password 123"}
        )
        assert response.status_code == 401
        assert DEVICE_COOKIE_NAME not in set_cookies(response)
        found = await session.scalar(select(SignInDevice).where(SignInDevice.user_id == user.id))
        assert found is None


class TestPasswordAndEmail:
    async def test_a_password_change_alerts_in_app_and_by_email(
        self, client: httpx.AsyncClient, session: AsyncSession, run_jobs: RunJobs, emails: Emails
    ) -> None:
        user = await create_user(session)
        await session.commit()
        tokens = await login(client, user.email)
        changed = await client.post(
            f"{API}/me/password",
            json={"current_password": DEFAULT_PASSWORD, "new_password": STRONG_PASSWORD},
            headers=bearer(tokens["access_token"]),
        )
        assert changed.status_code == 200, changed.text
        await run_jobs()
        assert await _activities(session, user) == ["Your password was changed"]
        assert _security_emails(await emails(), user.email) == ["Your password was changed"]

    async def test_a_wrong_current_password_alerts_nothing(
        self, client: httpx.AsyncClient, session: AsyncSession, run_jobs: RunJobs
    ) -> None:
        user = await create_user(session)
        await session.commit()
        tokens = await login(client, user.email)
        refused = await client.post(
            f"{API}/me/password",
            json={"current_password": "not it at all 1234", "new_password": STRONG_PASSWORD},
            headers=bearer(tokens["access_token"]),
        )
        assert refused.status_code == 403
        await run_jobs()
        assert await _activities(session, user) == []

    async def test_a_password_reset_alerts(
        self, client: httpx.AsyncClient, session: AsyncSession, run_jobs: RunJobs, emails: Emails
    ) -> None:
        user = await create_user(session)
        await session.commit()
        await client.post(f"{API}/auth/forgot-password", json={"email": user.email})
        [reset] = [m for m in await emails() if m["template"] == "password_reset"]
        done = await client.post(
            f"{API}/auth/reset-password",
            json={"token": token_from_email(reset), "new_password": STRONG_PASSWORD},
        )
        assert done.status_code == 204, done.text
        await run_jobs()
        assert await _activities(session, user) == ["Your password was changed"]

    async def test_an_email_change_tells_both_addresses_and_clears_a_bounce(
        self, client: httpx.AsyncClient, session: AsyncSession, run_jobs: RunJobs, emails: Emails
    ) -> None:
        user = await create_user(session, email="old@example.com")
        user.email_undeliverable_at = utcnow()
        user.email_undeliverable_reason = "bounce"
        await session.commit()
        tokens = await login(client, user.email)
        # A verification link sent to the old address before the change.
        await client.post(
            f"{API}/auth/verify-email/request", headers=bearer(tokens["access_token"])
        )

        changed = await client.post(
            f"{API}/me/email",
            json={"new_email": "New@Example.com", "current_password": DEFAULT_PASSWORD},
            headers=bearer(tokens["access_token"]),
        )

        assert changed.status_code == 200, changed.text
        me = changed.json()
        assert (me["email"], me["email_verified"], me["email_undeliverable"]) == (
            "new@example.com",
            False,
            None,
        )
        sent = await emails()
        assert _security_emails(sent, "old@example.com") == [
            "The email address of your account was changed to another address"
        ]
        assert _security_emails(sent, "new@example.com") == [
            "The email address of your account was changed"
        ]
        [verify] = [m for m in sent if m["template"] == "email_verification"]
        assert verify["to"] == "new@example.com"
        verified = await client.post(
            f"{API}/auth/verify-email", json={"token": token_from_email(verify)}
        )
        assert verified.status_code == 204

    @pytest.mark.parametrize(
        ("body", "status", "code"),
        [
            (
                {"new_email": "taken@example.com", "current_password": DEFAULT_PASSWORD},
                409,
                "email_taken",
            ),
            (
                {"new_email": "free@example.com", "current_password": "wrong one 12345"},
                403,
                "invalid_current_password",
            ),
            (
                {"new_email": "not an address", "current_password": DEFAULT_PASSWORD},
                422,
                "validation_error",
            ),
        ],
        ids=["taken", "wrong password", "not an address"],
    )
    async def test_a_refused_email_change_changes_nothing(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        run_jobs: RunJobs,
        body: dict[str, str],
        status: int,
        code: str,
    ) -> None:
        user = await create_user(session, email="mine@example.com")
        await create_user(session, email="taken@example.com")
        await session.commit()
        tokens = await login(client, user.email)
        response = await client.post(
            f"{API}/me/email", json=body, headers=bearer(tokens["access_token"])
        )
        assert (response.status_code, response.json()["code"]) == (status, code)
        await run_jobs()
        assert await session.scalar(select(User.email).where(User.id == user.id)) == (
            "mine@example.com"
        )
        assert await _activities(session, user) == []


class TestRefreshReuse:
    async def test_a_replayed_refresh_token_ends_the_session_and_alerts_once(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        run_jobs: RunJobs,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(settings, "refresh_reuse_grace_seconds", 0)
        user = await create_user(session)
        await session.commit()
        stolen = (await login(client, user.email))["refresh_token"]
        rotated = await client.post(f"{API}/auth/refresh", json={"refresh_token": stolen})
        assert rotated.status_code == 200
        for _ in range(2):  # the thief tries twice
            reused = await client.post(f"{API}/auth/refresh", json={"refresh_token": stolen})
            assert reused.status_code == 401
        await run_jobs()
        assert await _activities(session, user) == [
            "A session was signed out because its sign-in token was used twice, which "
            "happens when a copy of it was stolen"
        ]


class TestUndeliverableOnMe:
    async def test_me_says_since_when_and_why(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        user = await create_user(session)
        await session.commit()
        tokens = await login(client, user.email)
        before = (await client.get(f"{API}/me", headers=bearer(tokens["access_token"]))).json()
        marked_at = utcnow().replace(microsecond=0)
        user.email_undeliverable_at = marked_at
        user.email_undeliverable_reason = "complaint"
        await session.commit()
        after = (await client.get(f"{API}/me", headers=bearer(tokens["access_token"]))).json()
        assert before["email_undeliverable"] is None
        assert after["email_undeliverable"]["reason"] == "complaint"
        assert after["email_undeliverable"]["since"].startswith(
            marked_at.strftime("%Y-%m-%dT%H:%M:%S")
        )
