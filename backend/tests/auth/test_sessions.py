"""A user's list of signed-in sessions, and signing one or all others out (issue 13)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.auth.sessions import UNKNOWN_DEVICE, device_label
from tests.auth.helpers import STRONG_PASSWORD, bearer
from tests.factories import DEFAULT_PASSWORD, create_user

SESSIONS = "/api/v1/me/sessions"
ME = "/api/v1/me"
REFRESH = "/api/v1/auth/refresh"
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


async def sign_in(client: httpx.AsyncClient, email: str, user_agent: str) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": DEFAULT_PASSWORD},
        headers={"User-Agent": user_agent},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def listed(client: httpx.AsyncClient, tokens: dict[str, Any]) -> list[dict[str, Any]]:
    response = await client.get(SESSIONS, headers=bearer(tokens["access_token"]))
    assert response.status_code == 200, response.text
    sessions: list[dict[str, Any]] = response.json()
    return sessions


@pytest.mark.parametrize(
    ("user_agent", "label"),
    [
        (FIREFOX_LINUX, "Firefox on Linux"),
        (SAFARI_IPHONE, "Mobile Safari on iOS"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36",
            "Chrome on Windows",
        ),
        ("", UNKNOWN_DEVICE),
        (None, UNKNOWN_DEVICE),
        ("\x00" * 5000, UNKNOWN_DEVICE),
    ],
)
def test_device_label_names_browser_and_system(user_agent: str | None, label: str) -> None:
    assert device_label(user_agent) == label


class TestListing:
    async def test_lists_each_sign_in_with_its_device_newest_first(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        user = await create_user(session)
        stranger = await create_user(session)
        await session.commit()
        laptop = await sign_in(client, user.email, FIREFOX_LINUX)
        phone = await sign_in(client, user.email, SAFARI_IPHONE)
        await sign_in(client, stranger.email, FIREFOX_LINUX)

        sessions = await listed(client, phone)

        assert [(s["device_label"], s["current"]) for s in sessions] == [
            ("Mobile Safari on iOS", True),
            ("Firefox on Linux", False),
        ]
        # The laptop sees the same two sessions, itself marked as the current one.
        from_laptop = await listed(client, laptop)
        assert [(s["id"], s["current"]) for s in from_laptop] == [
            (sessions[0]["id"], False),
            (sessions[1]["id"], True),
        ]

    async def test_a_refresh_moves_the_session_to_the_top(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        user = await create_user(session)
        await session.commit()
        laptop = await sign_in(client, user.email, FIREFOX_LINUX)
        phone = await sign_in(client, user.email, SAFARI_IPHONE)
        before = {s["device_label"]: s for s in await listed(client, phone)}

        refreshed = await client.post(REFRESH, json={"refresh_token": laptop["refresh_token"]})
        assert refreshed.status_code == 200, refreshed.text

        after = await listed(client, phone)
        assert [s["device_label"] for s in after] == ["Firefox on Linux", "Mobile Safari on iOS"]
        assert after[0]["last_seen_at"] > before["Firefox on Linux"]["last_seen_at"]
        assert after[0]["created_at"] == before["Firefox on Linux"]["created_at"]

    async def test_logged_out_and_password_changed_sessions_leave_the_list(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        user = await create_user(session)
        await session.commit()
        laptop = await sign_in(client, user.email, FIREFOX_LINUX)
        phone = await sign_in(client, user.email, SAFARI_IPHONE)
        tablet = await sign_in(client, user.email, SAFARI_IPHONE)

        await client.post("/api/v1/auth/logout", json={"refresh_token": tablet["refresh_token"]})
        assert len(await listed(client, phone)) == 2

        changed = await client.post(
            "/api/v1/me/password",
            json={"current_password": DEFAULT_PASSWORD, "new_password": STRONG_PASSWORD},
            headers={**bearer(laptop["access_token"]), "User-Agent": FIREFOX_LINUX},
        )
        assert changed.status_code == 200, changed.text
        only = await listed(client, changed.json())
        assert [(s["device_label"], s["current"]) for s in only] == [("Firefox on Linux", True)]

    async def test_needs_a_signed_in_user(self, client: httpx.AsyncClient) -> None:
        response = await client.get(SESSIONS)
        assert response.status_code == 401


class TestSigningOut:
    async def test_signing_out_a_device_ends_its_tokens_at_once(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        user = await create_user(session)
        await session.commit()
        laptop = await sign_in(client, user.email, FIREFOX_LINUX)
        lost_phone = await sign_in(client, user.email, SAFARI_IPHONE)
        phone_id = next(s["id"] for s in await listed(client, laptop) if not s["current"])

        response = await client.delete(
            f"{SESSIONS}/{phone_id}", headers=bearer(laptop["access_token"])
        )

        assert response.status_code == 204
        after = await client.get(ME, headers=bearer(lost_phone["access_token"]))
        assert (after.status_code, after.json()["code"]) == (401, "session_ended")
        refresh = await client.post(REFRESH, json={"refresh_token": lost_phone["refresh_token"]})
        assert refresh.status_code == 401
        assert [s["device_label"] for s in await listed(client, laptop)] == ["Firefox on Linux"]
        # Signing out what is already signed out finds nothing.
        again = await client.delete(
            f"{SESSIONS}/{phone_id}", headers=bearer(laptop["access_token"])
        )
        assert (again.status_code, again.json()["code"]) == (404, "session_not_found")

    async def test_another_users_session_is_not_found_and_goes_on(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        user = await create_user(session)
        stranger = await create_user(session)
        await session.commit()
        mine = await sign_in(client, user.email, FIREFOX_LINUX)
        theirs = await sign_in(client, stranger.email, FIREFOX_LINUX)
        their_id = (await listed(client, theirs))[0]["id"]

        response = await client.delete(
            f"{SESSIONS}/{their_id}", headers=bearer(mine["access_token"])
        )

        assert (response.status_code, response.json()["code"]) == (404, "session_not_found")
        assert (await client.get(ME, headers=bearer(theirs["access_token"]))).status_code == 200

    async def test_bad_session_ids(self, client: httpx.AsyncClient, session: AsyncSession) -> None:
        user = await create_user(session)
        await session.commit()
        mine = await sign_in(client, user.email, FIREFOX_LINUX)
        unknown = await client.delete(
            f"{SESSIONS}/00000000-0000-4000-8000-000000000000",
            headers=bearer(mine["access_token"]),
        )
        assert unknown.status_code == 404
        # Session ids are UUIDs in the route itself: anything else names no resource.
        malformed = await client.delete(
            f"{SESSIONS}/not-an-id", headers=bearer(mine["access_token"])
        )
        assert malformed.status_code == 404

    async def test_sign_out_others_keeps_only_the_caller(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        user = await create_user(session)
        stranger = await create_user(session)
        await session.commit()
        kept = await sign_in(client, user.email, FIREFOX_LINUX)
        others = [await sign_in(client, user.email, SAFARI_IPHONE) for _ in range(3)]
        strangers = await sign_in(client, stranger.email, SAFARI_IPHONE)

        response = await client.post(
            f"{SESSIONS}/sign-out-others", headers=bearer(kept["access_token"])
        )

        assert response.status_code == 200, response.text
        assert response.json() == {"signed_out_count": 3}
        for tokens in others:
            ended = await client.get(ME, headers=bearer(tokens["access_token"]))
            assert ended.status_code == 401
        assert (await client.get(ME, headers=bearer(kept["access_token"]))).status_code == 200
        assert (await client.get(ME, headers=bearer(strangers["access_token"]))).status_code == 200
        assert [s["current"] for s in await listed(client, kept)] == [True]
