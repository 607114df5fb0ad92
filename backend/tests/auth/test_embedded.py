"""The embedded mode as `family-budget serve` runs it: a SQLite file, one connection per session,
the refresh tokens in the database. The shared test fixtures put every session on one connection,
which would hide SQLite's one-writer-at-a-time rule; here each request really has its own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from family_budget.app import create_app
from family_budget.auth.refresh_store import DatabaseRefreshTokenStore
from family_budget.config import Settings
from family_budget.db import create_engine, create_session_factory
from family_budget.migrations import upgrade_to_head
from family_budget.worker.jobs import JobContext, drain
from tests.auth.helpers import STRONG_PASSWORD, csrf_header
from tests.outbox import sent_emails, token_from_email

NEW_PASSWORD = "an entirely new passphrase 99"


async def _run_jobs(settings: Settings) -> None:
    """What the worker does: the emails are jobs."""
    engine = create_engine(settings, pooled=False)
    try:
        await drain(JobContext(settings, create_session_factory(engine), now=datetime.now(UTC)))
    finally:
        await engine.dispose()


@pytest.fixture
def embedded_settings(tmp_path: Path) -> Settings:
    return Settings(
        environment="development",
        database_url="",
        redis_url=None,
        jwt_secret="embedded-test-secret-" + "z" * 40,
        data_dir=tmp_path,
    )


@pytest.fixture
async def embedded_client(embedded_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    settings = embedded_settings
    await asyncio.to_thread(upgrade_to_head, settings.resolved_database_url)
    app = create_app(settings, configure_logs=False)
    async with app.router.lifespan_context(app):
        assert isinstance(app.state.refresh_store, DatabaseRefreshTokenStore)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            yield client


async def test_session_lifecycle_on_sqlite_with_separate_connections(
    embedded_client: httpx.AsyncClient,
    embedded_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = embedded_client
    email = "family@example.com"
    register = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": STRONG_PASSWORD, "name": "Fam"}
    )
    assert register.status_code == 201, register.text
    login = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": STRONG_PASSWORD}
    )
    assert login.status_code == 200, login.text
    first = login.json()

    refreshed = await client.post("/api/v1/auth/refresh", headers=csrf_header(client))
    assert refreshed.status_code == 200, refreshed.text
    # Presented again at once (another tab): refused, and the session lives on.
    again = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert again.json()["code"] == "refresh_token_superseded"
    refreshed = await client.post("/api/v1/auth/refresh", headers=csrf_header(client))
    assert refreshed.status_code == 200, refreshed.text
    # Without a grace window, the same reuse ends the session.
    monkeypatch.setattr(embedded_settings, "refresh_reuse_grace_seconds", 0)
    reused = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert reused.json()["code"] == "refresh_token_reused"
    ended = await client.post("/api/v1/auth/refresh", headers=csrf_header(client))
    assert ended.json()["code"] == "invalid_refresh_token"

    login = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": STRONG_PASSWORD}
    )
    tokens = login.json()
    # A request that writes (the password) and revokes sessions in the same breath.
    changed = await client.post(
        "/api/v1/me/password",
        json={"current_password": STRONG_PASSWORD, "new_password": NEW_PASSWORD},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert changed.status_code == 200, changed.text
    old = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert old.status_code == 401
    new = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": changed.json()["refresh_token"]}
    )
    assert new.status_code == 200, new.text

    assert (
        await client.post("/api/v1/auth/forgot-password", json={"email": email})
    ).status_code == 202
    await _run_jobs(embedded_settings)
    [reset_email] = [
        e for e in sent_emails(tmp_path / "outbox") if e["template"] == "password_reset"
    ]
    reset_token = token_from_email(reset_email)
    reset = await client.post(
        "/api/v1/auth/reset-password", json={"token": reset_token, "new_password": STRONG_PASSWORD}
    )
    assert reset.status_code == 204, reset.text
    after = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": new.json()["refresh_token"]}
    )
    assert after.status_code == 401
    relogin = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": STRONG_PASSWORD}
    )
    assert relogin.status_code == 200
    logout = await client.post("/api/v1/auth/logout", headers=csrf_header(client))
    assert logout.status_code == 204


async def test_concurrent_writers_wait_their_turn_instead_of_failing(
    embedded_client: httpx.AsyncClient,
) -> None:
    """Two families signing up at the same moment (and then writing) both succeed: a request that
    writes takes SQLite's write lock when its transaction begins and waits for its turn, instead
    of reading first and failing with "database is locked" when another request wrote meanwhile."""
    client = embedded_client

    async def sign_up_and_add_an_account(index: int) -> tuple[int, int]:
        email = f"concurrent{index}@example.com"
        registered = await client.post(
            "/api/v1/auth/register",
            json={"email": email, "password": STRONG_PASSWORD, "name": f"Family {index}"},
        )
        login = await client.post(
            "/api/v1/auth/login", json={"email": email, "password": STRONG_PASSWORD}
        )
        if login.status_code != 200:
            return registered.status_code, login.status_code
        token = login.json()["access_token"]
        household_id = registered.json()["households"][0]["household_id"]
        created = await client.post(
            f"/api/v1/households/{household_id}/accounts",
            json={"name": "Checking", "kind": "checking", "opening_balance_minor": 100},
            headers={"Authorization": f"Bearer {token}"},
        )
        return registered.status_code, created.status_code

    results = await asyncio.gather(*(sign_up_and_add_an_account(i) for i in range(6)))

    assert results == [(201, 201)] * 6
