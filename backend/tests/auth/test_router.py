from __future__ import annotations

import logging
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from family_budget.auth.csrf import (
    CSRF_COOKIE_NAME,
    CSRF_HEADER_NAME,
    REFRESH_COOKIE_NAME,
    REFRESH_COOKIE_PATH,
)
from family_budget.config import Settings
from family_budget.models import (
    Category,
    Household,
    OneTimeToken,
    Role,
    TokenPurpose,
    User,
)
from family_budget.security import (
    TokenType,
    create_access_token,
    decode_token,
    encode_token,
    hash_token,
    password_needs_rehash,
    verify_password,
)
from tests.auth.helpers import (
    STRONG_PASSWORD,
    bearer,
    csrf_header,
    login,
    set_cookies,
)
from tests.conftest import Emails
from tests.factories import (
    DEFAULT_PASSWORD,
    add_member,
    auth_headers,
    create_household,
    create_user,
)
from tests.households.helpers import make_invitation
from tests.outbox import token_from_email

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/me"
CHANGE_PASSWORD = "/api/v1/me/password"
VERIFY_REQUEST = "/api/v1/auth/verify-email/request"
VERIFY = "/api/v1/auth/verify-email"
FORGOT = "/api/v1/auth/forgot-password"
RESET = "/api/v1/auth/reset-password"
INVITATION_ACCEPT = "/api/v1/invitations/accept"


async def _count(session: AsyncSession, model: type[object]) -> int:
    return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


def _signups(app: FastAPI) -> float:
    value = app.state.metrics.registry.get_sample_value("family_budget_signups_total")
    return float(value or 0.0)


def _registration(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "email": f"new-{uuid.uuid4().hex[:8]}@example.com",
        "password": STRONG_PASSWORD,
        "name": "Ann",
    }
    body.update(overrides)
    return body


