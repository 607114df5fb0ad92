"""`make bench-import`: 1,000,000 realistic transactions imported through the API's own service
code (parse, clean payees, match duplicates against the account, suggest categories, stage the
preview, commit with budget totals), as CSV and as OFX, into PostgreSQL and SQLite.

    backend/.venv/bin/python backend/bench/import_bench.py --database-url URL \\
        [--rows 1000000] [--batch 100000] [--formats csv,ofx]

The million arrives as consecutive statements of `--batch` transactions each (a family's bank
files are monthly statements; here each covers its own stretch of days, and its first days
overlap the previous statement's last ones, as real downloads do, so the duplicate matcher has
work). Each statement is one `create_import` + `commit_import` in one transaction, into one
account that keeps growing, so the per-batch times show whether the cost stays flat as the
table grows. A fresh household and account per format. Prints one JSON line per batch and a
summary; peak RSS is this process's VmHWM (the files are generated in a child process)."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from parse_bench import _description, _peak_rss_mb

# Each statement overlaps the previous one by this many rows (the same transactions again).
OVERLAP = 100


def _statement_rows(batch: int, size: int) -> list[tuple[date, int, str, str]]:
    """Statement `batch`: `size` rows, the first OVERLAP of them the previous statement's last."""
    rows: list[tuple[date, int, str, str]] = []
    start = batch * size - (OVERLAP if batch else 0)
    for index in range(start, start + size + (OVERLAP if batch else 0)):
        generator = random.Random(index)
        # ~250 transactions a day: 100k rows cover about 400 days, consecutive per statement.
        rows.append(
            (
                date(2000, 1, 1) + timedelta(days=index // 250),
                generator.randrange(-250_000, 150_000),
                _description(generator),
                f"T{index:09d}",
            )
        )
    return rows


def write_statement(path: Path, fmt: str, batch: int, size: int) -> None:
    rows = _statement_rows(batch, size)
    if fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as out:
            out.write("Posting Date,Description,Amount\n")
            for posted_on, cents, description, _ in rows:
                out.write(f"{posted_on:%Y-%m-%d},{description},{cents / 100:.2f}\n")
        return
    with path.open("w", encoding="cp1252", newline="") as out:
        out.write(
            "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\n"
            "CHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n"
            "<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>"
            "<DTSERVER>20240301120000<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>\n"
            "<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>\n"
            "<STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>121099999<ACCTID>999988"
            "<ACCTTYPE>CHECKING</BANKACCTFROM>\n<BANKTRANLIST><DTSTART>20000101<DTEND>20240101\n"
        )
        for posted_on, cents, description, fitid in rows:
            sign = "-" if cents < 0 else ""
            out.write(
                f"<STMTTRN>\n<TRNTYPE>{'DEBIT' if cents < 0 else 'CREDIT'}\n"
                f"<DTPOSTED>{posted_on:%Y%m%d}120000\n"
                f"<TRNAMT>{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}\n"
                f"<FITID>{fitid}\n<NAME>{description[:32]}\n<MEMO>{description}\n</STMTTRN>\n"
            )
        out.write(
            "</BANKTRANLIST><LEDGERBAL><BALAMT>1234.56<DTASOF>20240101</LEDGERBAL>"
            "</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
        )


async def run(database_url: str, fmt: str, rows: int, size: int, directory: Path) -> dict:
    from sqlalchemy import func, select

    from family_budget.config import Settings
    from family_budget.db import create_engine, create_session_factory, expect_writes, unit_of_work
    from family_budget.households.context import HouseholdContext
    from family_budget.imports import service
    from family_budget.imports.command import CLI_LIMITS
    from family_budget.models import Account, AccountKind, ActivityTotal, Household, Transaction

    settings = Settings(database_url=database_url)
    engine = create_engine(settings, pooled=False)
    factory = create_session_factory(engine)
    expect_writes()
    async with unit_of_work(factory) as session:
        household = Household(id=uuid.uuid4(), name=f"Bench {fmt}", currency="USD")
        session.add(household)
        await session.flush()
        account = Account(
            id=uuid.uuid4(),
            household_id=household.id,
            name="Checking",
            kind=AccountKind.CHECKING,
            currency="USD",
            opened_on=date(2000, 1, 1),
        )
        session.add(account)
    batches = []
    total_imported = 0
    started = time.perf_counter()
    for batch in range(rows // size):
        path = directory / f"statement-{fmt}-{batch}.{fmt}"
        # Written by a child process: the generator's memory is not ours.
        await asyncio.to_thread(
            subprocess.run,
            [sys.executable, __file__, "--write", str(path), fmt, str(batch), str(size)],
            check=True,
        )
        data = await asyncio.to_thread(path.read_bytes)
        path.unlink()
        batch_started = time.perf_counter()
        async with unit_of_work(factory) as session:
            loaded = await session.get_one(Household, household.id)
            context = HouseholdContext.for_system(loaded)
            imported = await service.create_import(
                session,
                context,
                account_id=account.id,
                data=data,
                filename=path.name,
                limits=CLI_LIMITS,
                inline=True,
            )
            parsed_at = time.perf_counter()
            result = await service.commit_import(session, context, imported, inline=True)
            assert result is not None
            duplicates = imported.duplicate_count
        seconds = time.perf_counter() - batch_started
        total_imported += result[0]
        record = {
            "format": fmt,
            "batch": batch + 1,
            "file_rows": imported.total_count,
            "imported": result[0],
            "duplicates": duplicates,
            "preview_seconds": round(parsed_at - batch_started, 2),
            "seconds": round(seconds, 2),
            "rows_per_second": round(imported.total_count / seconds),
            "peak_rss_mb": round(_peak_rss_mb()),
        }
        print(json.dumps(record), flush=True)
        batches.append(record)
        del data
    elapsed = time.perf_counter() - started
    async with unit_of_work(factory) as session:
        count = await session.scalar(
            select(func.count()).where(Transaction.account_id == account.id)
        )
        total_minor = await session.scalar(
            select(func.sum(Transaction.amount_minor)).where(Transaction.account_id == account.id)
        )
        totals_minor = await session.scalar(
            select(func.sum(ActivityTotal.amount_minor)).where(
                ActivityTotal.account_id == account.id
            )
        )
    await engine.dispose()
    import_seconds = sum(b["seconds"] for b in batches)
    return {
        "format": fmt,
        "database": engine.dialect.name,
        "transactions": count,
        "imported": total_imported,
        "budget_totals_match": total_minor == totals_minor,
        "import_seconds": round(import_seconds, 1),
        "wall_seconds_with_generation": round(elapsed, 1),
        "rows_per_second": round(sum(b["file_rows"] for b in batches) / import_seconds),
        "batch_seconds_first_last": [batches[0]["seconds"], batches[-1]["seconds"]],
        "peak_rss_mb": round(_peak_rss_mb()),
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--write":
        _, _, path, fmt, batch, size = sys.argv
        write_statement(Path(path), fmt, int(batch), int(size))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,ofx")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="import-bench-") as directory:
        for fmt in args.formats.split(","):
            summary = asyncio.run(
                run(args.database_url, fmt, args.rows, args.batch, Path(directory))
            )
            print(json.dumps({"summary": summary}), flush=True)


if __name__ == "__main__":
    main()
