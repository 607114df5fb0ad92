"""Helpers for bench/run.sh, so that the script needs nothing but this project's venv.

    python bench/harness.py recreate-database SERVER_URL NAME
    python bench/harness.py free-port
    python bench/harness.py wait-until-healthy URL [--timeout SECONDS]
    python bench/harness.py report STATS_CSV [--target-p99-ms 50]

`report` prints p50/p95/p99/throughput/errors per endpoint from locust's `--csv` stats file and
exits 1 when any request failed or an endpoint was never measured.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import socket
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from endpoints import ENDPOINTS, LOGIN
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


@dataclass(frozen=True, slots=True)
class EndpointStats:
    name: str
    requests: int
    failures: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    requests_per_second: float


def read_stats(path: Path) -> dict[str, EndpointStats]:
    """Rows of locust's `<prefix>_stats.csv`, by request name (the Aggregated row included)."""
    stats = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            stats[row["Name"]] = EndpointStats(
                name=row["Name"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                p50_ms=_number(row["50%"]),
                p95_ms=_number(row["95%"]),
                p99_ms=_number(row["99%"]),
                max_ms=_number(row["Max Response Time"]),
                requests_per_second=_number(row["Requests/s"]),
            )
    return stats


def _number(value: str) -> float:
    # Locust writes "N/A" for a percentile of an endpoint without requests.
    try:
        return float(value)
    except ValueError:
        return float("nan")


def render_report(stats: dict[str, EndpointStats], target_p99_ms: float) -> tuple[str, bool]:
    """The table for the terminal and docs/benchmarks.md, and whether the run was clean."""
    header = (
        "| Endpoint | Requests | Errors | p50 ms | p95 ms | p99 ms | max ms | req/s "
        f"| p99 < {target_p99_ms:g} ms |"
    )
    lines = [header, "|" + "---|" * 9]
    clean = True
    for name in ENDPOINTS:
        row = stats.get(name)
        if row is None or row.requests == 0:
            lines.append(f"| {name} | 0 | - | - | - | - | - | - | not measured |")
            clean = False
            continue
        clean = clean and row.failures == 0
        met = "yes" if row.p99_ms < target_p99_ms else "**no**"
        lines.append(
            f"| {name} | {row.requests} | {row.failures} | {row.p50_ms:g} | {row.p95_ms:g} "
            f"| {row.p99_ms:g} | {row.max_ms:.0f} | {row.requests_per_second:.1f} | {met} |"
        )
    login = stats.get(LOGIN)
    if login is not None:
        clean = clean and login.failures == 0
    total = stats.get("Aggregated")
    if total is not None:
        clean = clean and total.failures == 0
        lines.append(
            f"\nAll measured requests: {total.requests} at {total.requests_per_second:.1f} req/s, "
            f"{total.failures} failed."
        )
    return "\n".join(lines), clean


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
    report = commands.add_parser("report")
    report.add_argument("stats_csv", type=Path)
    report.add_argument("--target-p99-ms", type=float, default=50.0)
    args = parser.parse_args(argv)

    if args.command == "recreate-database":
        asyncio.run(recreate_database(args.server_url, args.name))
        return 0
    if args.command == "free-port":
        print(free_port())
        return 0
    if args.command == "wait-until-healthy":
        return 0 if wait_until_healthy(args.url, args.timeout) else 1
    table, clean = render_report(read_stats(args.stats_csv), args.target_p99_ms)
    print(table)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
