"""A refresh that fails because the database is down must not cost the session (hardening audit
item 3): the token was already marked used in Redis, so the retry read as `superseded`, then as
theft (`refresh_token_reused`), and the whole session was revoked. Real Redis, and a database
that is down (a closed port)."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from family_budget.app import create_app
from family_budget.auth.refresh_store import ConsumeOutcome, RefreshRecord, RefreshTokenStore
from family_budget.config import Settings
from family_budget.security import TokenType, encode_token, hash_token
from tests.outage import closed_port, with_servers

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_REDIS_URL"), reason="the refresh tokens live in Redis (TEST_REDIS_URL)"
)


async def test_a_refresh_that_fails_on_the_database_leaves_the_token_usable(
    settings: Settings,
) -> None:
    database_down = with_servers(
        settings,
        redis_url=os.environ["TEST_REDIS_URL"],
        database_url=f"postgresql://postgres@127.0.0.1:{closed_port()}/nothing",
    )
    app = create_app(database_down, configure_logs=False)
    async with app.router.lifespan_context(app):
        store: RefreshTokenStore = app.state.refresh_store
        user_id, family_id = uuid.uuid4(), uuid.uuid4()
        expires_at = datetime.now(UTC) + timedelta(days=1)
        token = encode_token(
            database_down,
            user_id=user_id,
            token_type=TokenType.REFRESH,
            expires_in=timedelta(days=1),
            family_id=family_id,
        )
        await store.add(hash_token(token), RefreshRecord(user_id, family_id, expires_at))

        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            response = await client.post("/api/v1/auth/refresh", json={"refresh_token": token})

        assert (response.status_code, response.json()["code"]) == (503, "dependency_unavailable")
        # The retry (once the database is back) rotates as if the failed attempt never happened;
        # with no grace at all, a token left used would read as reused.
        outcome, record = await store.consume(hash_token(token), reuse_grace=timedelta(0))
        assert outcome is ConsumeOutcome.ROTATED
        assert record is not None
        assert record.family_id == family_id
        await store.revoke_family(family_id)
