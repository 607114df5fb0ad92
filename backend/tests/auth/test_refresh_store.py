"""Both refresh-token stores against the same expectations: the database store always, the Redis
store when TEST_REDIS_URL is set (as CI runs the suite)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from family_budget.auth.refresh_store import (
    ConsumeOutcome,
    DatabaseRefreshTokenStore,
    RedisRefreshTokenStore,
    RefreshRecord,
    RefreshTokenStore,
)
from family_budget.config import Settings
from family_budget.db import create_session_factory
from family_budget.models import RefreshToken, User
from tests.factories import create_user

GRACE = timedelta(seconds=10)


@pytest.fixture(params=["database", "redis"])
def store(
    request: pytest.FixtureRequest,
    app: FastAPI,
    session_factory: async_sessionmaker[AsyncSession],
) -> RefreshTokenStore:
    if request.param == "database":
        return DatabaseRefreshTokenStore(session_factory)
    if app.state.redis is None:
        pytest.skip("the Redis store needs TEST_REDIS_URL")
    # The `app` fixture has emptied the test Redis database.
    return RedisRefreshTokenStore(app.state.redis)


async def _new_token(
    store: RefreshTokenStore, session: AsyncSession, *, family_id: uuid.UUID | None = None
) -> tuple[str, RefreshRecord]:
    user = await create_user(session)
    await session.commit()
    record = RefreshRecord(
        user_id=user.id,
        family_id=family_id or uuid.uuid4(),
        expires_at=datetime.now(UTC).replace(microsecond=0) + timedelta(days=7),
    )
    token_hash = uuid.uuid4().hex
    await store.add(token_hash, record)
    return token_hash, record


async def _move_first_use_back(
    store: RefreshTokenStore, session: AsyncSession, token_hash: str, by: timedelta
) -> None:
    """As if the token had been used `by` earlier than it was (no waiting in tests)."""
    if isinstance(store, DatabaseRefreshTokenStore):
        where = RefreshToken.token_hash == token_hash
        used_at = await session.scalar(select(RefreshToken.used_at).where(where))
        assert used_at is not None
        await session.execute(
            update(RefreshToken)
            .where(where)
            .values(used_at=used_at - by)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
        return
    assert isinstance(store, RedisRefreshTokenStore)
    key = store._token_key(token_hash)
    used_at_microseconds = int(str(await store._redis.hget(key, "used_at")))
    moved = used_at_microseconds - by // timedelta(microseconds=1)
    await store._redis.hset(key, "used_at", str(moved))


class TestConsume:
    async def test_first_use_rotates(self, store: RefreshTokenStore, session: AsyncSession) -> None:
        token_hash, record = await _new_token(store, session)

        assert await store.consume(token_hash, reuse_grace=GRACE) == (
            ConsumeOutcome.ROTATED,
            record,
        )

    async def test_reuse_within_the_grace_is_superseded(
        self, store: RefreshTokenStore, session: AsyncSession
    ) -> None:
        token_hash, record = await _new_token(store, session)
        await store.consume(token_hash, reuse_grace=GRACE)

        for _ in range(2):
            assert await store.consume(token_hash, reuse_grace=GRACE) == (
                ConsumeOutcome.SUPERSEDED,
                record,
            )

    async def test_reuse_after_the_grace_is_reused(
        self, store: RefreshTokenStore, session: AsyncSession
    ) -> None:
        token_hash, record = await _new_token(store, session)
        await store.consume(token_hash, reuse_grace=GRACE)
        assert (await store.consume(token_hash, reuse_grace=GRACE))[0] is ConsumeOutcome.SUPERSEDED

        # The window runs from the first use; presenting the token again does not extend it.
        await _move_first_use_back(store, session, token_hash, GRACE + timedelta(seconds=1))

        assert await store.consume(token_hash, reuse_grace=GRACE) == (ConsumeOutcome.REUSED, record)

    async def test_without_a_grace_any_reuse_is_reused(
        self, store: RefreshTokenStore, session: AsyncSession
    ) -> None:
        token_hash, _ = await _new_token(store, session)
        await store.consume(token_hash, reuse_grace=timedelta(0))

        outcome, _ = await store.consume(token_hash, reuse_grace=timedelta(0))

        assert outcome is ConsumeOutcome.REUSED

    async def test_revoked_token_is_invalid_even_within_the_grace(
        self, store: RefreshTokenStore, session: AsyncSession
    ) -> None:
        token_hash, record = await _new_token(store, session)
        await store.consume(token_hash, reuse_grace=GRACE)
        await store.revoke_family(record.family_id)

        outcome, _ = await store.consume(token_hash, reuse_grace=GRACE)

        assert outcome is ConsumeOutcome.INVALID

    async def test_unknown_token_is_invalid(self, store: RefreshTokenStore) -> None:
        assert await store.consume(uuid.uuid4().hex, reuse_grace=GRACE) == (
            ConsumeOutcome.INVALID,
            None,
        )

    async def test_concurrent_uses_have_one_winner(
        self,
        store: RefreshTokenStore,
        session: AsyncSession,
        engine: AsyncEngine,
        settings: Settings,
    ) -> None:
        if isinstance(store, DatabaseRefreshTokenStore):
            await _race_the_database_store(engine, settings)
            return
        token_hash, _ = await _new_token(store, session)

        results = await asyncio.gather(
            *(store.consume(token_hash, reuse_grace=GRACE) for _ in range(8))
        )

        outcomes = sorted(outcome for outcome, _ in results)
        assert outcomes == sorted([ConsumeOutcome.ROTATED] + [ConsumeOutcome.SUPERSEDED] * 7)


async def _race_the_database_store(engine: AsyncEngine, settings: Settings) -> None:
    """Eight concurrent uses of one token through the database store, each on a connection and
    transaction of its own (the test's shared connection cannot run statements concurrently):
    the conditional UPDATE lets exactly one rotate. Committed for real, and cleaned up after."""
    if settings.is_sqlite:
        pytest.skip("SQLite has a single writer; the database race runs on PostgreSQL (as in CI)")
    factory = create_session_factory(engine)
    store = DatabaseRefreshTokenStore(factory)
    async with factory() as own:
        user = await create_user(own)
        await own.commit()
    try:
        token_hash = uuid.uuid4().hex
        expires_at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
        await store.add(token_hash, RefreshRecord(user.id, uuid.uuid4(), expires_at))

        results = await asyncio.gather(
            *(store.consume(token_hash, reuse_grace=GRACE) for _ in range(8))
        )

        outcomes = sorted(outcome for outcome, _ in results)
        assert outcomes == sorted([ConsumeOutcome.ROTATED] + [ConsumeOutcome.SUPERSEDED] * 7)
    finally:
        async with factory() as own:
            await own.execute(delete(User).where(User.id == user.id))  # its tokens go with it
            await own.commit()
