"""Alembic environment: async engine from the app's settings, one migration run at a time."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection, text

from family_budget.config import Settings
from family_budget.db import create_engine
from family_budget.models import Base

# Any constant works; every migration run of every task uses the same one.
MIGRATION_LOCK_ID = 7_261_940_118

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_locked(connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        _run(connection)
        return
    # Two tasks starting together must not migrate at once: the second waits here, then finds
    # the schema at head and does nothing. Session-level lock, released in `finally`.
    connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
    connection.commit()
    try:
        _run(connection)
    finally:
        connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
        connection.commit()


async def _run_online() -> None:
    url = context.config.attributes.get("database_url")
    settings = Settings(database_url=url) if url else Settings()
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_locked)
    finally:
        await engine.dispose()


def _run_in_connection(connection: Connection) -> None:
    _run_locked(connection)


if context.is_offline_mode():
    raise SystemExit(
        "Offline (SQL script) migrations are not supported; run `family-budget migrate`."
    )

given_connection = context.config.attributes.get("connection")
if given_connection is not None:
    _run_in_connection(given_connection)
else:
    asyncio.run(_run_online())