class TestRegister:
    async def test_valid(
        self, client: httpx.AsyncClient, session: AsyncSession, app: FastAPI, emails: Emails
    ) -> None:
        signups_before = _signups(app)
        email = f"Ann.{uuid.uuid4().hex[:8]}@Example.COM"

        response = await client.post(REGISTER, json=_registration(email=f"  {email} "))

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["email"] == email.lower()
        assert body["name"] == "Ann"
        assert body["email_verified"] is False
        assert [(h["household_name"], h["currency"], h["role"]) for h in body["households"]] == [
            ("Ann's household", "USD", "owner")
        ]
        user = (await session.execute(select(User).where(User.email == email.lower()))).scalar_one()
        assert user.password_hash != STRONG_PASSWORD
        assert verify_password(user.password_hash, STRONG_PASSWORD)
        household_id = uuid.UUID(body["households"][0]["household_id"])
        categories = await session.execute(
            select(func.count()).where(Category.household_id == household_id)
        )
        assert categories.scalar_one() > 0
        assert _signups(app) == signups_before + 1
        [message] = await emails()
        assert message["template"] == "email_verification"
        assert message["to"] == email.lower()
        assert "https://" in message["text"] or "http://" in message["text"]
        assert "/verify-email?token=" in message["text"]

    async def test_household_name_and_currency(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            REGISTER, json=_registration(household_name="The Smiths", currency="EUR")
        )
        assert response.status_code == 201, response.text
        [household] = response.json()["households"]
        assert (household["household_name"], household["currency"]) == ("The Smiths", "EUR")

    async def test_without_a_household_then_joining_by_invitation(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        households_before = await _count(session, Household)
        body = _registration(create_household=False)

        response = await client.post(REGISTER, json=body)

        assert response.status_code == 201, response.text
        assert response.json()["households"] == []
        assert await _count(session, Household) == households_before
        inviting = await create_household(session, name="The Smiths", currency="CAD")
        _, invitation_token = await make_invitation(session, inviting, str(body["email"]))
        await session.commit()
        tokens = await login(client, str(body["email"]), STRONG_PASSWORD)
        headers = bearer(tokens["access_token"])
        accepted = await client.post(
            INVITATION_ACCEPT, json={"token": invitation_token}, headers=headers
        )
        assert accepted.status_code == 200, accepted.text
        me = (await client.get(ME, headers=headers)).json()
        assert [(h["household_id"], h["household_name"]) for h in me["households"]] == [
            (str(inviting.id), "The Smiths")
        ]

    @pytest.mark.parametrize(
        ("field", "value"), [("household_name", "The Smiths"), ("currency", "USD")]
    )
    async def test_household_fields_without_a_household_are_422(
        self, client: httpx.AsyncClient, session: AsyncSession, field: str, value: str
    ) -> None:
        users_before = await _count(session, User)

        response = await client.post(
            REGISTER, json=_registration(create_household=False, **{field: value})
        )

        assert response.status_code == 422
        assert [(e["field"], e["message"]) for e in response.json()["errors"]] == [
            (field, "Value error, must be omitted when create_household is false")
        ]
        assert await _count(session, User) == users_before

    async def test_taken_email_is_409(
        self, client: httpx.AsyncClient, session: AsyncSession, emails: Emails
    ) -> None:
        user = await create_user(session)
        await session.commit()
        users_before = await _count(session, User)

        response = await client.post(REGISTER, json=_registration(email=user.email.upper()))

        assert response.status_code == 409
        assert response.json()["code"] == "email_taken"
        assert await _count(session, User) == users_before
        assert (await emails()) == []

    @pytest.mark.parametrize(
        ("password", "reason"),
        [
            ("short pw1", "at least 10 characters"),
            ("x" * 1001, "at most 1000 characters"),
            ("QwertyUiop", "too common"),
            ("password123", "too common"),
            ("Ann Johnson", "your name"),
            ("same@example.com", "your email"),
        ],
    )
    async def test_weak_password_is_422(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        emails: Emails,
        password: str,
        reason: str,
    ) -> None:
        users_before = await _count(session, User)
        households_before = await _count(session, Household)
        body = _registration(email="same@example.com", name="Ann Johnson", password=password)

        response = await client.post(REGISTER, json=body)

        assert response.status_code == 422
        assert response.json()["code"] == "weak_password"
        assert reason in response.json()["detail"]
        assert await _count(session, User) == users_before
        assert await _count(session, Household) == households_before
        assert (await emails()) == []

    @pytest.mark.parametrize(
        "overrides",
        [
            {"email": "not-an-email"},
            {"name": ""},
            {"currency": "usd"},
            {"currency": "XXQ"},
            {"unexpected": True},
            {"password": None},
        ],
    )
    async def test_invalid_fields_are_422(
        self, client: httpx.AsyncClient, session: AsyncSession, overrides: dict[str, object]
    ) -> None:
        users_before = await _count(session, User)
        response = await client.post(REGISTER, json=_registration(**overrides))
        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"
        assert await _count(session, User) == users_before

    async def test_rate_limited_per_address(
        self, client: httpx.AsyncClient, settings: Settings
    ) -> None:
        assert settings.register_rate_per_address == "10/hour"
        for _ in range(10):
            assert (await client.post(REGISTER, json=_registration())).status_code == 201

        response = await client.post(REGISTER, json=_registration())

        assert response.status_code == 429
        assert response.json()["code"] == "rate_limited"
        assert 0 < int(response.headers["Retry-After"]) <= 3600


class TestLogin:
    async def test_valid(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session, email="login@example.com")
        await session.commit()

        response = await client.post(
            LOGIN, json={"email": " Login@Example.com ", "password": DEFAULT_PASSWORD}
        )

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == settings.access_token_expire_minutes * 60
        me = await client.get(ME, headers=bearer(body["access_token"]))
        assert me.status_code == 200
        assert me.json()["id"] == str(user.id)
        refresh_claims = jwt.decode(
            body["refresh_token"], settings.jwt_key, algorithms=[settings.jwt_algorithm]
        )
        assert refresh_claims["type"] == "refresh"
        assert refresh_claims["exp"] - refresh_claims["iat"] == 7 * 24 * 3600

    async def test_sets_refresh_and_csrf_cookies(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        user = await create_user(session)
        await session.commit()

        response = await client.post(
            LOGIN, json={"email": user.email, "password": DEFAULT_PASSWORD}
        )

        cookies = set_cookies(response)
        refresh = cookies[REFRESH_COOKIE_NAME]
        assert refresh.value == response.json()["refresh_token"]
        assert refresh["httponly"] is True
        assert refresh["secure"] is True
        assert refresh["samesite"].lower() == "strict"
        assert refresh["path"] == REFRESH_COOKIE_PATH == "/api/v1/auth"
        assert refresh["max-age"] == str(7 * 24 * 3600)
        csrf = cookies[CSRF_COOKIE_NAME]
        assert len(csrf.value) >= 32
        assert csrf["httponly"] == ""
        assert csrf["secure"] is True
        assert csrf["samesite"].lower() == "strict"
        assert csrf["path"] == "/"

    async def test_unknown_email_and_wrong_password_answer_identically(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        user = await create_user(session)
        await session.commit()

        wrong = await client.post(LOGIN, json={"email": user.email, "password": "wrong-" * 3})
        unknown = await client.post(
            LOGIN, json={"email": "nobody@example.com", "password": "wrong-" * 3}
        )

        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json() == unknown.json()
        assert wrong.json()["code"] == "invalid_credentials"
        assert wrong.headers["WWW-Authenticate"] == unknown.headers["WWW-Authenticate"]
        assert REFRESH_COOKIE_NAME not in set_cookies(wrong)

    async def test_rehashes_outdated_password_hash(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        weak_hasher = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
        user = await create_user(session, password_hash=weak_hasher.hash(DEFAULT_PASSWORD))
        await session.commit()
        assert password_needs_rehash(user.password_hash)

        await login(client, user.email)

        await session.refresh(user)
        assert not password_needs_rehash(user.password_hash)
        assert verify_password(user.password_hash, DEFAULT_PASSWORD)

    async def test_invalid_body_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.post(LOGIN, json={"email": "a@example.com"})
        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"

    async def test_rate_limited_per_account(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        assert settings.login_rate_per_account == "10/minute"
        user = await create_user(session)
        await session.commit()
        for _ in range(10):
            response = await client.post(LOGIN, json={"email": user.email, "password": "x" * 12})
            assert response.status_code == 401

        # Even the right password is refused until the window moves on.
        response = await client.post(
            LOGIN, json={"email": user.email.upper(), "password": DEFAULT_PASSWORD}
        )

        assert response.status_code == 429
        assert response.json()["code"] == "rate_limited"
        assert 0 < int(response.headers["Retry-After"]) <= 60

    async def test_strangers_elsewhere_do_not_lock_out_the_owner(
        self, app: FastAPI, session: AsyncSession
    ) -> None:
        """Hardening audit item 6: ten wrong passwords from anywhere used to lock the owner out
        everywhere, renewable forever."""
        user = await create_user(session)
        await session.commit()
        async with (
            _client_at(app, "198.51.100.7") as owner,
            _client_at(app, "203.0.113.66") as stranger,
            _client_at(app, "192.0.2.40") as owner_new_browser,
        ):
            assert (
                await owner.post(LOGIN, json={"email": user.email, "password": DEFAULT_PASSWORD})
            ).status_code == 200
            for _ in range(10):
                wrong = await stranger.post(LOGIN, json={"email": user.email, "password": "x" * 12})
                assert wrong.status_code == 401
            locked = await stranger.post(LOGIN, json={"email": user.email, "password": "x" * 12})
            assert locked.status_code == 429

            again = await owner.post(
                LOGIN, json={"email": user.email, "password": DEFAULT_PASSWORD}
            )
            elsewhere = await owner_new_browser.post(
                LOGIN, json={"email": user.email, "password": DEFAULT_PASSWORD}
            )
        assert (again.status_code, elsewhere.status_code) == (200, 200)

    async def test_guessing_from_many_addresses_meets_an_account_wide_limit(
        self, app: FastAPI, session: AsyncSession, settings: Settings
    ) -> None:
        """New devices share one allowance per account; a known device keeps its own."""
        assert settings.login_rate_per_account_new_devices == "50/hour"
        user = await create_user(session)
        await session.commit()
        async with _client_at(app, "198.51.100.7") as owner:
            signed_in = await owner.post(
                LOGIN, json={"email": user.email, "password": DEFAULT_PASSWORD}
            )
            assert signed_in.status_code == 200
            for address in range(7):  # 7 x 7 = 49 more sign-ins from new devices
                async with _client_at(app, f"203.0.113.{address}") as stranger:
                    for _ in range(7):
                        wrong = await stranger.post(
                            LOGIN, json={"email": user.email, "password": "x" * 12}
                        )
                        assert wrong.status_code == 401
            async with _client_at(app, "203.0.113.200") as fresh:
                refused = await fresh.post(
                    LOGIN, json={"email": user.email, "password": DEFAULT_PASSWORD}
                )
            known = await owner.post(
                LOGIN, json={"email": user.email, "password": DEFAULT_PASSWORD}
            )
        assert refused.status_code == 429
        assert known.status_code == 200

    async def test_rate_limited_per_address(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        assert settings.login_rate_per_address == "30/minute"
        user = await create_user(session)
        await session.commit()
        for n in range(30):
            response = await client.post(
                LOGIN, json={"email": f"guess{n}@example.com", "password": "x" * 12}
            )
            assert response.status_code == 401

        response = await client.post(
            LOGIN, json={"email": user.email, "password": DEFAULT_PASSWORD}
        )

        assert response.status_code == 429
        assert 0 < int(response.headers["Retry-After"]) <= 60


class TestRefreshSession:
    async def test_rotates_with_body_token(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session)
        await session.commit()
        first = await login(client, user.email)

        response = await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})

        assert response.status_code == 200, response.text
        second = response.json()
        assert second["refresh_token"] != first["refresh_token"]
        assert (await client.get(ME, headers=bearer(second["access_token"]))).status_code == 200
        old, new = (
            jwt.decode(t, settings.jwt_key, algorithms=[settings.jwt_algorithm])
            for t in (first["refresh_token"], second["refresh_token"])
        )
        # Same family, same absolute expiry: rotation never extends a session.
        assert new["fam"] == old["fam"]
        assert new["exp"] == old["exp"]
        refresh_cookie = set_cookies(response)[REFRESH_COOKIE_NAME]
        assert refresh_cookie.value == second["refresh_token"]
        assert 0 < int(refresh_cookie["max-age"]) <= 7 * 24 * 3600

    async def test_reuse_within_the_grace_is_refused_but_the_family_lives(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        # A reload that cut off a refresh, or a second tab, presents the token just used.
        assert settings.refresh_reuse_grace_seconds == 10
        user = await create_user(session)
        await session.commit()
        first = await login(client, user.email)
        second = (await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})).json()

        for _ in range(2):
            again = await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
            assert again.status_code == 401
            assert again.json()["code"] == "refresh_token_superseded"
            assert "retry with the newest cookie" in again.json()["detail"]
            assert REFRESH_COOKIE_NAME not in set_cookies(again)

        newest = await client.post(REFRESH, json={"refresh_token": second["refresh_token"]})
        assert newest.status_code == 200, newest.text
        third = newest.json()
        assert (await client.get(ME, headers=bearer(third["access_token"]))).status_code == 200
        # The newest token is single-use as ever.
        assert (
            await client.post(REFRESH, json={"refresh_token": third["refresh_token"]})
        ).status_code == 200

    async def test_reuse_revokes_the_family(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        # Without a grace window every reuse counts as theft (tests/auth/test_refresh_store.py
        # covers a reuse that comes after a non-zero window).
        monkeypatch.setattr(settings, "refresh_reuse_grace_seconds", 0)
        user = await create_user(session)
        await session.commit()
        first = await login(client, user.email)
        other_device = await login(client, user.email)
        second = (await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})).json()

        reused = await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})

        assert reused.status_code == 401
        assert reused.json()["code"] == "refresh_token_reused"
        newest = await client.post(REFRESH, json={"refresh_token": second["refresh_token"]})
        assert newest.status_code == 401
        assert newest.json()["code"] == "invalid_refresh_token"
        # Another login is another family, untouched.
        other = await client.post(REFRESH, json={"refresh_token": other_device["refresh_token"]})
        assert other.status_code == 200

    async def test_cookie_with_csrf_header(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        user = await create_user(session)
        await session.commit()
        first = await login(client, user.email)

        response = await client.post(REFRESH, headers=csrf_header(client))

        assert response.status_code == 200, response.text
        assert response.json()["refresh_token"] != first["refresh_token"]
        assert client.cookies[REFRESH_COOKIE_NAME] == response.json()["refresh_token"]

    @pytest.mark.parametrize("header", [None, "", "not-the-cookie-value"])
    async def test_cookie_without_matching_csrf_header_is_403(
        self, client: httpx.AsyncClient, session: AsyncSession, header: str | None
    ) -> None:
        user = await create_user(session)
        await session.commit()
        first = await login(client, user.email)
        headers = {} if header is None else {CSRF_HEADER_NAME: header}

        response = await client.post(REFRESH, headers=headers)

        assert response.status_code == 403
        assert response.json()["code"] == "csrf_failed"
        # The token was not consumed: it still rotates once.
        again = await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
        assert again.status_code == 200

    async def test_missing_token_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.post(REFRESH)
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_refresh_token"

    async def test_access_token_is_not_a_refresh_token(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        user = await create_user(session)
        await session.commit()
        tokens = await login(client, user.email)
        response = await client.post(REFRESH, json={"refresh_token": tokens["access_token"]})
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_refresh_token"

    async def test_expired_token_is_401(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session)
        await session.commit()
        expired = encode_token(
            settings,
            user_id=user.id,
            token_type=TokenType.REFRESH,
            expires_in=timedelta(days=7),
            family_id=uuid.uuid4(),
            now=datetime.now(UTC) - timedelta(days=8),
        )
        response = await client.post(REFRESH, json={"refresh_token": expired})
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_refresh_token"

    async def test_tampered_signature_is_401(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        user = await create_user(session)
        await session.commit()
        token = (await login(client, user.email))["refresh_token"]
        header, payload, signature = token.split(".")
        tampered = f"{header}.{payload}.{signature[::-1]}"
        response = await client.post(REFRESH, json={"refresh_token": tampered})
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_refresh_token"

    async def test_token_without_family_is_401(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session)
        await session.commit()
        no_family = encode_token(
            settings, user_id=user.id, token_type=TokenType.REFRESH, expires_in=timedelta(days=1)
        )
        response = await client.post(REFRESH, json={"refresh_token": no_family})
        assert response.status_code == 401

    async def test_signed_but_never_issued_token_is_401(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session)
        await session.commit()
        forged = encode_token(
            settings,
            user_id=user.id,
            token_type=TokenType.REFRESH,
            expires_in=timedelta(days=1),
            family_id=uuid.uuid4(),
        )
        response = await client.post(REFRESH, json={"refresh_token": forged})
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_refresh_token"


def _claims(user_id: uuid.UUID, **overrides: object) -> dict[str, object]:
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": str(user_id),
        "type": "access",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


class TestAccessTokens:
    """Through GET /me: every way an access token can be wrong gives 401 `invalid_token`."""

    async def _assert_rejected(self, client: httpx.AsyncClient, token: str) -> None:
        response = await client.get(ME, headers=bearer(token))
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_token"

    async def test_valid_token_works(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session)
        await session.commit()
        token = jwt.encode(_claims(user.id), settings.jwt_key, algorithm=settings.jwt_algorithm)
        assert (await client.get(ME, headers=bearer(token))).status_code == 200

    async def test_expired(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session)
        await session.commit()
        token = encode_token(
            settings,
            user_id=user.id,
            token_type=TokenType.ACCESS,
            expires_in=timedelta(minutes=15),
            now=datetime.now(UTC) - timedelta(minutes=16),
        )
        await self._assert_rejected(client, token)

    async def test_tampered_signature(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session)
        await session.commit()
        header, payload, signature = create_access_token(settings, user.id).split(".")
        await self._assert_rejected(client, f"{header}.{payload}.{signature[::-1]}")

    async def test_signed_with_another_key(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session)
        await session.commit()
        token = jwt.encode(_claims(user.id), "another-key-" + "y" * 40, algorithm="HS256")
        await self._assert_rejected(client, token)

    async def test_alg_none(self, client: httpx.AsyncClient, session: AsyncSession) -> None:
        user = await create_user(session)
        await session.commit()
        token = jwt.encode(_claims(user.id), "", algorithm="none")
        await self._assert_rejected(client, token)

    @pytest.mark.parametrize("missing", ["sub", "exp", "iat", "jti", "type"])
    async def test_missing_claim(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, missing: str
    ) -> None:
        user = await create_user(session)
        await session.commit()
        claims = _claims(user.id, **{missing: None})
        token = jwt.encode(claims, settings.jwt_key, algorithm=settings.jwt_algorithm)
        await self._assert_rejected(client, token)

    async def test_refresh_token_is_not_an_access_token(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        user = await create_user(session)
        await session.commit()
        tokens = await login(client, user.email)
        await self._assert_rejected(client, tokens["refresh_token"])

    async def test_unknown_user(self, client: httpx.AsyncClient, settings: Settings) -> None:
        await self._assert_rejected(client, create_access_token(settings, uuid.uuid4()))

    async def test_no_token_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get(ME)
        assert response.status_code == 401


class TestLogout:
    async def test_body_token_revokes_the_session(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        user = await create_user(session)
        await session.commit()
        tokens = await login(client, user.email)
        rotated = (
            await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
        ).json()

        response = await client.post(LOGOUT, json={"refresh_token": rotated["refresh_token"]})

        assert response.status_code == 204
        cleared = set_cookies(response)
        assert cleared[REFRESH_COOKIE_NAME]["max-age"] == "0"
        assert cleared[REFRESH_COOKIE_NAME]["path"] == REFRESH_COOKIE_PATH
        assert cleared[CSRF_COOKIE_NAME]["max-age"] == "0"
        after = await client.post(REFRESH, json={"refresh_token": rotated["refresh_token"]})
        assert after.status_code == 401
        assert after.json()["code"] == "invalid_refresh_token"

    async def test_cookie_token_needs_csrf_header(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        user = await create_user(session)
        await session.commit()
        tokens = await login(client, user.email)

        refused = await client.post(LOGOUT)
        assert refused.status_code == 403
        assert refused.json()["code"] == "csrf_failed"

        response = await client.post(LOGOUT, headers=csrf_header(client))
        assert response.status_code == 204
        assert REFRESH_COOKIE_NAME not in client.cookies
        after = await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
        assert after.status_code == 401

    async def test_ends_the_sessions_access_tokens_at_once(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        """Hardening audit item 10: access tokens stayed valid after logout until they expired."""
        user = await create_user(session)
        await session.commit()
        ended = await login(client, user.email)
        other_device = await login(client, user.email)
        bearer = {"Authorization": f"Bearer {ended['access_token']}"}
        assert (await client.get(ME, headers=bearer)).status_code == 200

        await client.post(LOGOUT, json={"refresh_token": ended["refresh_token"]})

        after = await client.get(ME, headers=bearer)
        assert (after.status_code, after.json()["code"]) == (401, "session_ended")
        still = await client.get(
            ME, headers={"Authorization": f"Bearer {other_device['access_token']}"}
        )
        assert still.status_code == 200

    async def test_a_password_change_ends_tokens_of_the_same_second(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        """Hardening audit item 10: a token issued in the same second as a password change
        survived it (its issue time has whole seconds). The change ends the session itself."""
        user = await create_user(session)
        await session.commit()
        before = await login(client, user.email)
        family_id = decode_token(
            settings, before["refresh_token"], expected_type=TokenType.REFRESH
        ).family_id
        changed = await client.post(
            CHANGE_PASSWORD,
            json={
                "current_password": DEFAULT_PASSWORD,
                "new_password": "an entirely new passphrase 7",
            },
            headers={"Authorization": f"Bearer {before['access_token']}"},
        )
        assert changed.status_code == 200
        await session.refresh(user)
        assert user.password_changed_at is not None
        # A token of the old session issued in the very second of the change.
        same_second = encode_token(
            settings,
            user_id=user.id,
            token_type=TokenType.ACCESS,
            expires_in=timedelta(minutes=15),
            family_id=family_id,
            now=user.password_changed_at,
        )

        old = await client.get(ME, headers={"Authorization": f"Bearer {same_second}"})
        new = await client.get(
            ME, headers={"Authorization": f"Bearer {changed.json()['access_token']}"}
        )
        assert (old.status_code, new.status_code) == (401, 200)

    async def test_without_a_token_is_204(self, client: httpx.AsyncClient) -> None:
        assert (await client.post(LOGOUT)).status_code == 204

    async def test_garbage_token_is_204(self, client: httpx.AsyncClient) -> None:
        response = await client.post(LOGOUT, json={"refresh_token": "not-a-token"})
        assert response.status_code == 204


class TestGetMe:
    async def test_lists_households_with_role(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session, name="Bo")
        own = await create_household(session, owner=user, name="Home")
        other = await create_household(session, name="Grandparents", currency="EUR")
        await add_member(session, other, user, Role.ADULT)
        await create_household(session, owner=await create_user(session), name="Not mine")
        await session.commit()

        response = await client.get(ME, headers=auth_headers(settings, user))

        assert response.status_code == 200
        body = response.json()
        assert (body["id"], body["email"], body["name"]) == (str(user.id), user.email, "Bo")
        assert body["email_verified"] is True
        assert sorted(
            (h["household_id"], h["household_name"], h["currency"], h["role"])
            for h in body["households"]
        ) == sorted(
            [
                (str(own.id), "Home", "USD", "owner"),
                (str(other.id), "Grandparents", "EUR", "adult"),
            ]
        )

    async def test_unauthenticated_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get(ME)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized"


class TestUpdateMe:
    async def test_valid(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session, name="Old")
        await session.commit()
        response = await client.patch(
            ME, json={"name": "  New Name "}, headers=auth_headers(settings, user)
        )
        assert response.status_code == 200
        assert response.json()["name"] == "New Name"
        await session.refresh(user)
        assert user.name == "New Name"

    @pytest.mark.parametrize("body", [{"name": ""}, {"name": "a\u0000b"}, {"email": "x@y.com"}])
    async def test_invalid_is_422_and_changes_nothing(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        body: dict[str, str],
    ) -> None:
        user = await create_user(session, name="Old")
        await session.commit()
        response = await client.patch(ME, json=body, headers=auth_headers(settings, user))
        assert response.status_code == 422
        await session.refresh(user)
        assert user.name == "Old"

    async def test_unauthenticated_is_401(self, client: httpx.AsyncClient) -> None:
        assert (await client.patch(ME, json={"name": "X"})).status_code == 401


class TestChangePassword:
    async def test_valid_revokes_every_session(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session)
        await session.commit()
        tokens = await login(client, user.email)
        other_device = await login(client, user.email)
        old_access = encode_token(
            settings,
            user_id=user.id,
            token_type=TokenType.ACCESS,
            expires_in=timedelta(minutes=15),
            now=datetime.now(UTC) - timedelta(minutes=1),
        )

        response = await client.post(
            CHANGE_PASSWORD,
            json={"current_password": DEFAULT_PASSWORD, "new_password": STRONG_PASSWORD},
            headers=bearer(tokens["access_token"]),
        )

        assert response.status_code == 200, response.text
        new = response.json()
        assert (await client.get(ME, headers=bearer(new["access_token"]))).status_code == 200
        assert (await client.get(ME, headers=bearer(old_access))).status_code == 401
        for old in (tokens, other_device):
            refused = await client.post(REFRESH, json={"refresh_token": old["refresh_token"]})
            assert refused.status_code == 401
        assert (
            await client.post(REFRESH, json={"refresh_token": new["refresh_token"]})
        ).status_code == 200
        assert set_cookies(response)[REFRESH_COOKIE_NAME].value == new["refresh_token"]
        await session.refresh(user)
        assert user.password_changed_at is not None
        assert verify_password(user.password_hash, STRONG_PASSWORD)
        old_login = await client.post(
            LOGIN, json={"email": user.email, "password": DEFAULT_PASSWORD}
        )
        assert old_login.status_code == 401

    async def test_wrong_current_password_is_403(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session)
        await session.commit()
        hash_before = user.password_hash

        response = await client.post(
            CHANGE_PASSWORD,
            json={"current_password": "not my password", "new_password": STRONG_PASSWORD},
            headers=auth_headers(settings, user),
        )

        assert response.status_code == 403
        assert response.json()["code"] == "invalid_current_password"
        await session.refresh(user)
        assert user.password_hash == hash_before
        assert user.password_changed_at is None

    async def test_weak_new_password_is_422(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session)
        await session.commit()
        tokens = await login(client, user.email)

        response = await client.post(
            CHANGE_PASSWORD,
            json={"current_password": DEFAULT_PASSWORD, "new_password": "1234567890"},
            headers=auth_headers(settings, user),
        )

        assert response.status_code == 422
        assert response.json()["code"] == "weak_password"
        await session.refresh(user)
        assert verify_password(user.password_hash, DEFAULT_PASSWORD)
        still = await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
        assert still.status_code == 200

    async def test_unauthenticated_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            CHANGE_PASSWORD,
            json={"current_password": DEFAULT_PASSWORD, "new_password": STRONG_PASSWORD},
        )
        assert response.status_code == 401


async def _one_time_token(
    session: AsyncSession, user: User, purpose: TokenPurpose, *, expires_in: timedelta
) -> str:
    token = f"test-{uuid.uuid4().hex}"
    session.add(
        OneTimeToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=hash_token(token),
            expires_at=datetime.now(UTC) + expires_in,
        )
    )
    await session.commit()
    return token


class TestRequestEmailVerification:
    async def test_sends_a_new_link(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, emails: Emails
    ) -> None:
        user = await create_user(session, email_verified_at=None)
        await session.commit()

        response = await client.post(VERIFY_REQUEST, headers=auth_headers(settings, user))

        assert response.status_code == 202
        [message] = await emails()
        assert (message["template"], message["to"]) == ("email_verification", user.email)
        verify = await client.post(VERIFY, json={"token": token_from_email(message)})
        assert verify.status_code == 204

    async def test_already_verified_is_409(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, emails: Emails
    ) -> None:
        user = await create_user(session)
        await session.commit()
        response = await client.post(VERIFY_REQUEST, headers=auth_headers(settings, user))
        assert response.status_code == 409
        assert response.json()["code"] == "email_already_verified"
        assert (await emails()) == []

    async def test_unauthenticated_is_401(self, client: httpx.AsyncClient) -> None:
        assert (await client.post(VERIFY_REQUEST)).status_code == 401


class TestVerifyEmail:
    async def test_link_from_registration_verifies_once(
        self, client: httpx.AsyncClient, session: AsyncSession, emails: Emails
    ) -> None:
        body = _registration()
        assert (await client.post(REGISTER, json=body)).status_code == 201
        token = token_from_email((await emails())[0])

        response = await client.post(VERIFY, json={"token": token})

        assert response.status_code == 204
        user = (await session.execute(select(User).where(User.email == body["email"]))).scalar_one()
        assert user.email_verified_at is not None
        again = await client.post(VERIFY, json={"token": token})
        assert again.status_code == 400
        assert again.json()["code"] == "invalid_verification_token"

    async def test_expired_token_is_400(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        user = await create_user(session, email_verified_at=None)
        token = await _one_time_token(
            session, user, TokenPurpose.VERIFY_EMAIL, expires_in=timedelta(seconds=-1)
        )
        response = await client.post(VERIFY, json={"token": token})
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_verification_token"
        await session.refresh(user)
        assert user.email_verified_at is None

    async def test_reset_token_does_not_verify(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        user = await create_user(session, email_verified_at=None)
        token = await _one_time_token(
            session, user, TokenPurpose.RESET_PASSWORD, expires_in=timedelta(hours=1)
        )
        response = await client.post(VERIFY, json={"token": token})
        assert response.status_code == 400

    @pytest.mark.parametrize("body", [{"token": "unknown"}, {"token": ""}, {}])
    async def test_bad_token(self, client: httpx.AsyncClient, body: dict[str, str]) -> None:
        response = await client.post(VERIFY, json=body)
        assert response.status_code in (400, 422)
        expected = "invalid_verification_token" if body.get("token") else "validation_error"
        assert response.json()["code"] == expected


class TestForgotPassword:
    async def test_known_and_unknown_addresses_answer_identically(
        self, client: httpx.AsyncClient, session: AsyncSession, emails: Emails
    ) -> None:
        user = await create_user(session)
        await session.commit()

        known = await client.post(FORGOT, json={"email": user.email.upper()})
        unknown = await client.post(FORGOT, json={"email": "nobody@example.com"})

        assert known.status_code == unknown.status_code == 202
        assert known.json() == unknown.json()
        assert set_cookies(known) == set_cookies(unknown) == {}
        [message] = await emails()
        assert (message["template"], message["to"]) == ("password_reset", user.email)
        assert "/reset-password?token=" in message["text"]

    async def test_known_and_unknown_addresses_cost_the_same_work(
        self, client: httpx.AsyncClient, session: AsyncSession, connection: AsyncConnection
    ) -> None:
        """Hardening audit item 10: a known address was measurably slower to answer (the request
        looked it up and wrote a reset link). Both now send the database the same statements:
        one job, whose handler looks the address up later."""
        user = await create_user(session)
        await session.commit()
        statements: list[str] = []

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            # The test's savepoints are numbered; the statements are what is compared.
            statements.append(re.sub(r"sa_savepoint_\d+", "sa_savepoint", statement))

        sent: dict[str, list[str]] = {}
        event.listen(connection.sync_connection, "before_cursor_execute", record)
        try:
            for name, email in (("known", user.email), ("unknown", "nobody@example.com")):
                statements.clear()
                assert (await client.post(FORGOT, json={"email": email})).status_code == 202
                sent[name] = list(statements)
        finally:
            event.remove(connection.sync_connection, "before_cursor_execute", record)

        assert sent["known"] == sent["unknown"]
        assert not any("FROM users" in statement for statement in sent["known"])

    async def test_invalid_email_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.post(FORGOT, json={"email": "nope"})
        assert response.status_code == 422

    async def test_rate_limited_per_account(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, emails: Emails
    ) -> None:
        assert settings.forgot_password_rate_per_account == "5/hour"
        user = await create_user(session)
        await session.commit()
        for _ in range(5):
            assert (await client.post(FORGOT, json={"email": user.email})).status_code == 202
            await emails()  # the worker sends each before the next request replaces its link

        response = await client.post(FORGOT, json={"email": user.email})

        assert response.status_code == 429
        assert 0 < int(response.headers["Retry-After"]) <= 3600
        assert len(await emails()) == 5

    async def test_rate_limited_per_address(
        self, client: httpx.AsyncClient, settings: Settings
    ) -> None:
        assert settings.forgot_password_rate_per_address == "20/hour"
        for n in range(20):
            response = await client.post(FORGOT, json={"email": f"someone{n}@example.com"})
            assert response.status_code == 202

        response = await client.post(FORGOT, json={"email": "someone-else@example.com"})

        assert response.status_code == 429
        assert 0 < int(response.headers["Retry-After"]) <= 3600


class TestResetPassword:
    async def _reset_link_token(self, client: httpx.AsyncClient, emails: Emails, email: str) -> str:
        before = len(await emails())
        assert (await client.post(FORGOT, json={"email": email})).status_code == 202
        emails = await emails()
        assert len(emails) == before + 1
        return token_from_email(emails[-1])

    async def test_valid_sets_password_and_revokes_sessions(
        self, client: httpx.AsyncClient, session: AsyncSession, emails: Emails
    ) -> None:
        user = await create_user(session, email_verified_at=None)
        await session.commit()
        tokens = await login(client, user.email)
        token = await self._reset_link_token(client, emails, user.email)

        response = await client.post(RESET, json={"token": token, "new_password": STRONG_PASSWORD})

        assert response.status_code == 204
        refused = await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
        assert refused.status_code == 401
        await login(client, user.email, STRONG_PASSWORD)
        old = await client.post(LOGIN, json={"email": user.email, "password": DEFAULT_PASSWORD})
        assert old.status_code == 401
        await session.refresh(user)
        assert user.password_changed_at is not None
        assert user.email_verified_at is not None  # the link proved the address
        again = await client.post(RESET, json={"token": token, "new_password": "another " * 3})
        assert again.status_code == 400
        assert again.json()["code"] == "invalid_reset_token"

    async def test_newer_request_invalidates_older_links(
        self, client: httpx.AsyncClient, session: AsyncSession, emails: Emails
    ) -> None:
        user = await create_user(session)
        await session.commit()
        older = await self._reset_link_token(client, emails, user.email)
        newer = await self._reset_link_token(client, emails, user.email)

        stale = await client.post(RESET, json={"token": older, "new_password": STRONG_PASSWORD})
        fresh = await client.post(RESET, json={"token": newer, "new_password": STRONG_PASSWORD})

        assert stale.status_code == 400
        assert stale.json()["code"] == "invalid_reset_token"
        assert fresh.status_code == 204

    async def test_expired_token_is_400(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        user = await create_user(session)
        token = await _one_time_token(
            session, user, TokenPurpose.RESET_PASSWORD, expires_in=timedelta(seconds=-1)
        )
        hash_before = user.password_hash
        response = await client.post(RESET, json={"token": token, "new_password": STRONG_PASSWORD})
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_reset_token"
        await session.refresh(user)
        assert user.password_hash == hash_before

    async def test_weak_password_is_422_and_keeps_the_link_usable(
        self, client: httpx.AsyncClient, session: AsyncSession, emails: Emails
    ) -> None:
        user = await create_user(session)
        await session.commit()
        token = await self._reset_link_token(client, emails, user.email)

        weak = await client.post(RESET, json={"token": token, "new_password": "short"})

        assert weak.status_code == 422
        assert weak.json()["code"] == "weak_password"
        await session.refresh(user)
        assert verify_password(user.password_hash, DEFAULT_PASSWORD)
        ok = await client.post(RESET, json={"token": token, "new_password": STRONG_PASSWORD})
        assert ok.status_code == 204

    async def test_verification_token_does_not_reset(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        user = await create_user(session)
        token = await _one_time_token(
            session, user, TokenPurpose.VERIFY_EMAIL, expires_in=timedelta(hours=1)
        )
        response = await client.post(RESET, json={"token": token, "new_password": STRONG_PASSWORD})
        assert response.status_code == 400


class TestNoSecretsInLogs:
    async def test_passwords_and_tokens_never_logged(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        emails: Emails,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        caplog.set_level(logging.DEBUG)
        body = _registration()
        assert (await client.post(REGISTER, json=body)).status_code == 201
        verify_token = token_from_email((await emails())[0])
        tokens = await login(client, str(body["email"]), STRONG_PASSWORD)
        rotated = (
            await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
        ).json()
        assert (await client.post(FORGOT, json={"email": body["email"]})).status_code == 202
        reset_token = token_from_email((await emails())[-1])
        new_password = "yet another long passphrase 7"
        reset = await client.post(RESET, json={"token": reset_token, "new_password": new_password})
        assert reset.status_code == 204

        secrets = [
            STRONG_PASSWORD,
            new_password,
            verify_token,
            reset_token,
            tokens["access_token"],
            tokens["refresh_token"],
            rotated["refresh_token"],
        ]
        logged = [f"{record.getMessage()} {record.__dict__}" for record in caplog.records]
        outbox_lines = [r for r in caplog.records if r.getMessage() == "email written to outbox"]
        assert len(outbox_lines) == 2
        assert all(secret not in line for secret in secrets for line in logged)


def _client_at(app: FastAPI, address: str) -> httpx.AsyncClient:
    """A client connecting from `address`, with its own cookies (its own browser)."""
    transport = httpx.ASGITransport(app=app, client=(address, 40_000))
    return httpx.AsyncClient(transport=transport, base_url="https://testserver")
