"""Engine and session factories, and the per-request unit of work."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, SQLColumnExpression, Uuid, any_, bindparam, event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from family_budget.budgets.activity import keep_activity_totals
from family_budget.config import Settings

StatementT = TypeVar("StatementT")


def create_engine(settings: Settings, *, pooled: bool = True) -> AsyncEngine:
    """The engine for the settings' database. `pooled=False` opens a connection per use: for
    work that runs in short-lived event loops (the worker's tasks), whose connections cannot be
    shared with the next loop."""
    url = settings.resolved_database_url
    pool: dict[str, Any] = {} if pooled else {"poolclass": NullPool}
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **pool)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    # No JIT compilation: the planner's cost estimate of the reports' bitmap scans crosses
    # jit_above_cost, and compiling then took ~20 ms of every year report whose work takes 1-2.
    # Our statements are short; JIT pays only for long analytical queries.
    no_jit = {"server_settings": {"jit": "off"}}
    if not pooled:
        return create_async_engine(url, connect_args=no_jit, **pool)
    engine = create_async_engine(
        url,
        connect_args=no_jit,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
    )
    # Instead of pool_pre_ping, which costs three round trips (BEGIN, a ping, ROLLBACK) on every
    # checkout: a connection the server closed (a restart, a failover, an idle timeout) is known
    # to the driver already, and is replaced before use at no cost.
    event.listen(engine.sync_engine.pool, "checkout", _replace_closed_connection)
    return engine


def read_only_bind(engine: AsyncEngine) -> AsyncEngine | None:
    """Where requests that only read (GET, HEAD) run, or None to run them as writes do.

    On PostgreSQL they run without a transaction: at READ COMMITTED every statement takes a new
    snapshot anyway, so BEGIN and COMMIT would only add two round trips to every page. SQLite
    keeps its deferred transaction (family_budget.db._sqlite_begin)."""
    if engine.dialect.name != "postgresql":
        return None
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def _replace_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    if dbapi_connection.driver_connection.is_closed():
        # The pool discards this connection and checks out another (SQLAlchemy's documented
        # way for a checkout handler to refuse a connection).
        raise DisconnectionError("the server closed this pooled connection")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers run beside the one writer.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin; without this,
    # SAVEPOINTs and transactional DDL misbehave (SQLAlchemy's documented pysqlite recipe).
    dbapi_connection.isolation_level = None


# Set for a request that may write (any method but GET/HEAD/OPTIONS); each request runs in a task
# of its own, so the flag never leaks into another request.
_sqlite_writer: ContextVar[bool] = ContextVar("sqlite_writer", default=False)


def expect_writes() -> None:
    """Transactions begun from here on in this task take SQLite's write lock when they begin."""
    _sqlite_writer.set(True)


def _sqlite_begin(connection: Any) -> None:
    # SQLite has one writer at a time. A deferred transaction that reads and then writes fails at
    # once with "database is locked" if another connection wrote in between (its snapshot is
    # stale; the busy timeout does not apply). BEGIN IMMEDIATE takes the write lock up front and
    # waits up to the busy timeout for it, so concurrent writers queue instead of failing. Reads
    # keep the deferred BEGIN and, with WAL, never wait.
    connection.exec_driver_sql("BEGIN IMMEDIATE" if _sqlite_writer.get() else "BEGIN")


class ByIds(Generic[StatementT]):
    """A statement over a list of UUIDs passed as the parameter `ids`, built once in the form
    that suits each database. PostgreSQL gets one array parameter (`= ANY($1)`): the statement
    is the same for any number of ids, so it is compiled and prepared once and the driver sends
    one value instead of a hundred. SQLite gets an expanding IN.

    `build` receives the condition to use: `build(lambda column: <column is one of ids>)`."""

    def __init__(
        self,
        build: Callable[[Callable[[SQLColumnExpression[Any]], ColumnElement[bool]]], StatementT],
    ) -> None:
        self._postgresql = build(
            lambda column: column == any_(bindparam("ids", type_=ARRAY(Uuid())))
        )
        self._other = build(lambda column: column.in_(bindparam("ids", expanding=True)))

    def for_session(self, session: AsyncSession | Session) -> StatementT:
        if session.get_bind().dialect.name == "postgresql":
            return self._postgresql
        return self._other


def affected_rows(result: Any) -> int:
    """Rows an UPDATE or DELETE touched (the typed Result API does not expose rowcount)."""
    return int(getattr(result, "rowcount", 0) or 0)


class AppSession(Session):
    """The sessions of the app, the worker, the CLI and the tests: every flush keeps the monthly
    activity totals equal to the raw rows (family_budget.budgets.activity)."""


keep_activity_totals(AppSession)


logger = logging.getLogger(__name__)
AfterCommit = Callable[[], Awaitable[None]]
_AFTER_COMMIT_KEY = "after_commit"


def create_session_factory(
    bind: AsyncEngine | AsyncConnection,
    *,
    job_nudge: AfterCommit | None = None,
    **options: Any,
) -> async_sessionmaker[AsyncSession]:
    """Sessions of the app's class on `bind` (tests bind a connection and add their own options).

    `job_nudge` is awaited after a commit that enqueued jobs (family_budget.worker.jobs), to wake
    the worker up; without it, jobs wait for the worker's next round."""
    return async_sessionmaker(
        bind,
        sync_session_class=AppSession,
        expire_on_commit=False,
        autoflush=False,
        info={"job_nudge": job_nudge},
        **options,
    )


def after_commit(session: AsyncSession | Session, callback: AfterCommit) -> None:
    """Await `callback` once the unit of work around `session` has committed (never if it rolls
    back). For side effects that must not happen for a change that was not saved."""
    session.info.setdefault(_AFTER_COMMIT_KEY, []).append(callback)


@asynccontextmanager
async def unit_of_work(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One transaction: committed when the block succeeds, rolled back when it raises; then the
    after-commit callbacks run (their failures are logged: the change is saved either way)."""
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
        callbacks: list[AfterCommit] = session.info.pop(_AFTER_COMMIT_KEY, [])
        for callback in callbacks:
            try:
                await callback()
            except Exception:
                logger.exception("an after-commit callback failed")
