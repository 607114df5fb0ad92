"""Helpers the benches share (bench/run.py imports them; bench/import_run.sh runs them), so that
they need nothing but this project's venv.

    python bench/harness.py recreate-database SERVER_URL NAME
    python bench/harness.py free-port
    python bench/harness.py wait-until-healthy URL [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
import time
import urllib.error
import urllib.request

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


def wait_until_healthy(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own URL
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    recreate = commands.add_parser("recreate-database")
    recreate.add_argument("server_url")
    recreate.add_argument("name")
    commands.add_parser("free-port")
    wait = commands.add_parser("wait-until-healthy")
    wait.add_argument("url")
    wait.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)

    if args.command == "recreate-database":
        asyncio.run(recreate_database(args.server_url, args.name))
        return 0
    if args.command == "free-port":
        print(free_port())
        return 0
    return 0 if wait_until_healthy(args.url, args.timeout) else 1


if __name__ == "__main__":
    sys.exit(main())
