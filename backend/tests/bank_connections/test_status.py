"""Sync status: the database as the truth, the Redis cache when there is one, and the
connections-by-status gauge."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import redis.asyncio as redis_async
from fastapi import FastAPI
from prometheus_client import REGISTRY
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.bank_connections.status_cache import KEY_PREFIX, SyncStatus, SyncStatusCache
from family_budget.config import Settings
from family_budget.models import BankConnection, BankConnectionStatus
from tests.arrange import Family
from tests.bank_connections.bank import link_bank, run_jobs
from tests.plaid_support import DemoBankUnderTest

pytestmark = pytest.mark.usefixtures("bank_app")


async def _read(client: httpx.AsyncClient, family: Family, connection_id: str) -> dict[str, object]:
    response = await client.get(
        f"{family.base}/bank-connections/{connection_id}", headers=family.headers()
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.parametrize(
    ("started_ago", "running"),
    [(timedelta(seconds=5), True), (timedelta(minutes=11), False)],
)
async def test_running_from_the_database_until_the_lease_would_have_run_out(
    client: httpx.AsyncClient,
    family: Family,
    demo_bank: DemoBankUnderTest,
    session: AsyncSession,
    started_ago: timedelta,
    running: bool,
) -> None:
    """Without a cache entry, a sync started and not finished is running, unless it started so
    long ago that its worker must have died."""
    connection = (await link_bank(client, family, demo_bank)).json()
    await session.execute(
        update(BankConnection)
        .where(BankConnection.id == uuid.UUID(connection["id"]))
        .values(sync_started_at=datetime.now(UTC) - started_ago, sync_finished_at=None)
    )
    await session.commit()
    assert (await _read(client, family, connection["id"]))["sync_running"] is running


async def test_the_cache_is_read_when_redis_is_configured(
    client: httpx.AsyncClient,
    family: Family,
    demo_bank: DemoBankUnderTest,
    session_factory: async_sessionmaker[AsyncSession],
    bank_settings: Settings,
    bank_app: FastAPI,
) -> None:
    if bank_app.state.redis is None:
        pytest.skip("needs TEST_REDIS_URL (CI runs the suite on Redis)")
    connection = (await link_bank(client, family, demo_bank)).json()
    await run_jobs(bank_settings, session_factory)
    # The worker wrote what the database says.
    raw = await bank_app.state.redis.get(KEY_PREFIX + connection["id"])
    cached = SyncStatus.from_json(raw)
    body = await _read(client, family, connection["id"])
    assert cached.last_synced_at is not None
    assert body["last_synced_at"] == cached.last_synced_at.isoformat().replace("+00:00", "Z")
    assert (cached.running(datetime.now(UTC)), cached.last_error_code) == (False, None)

    # A sync in flight shows from the cache alone.
    await SyncStatusCache(bank_app.state.redis).put(
        uuid.UUID(connection["id"]),
        SyncStatus(datetime.now(UTC) + timedelta(minutes=5), cached.last_synced_at, None, None),
    )
    assert (await _read(client, family, connection["id"]))["sync_running"] is True


async def test_redis_down_is_a_cache_miss() -> None:
    client = redis_async.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    cache = SyncStatusCache(client)
    connection_id = uuid.uuid4()
    try:
        await cache.put(connection_id, SyncStatus(None, None, "X", "y"))
        assert await cache.get_many([connection_id]) == {}
        await cache.forget(connection_id)
    finally:
        await client.aclose()


async def test_connections_by_status_are_counted_by_the_worker(
    client: httpx.AsyncClient,
    family: Family,
    demo_bank: DemoBankUnderTest,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    bank_settings: Settings,
) -> None:
    await link_bank(client, family, demo_bank)
    await link_bank(client, family, demo_bank, institution_id="ins_109511")
    await run_jobs(bank_settings, session_factory)
    for status in BankConnectionStatus:
        in_database = await session.scalar(
            select(func.count())
            .select_from(BankConnection)
            .where(BankConnection.status == status, BankConnection.removed_at.is_(None))
        )
        gauge = REGISTRY.get_sample_value(
            "family_budget_plaid_connections", {"status": status.value}
        )
        assert gauge == in_database, status
    assert REGISTRY.get_sample_value("family_budget_plaid_connections", {"status": "healthy"}) == 2
