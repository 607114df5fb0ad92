"""Test harness: a real database built by the real migrations, one rolled-back transaction per test.

By default the suite runs on a SQLite file with in-process fallbacks. Set TEST_DATABASE_URL
(a PostgreSQL server URL; a fresh database is created on it per run) and TEST_REDIS_URL to run the
same suite on PostgreSQL + Redis, as CI does.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from family_budget.app import create_app
from family_budget.auth.rate_limit import build_rate_limiter
from family_budget.auth.refresh_store import build_refresh_store
from family_budget.config import Settings
from family_budget.db import create_engine, create_session_factory
from family_budget.migrations import upgrade_to_head
from family_budget.observability.metrics import Metrics
from family_budget.worker.jobs import JobContext, drain
from tests.arrange import Arranged, Family, build_arrangement, load_family
from tests.outbox import sent_emails

TEST_JWT_SECRET = "test-secret-" + "x" * 40


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist every worker runs its own session: its own SQLite file or PostgreSQL
    database already (the fixtures below), and here its own Redis database, counting down from
    the one TEST_REDIS_URL names (15 for worker gw0, 14 for gw1, ...), since tests flush it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not worker or not redis_url:
        return
    parsed = urlsplit(redis_url)
    database = int(parsed.path.lstrip("/") or 0) - int(worker.removeprefix("gw"))
    if database < 0:
        raise pytest.UsageError(f"TEST_REDIS_URL's database leaves no Redis database for {worker}")
    os.environ["TEST_REDIS_URL"] = urlunsplit(parsed._replace(path=f"/{database}"))


def _postgres_test_database(server_url: str) -> tuple[str, str]:
    """Create a uniquely named database on the server; returns (its URL, admin URL)."""
    url = make_url(server_url)
    name = f"family_budget_test_{uuid.uuid4().hex[:10]}"
    admin = url.set(drivername="postgresql+asyncpg", database="postgres")
    return admin.set(database=name).render_as_string(hide_password=False), (
        admin.render_as_string(hide_password=False)
    )


async def _run_admin(admin_url: str, statement: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
async def database_url(data_dir: Path) -> AsyncIterator[str]:
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        url = f"sqlite+aiosqlite:///{(data_dir / 'test.db').as_posix()}"
        await asyncio.to_thread(upgrade_to_head, url)
        yield url
        return
    url, admin_url = _postgres_test_database(server_url)
    name = make_url(url).database
    await _run_admin(admin_url, f'CREATE DATABASE "{name}"')
    try:
        # Alembic's env runs its own event loop, so it gets a thread of its own.
        await asyncio.to_thread(upgrade_to_head, url)
        yield url
    finally:
        await _run_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def redis_url() -> str | None:
    return os.environ.get("TEST_REDIS_URL") or None


@pytest.fixture(scope="session")
def settings(database_url: str, redis_url: str | None, data_dir: Path) -> Settings:
    return Settings(
        environment="development",
        database_url=database_url,
        redis_url=redis_url,
        jwt_secret=TEST_JWT_SECRET,
        data_dir=data_dir,
    )


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            await transaction.rollback()


@pytest.fixture
def session_factory(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    # Every session of the test (the app's and the test's own) joins the outer transaction;
    # their commits become savepoint releases, and the whole test is rolled back at the end.
    return create_session_factory(connection, join_transaction_mode="create_savepoint")


@pytest.fixture
async def session(session_factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session


@pytest.fixture(scope="session")
async def _shared_app(settings: Settings) -> AsyncIterator[FastAPI]:
    # Building the app costs about a second; it is built once and its per-test state is reset
    # by the `app` fixture below.
    app = create_app(settings, configure_logs=False)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def app(
    _shared_app: FastAPI,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> FastAPI:
    app = _shared_app
    if app.state.redis is not None:
        await app.state.redis.flushdb()
    app.state.session_factory = session_factory
    app.state.read_session_factory = session_factory
    app.state.metrics = Metrics()
    app.state.rate_limiter = build_rate_limiter(settings)
    app.state.refresh_store = build_refresh_store(settings, app.state.redis, session_factory)
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        yield client


@pytest.fixture
def outbox(settings: Settings) -> Path:
    outbox = settings.outbox_dir
    outbox.mkdir(parents=True, exist_ok=True)
    for stale in outbox.glob("*.json"):
        stale.unlink()
    return outbox


@pytest.fixture(scope="session", autouse=True)
async def _arranged(engine: AsyncEngine, settings: Settings) -> Arranged:
    # Built and committed once, before the first test, so that every test sees the same
    # database whatever the order; each rolls back whatever it does to it.
    async with create_session_factory(engine)() as session:
        return await build_arrangement(session, settings)


@pytest.fixture
async def family(session: AsyncSession, _arranged: Arranged) -> Family:
    """The one arrangement (tests/arrange.py): our household and a neighbour with money."""
    return await load_family(session, _arranged)


Emails = Callable[[], Awaitable[list[dict[str, Any]]]]


@pytest.fixture
def emails(
    outbox: Path, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> Emails:
    """Run the due jobs (emails are sent by jobs), then read the outbox's messages, oldest
    first."""

    async def delivered() -> list[dict[str, Any]]:
        await drain(JobContext(settings, session_factory, now=datetime.now(UTC)))
        return await asyncio.to_thread(sent_emails, outbox)

    return delivered
