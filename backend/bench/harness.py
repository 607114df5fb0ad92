"""What the API bench (bench/run.py) needs besides the running server: a fresh database and a
free port, with nothing but this project's venv."""

from __future__ import annotations

import socket

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine


async def recreate_database(server_url: str, name: str) -> None:
    """Drop (closing its connections) and create the benchmark database on the server."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unexpected database name {name!r}")
    admin = make_url(server_url).set(drivername="postgresql+asyncpg", database="postgres")
    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
