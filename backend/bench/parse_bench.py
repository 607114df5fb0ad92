"""Parsing and duplicate-matching speed: rows/s and peak RSS on realistic 1M-row files.

    backend/.venv/bin/python backend/bench/parse_bench.py [--rows 1000000] [--library-rows 20000]

Generates a CSV and an OFX (SGML) statement in a temporary directory, then measures each in a
fresh process so that its peak RSS is its own: our CSV and OFX parsers (streamed from the file,
as the CLI and worker read big files), ofxtools' full parse of a smaller OFX (the library the
OFX body path was measured against), and find_duplicates of the file's rows against as many
existing transactions (half of them the same rows, half new)."""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

MERCHANTS = [
    "POS {n} AMAZON MKTP US*{ref}", "SQ *BLUE BOTTLE COFFEE {n}", "WHOLEFDS HOU {n}",
    "SHELL OIL {n} BERKELEY CA", "PURCHASE AUTHORIZED ON 03/04 TRADER JOE S #{n} OAKLAND CA",
    "NETFLIX.COM {ref}", "ACH DEBIT PG&E WEB ONLINE {ref}", "CHECKCARD {n} SAFEWAY STORE {n}",
    "UBER *TRIP {ref}", "PAYPAL *ETSY {ref}", "TARGET {n} OAKLAND CA", "PAYROLL ACME INC",
    "VENMO PAYMENT {ref}", "CORNER BAKERY {n}", "COSTCO WHSE #{n}", "SPOTIFY USA {ref}",
]  # fmt: skip


# Card purchases at marketplaces and apps carry a reference unique to each purchase; other
# references (a subscription's account number) repeat. Store numbers repeat too: a family shops
# at a few stores. About a quarter of the rows therefore have a description seen only once.
UNIQUE_REFERENCES = ("POS", "UBER", "PAYPAL", "VENMO")


def _description(generator: random.Random) -> str:
    template = generator.choice(MERCHANTS)
    unique = template.startswith(UNIQUE_REFERENCES)
    reference = generator.randrange(10**9) if unique else generator.randrange(5) * 7919
    return template.format(n=generator.randrange(1, 40) * 97, ref=reference)


def _rows(count: int, seed: int) -> Iterator[tuple[date, int, str, str]]:
    generator = random.Random(seed)
    start = date(2021, 1, 1)
    for index in range(count):
        yield (
            start + timedelta(days=generator.randrange(3 * 365)),
            generator.randrange(-250_000, 150_000),
            _description(generator),
            f"{seed}-{index:09d}",
        )


def write_csv(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Posting Date,Description,Amount,Balance\n")
        balance = 1_000_000
        for posted_on, cents, description, _ in _rows(count, seed=1):
            balance += cents
            out.write(f"{posted_on:%m/%d/%Y},{description},{cents / 100:.2f},{balance / 100:.2f}\n")


def write_ofx(path: Path, count: int) -> None:
    with path.open("w", encoding="cp1252", newline="") as out:
        out.write(
            "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\n"
            "CHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n"
            "<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>"
            "<DTSERVER>20240301120000<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>\n"
            "<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>\n"
            "<STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>121099999<ACCTID>999988"
            "<ACCTTYPE>CHECKING</BANKACCTFROM>\n<BANKTRANLIST><DTSTART>20210101<DTEND>20240101\n"
        )
        for posted_on, cents, description, fitid in _rows(count, seed=2):
            sign = "-" if cents < 0 else ""
            out.write(
                f"<STMTTRN>\n<TRNTYPE>{'DEBIT' if cents < 0 else 'CREDIT'}\n"
                f"<DTPOSTED>{posted_on:%Y%m%d}120000.000[-5:EST]\n"
                f"<TRNAMT>{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}\n"
                f"<FITID>{fitid}\n<NAME>{description[:32]}\n<MEMO>{description}\n</STMTTRN>\n"
            )
        out.write(
            "</BANKTRANLIST><LEDGERBAL><BALAMT>1234.56<DTASOF>20240101</LEDGERBAL>"
            "</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
        )


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _memory_mb(field: str) -> float:
    """VmHWM (peak) or VmRSS (now) of this process. Not getrusage's ru_maxrss: that one keeps
    the parent's peak across fork and exec, so every child would report the parent's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _peak_rss_mb() -> float:
    return _memory_mb("VmHWM")


def measure_parse(path: Path) -> dict[str, float | str]:
    from family_budget.imports.parsing import ParseLimits, open_file

    unlimited = ParseLimits(max_file_bytes=None, max_rows=10**9)
    cpu = _cpu_seconds()
    started = time.perf_counter()
    with path.open("rb") as source:
        parsed = open_file(source, limits=unlimited)
        count = errors = 0
        for row in parsed.rows():
            count += 1
            errors += row.status == "error"
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    return {
        "what": f"ours {parsed.format}",
        "rows": count,
        "errors": errors,
        "seconds": round(seconds, 2),
        "rows_per_second": round(count / seconds),
        "cpu_seconds": round(cpu, 2),
        "rows_per_cpu_second": round(count / cpu),
        "peak_rss_mb": round(_peak_rss_mb()),
        "file_mb": round(path.stat().st_size / 1e6),
    }


def measure_ofxtools(path: Path) -> dict[str, float | str]:
    import warnings

    from ofxtools.Parser import OFXTree

    cpu = _cpu_seconds()
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = OFXTree()
        tree.parse(str(path))
        count = len(tree.convert().statements[0].transactions)
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    return {
        "what": "ofxtools OFXTree.parse + convert",
        "rows": count,
        "seconds": round(seconds, 2),
        "rows_per_second": round(count / seconds),
        "cpu_seconds": round(cpu, 2),
        "rows_per_cpu_second": round(count / cpu),
        "peak_rss_mb": round(_peak_rss_mb()),
        "file_mb": round(path.stat().st_size / 1e6, 1),
    }


def measure_dedupe(count: int) -> dict[str, float | str]:
    from family_budget.imports.dedupe import ExistingTransaction, FileRow, find_duplicates
    from family_budget.imports.payees import clean_payee, normalize_payee

    generator = random.Random(3)
    file_rows = [
        FileRow(posted_on, cents, normalize_payee(clean_payee(description)))
        for posted_on, cents, description, _ in _rows(count, seed=4)
    ]
    # The account already has half of the file (shifted by up to 2 days, as pending-to-posted
    # dates are) and as many other transactions.
    existing = [
        ExistingTransaction(index, row.posted_on + timedelta(days=generator.randrange(-2, 3)),
                            row.amount_minor, row.payee_key)
        for index, row in enumerate(file_rows[: count // 2])
    ] + [
        ExistingTransaction(count + index, posted_on, cents, normalize_payee(clean_payee(text)))
        for index, (posted_on, cents, text, _) in enumerate(_rows(count - count // 2, seed=5))
    ]  # fmt: skip
    inputs_mb = _memory_mb("VmRSS")
    cpu = _cpu_seconds()
    started = time.perf_counter()
    verdicts = find_duplicates(file_rows, existing)
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    return {
        "what": f"find_duplicates {count:,} file rows x {len(existing):,} existing",
        "rows": count,
        "duplicates": sum(verdict.is_duplicate for verdict in verdicts),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_per_second": round(count / seconds),
        "rss_with_inputs_mb": round(inputs_mb),
        "peak_rss_mb": round(_peak_rss_mb()),
    }


def _in_fresh_process(*arguments: str) -> dict[str, float | str]:
    output = subprocess.run(
        [sys.executable, __file__, *arguments], check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, float | str] = json.loads(output.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--library-rows", type=int, default=20_000)
    parser.add_argument("--measure", choices=["parse", "ofxtools", "dedupe"])
    parser.add_argument("path", nargs="?")
    arguments = parser.parse_args()
    if arguments.measure == "parse":
        print(json.dumps(measure_parse(Path(arguments.path))))
        return
    if arguments.measure == "ofxtools":
        print(json.dumps(measure_ofxtools(Path(arguments.path))))
        return
    if arguments.measure == "dedupe":
        print(json.dumps(measure_dedupe(int(arguments.path))))
        return
    with tempfile.TemporaryDirectory(prefix="parse-bench-") as directory:
        folder = Path(directory)
        csv_path, ofx_path, small_ofx = folder / "big.csv", folder / "big.ofx", folder / "small.ofx"
        write_csv(csv_path, arguments.rows)
        write_ofx(ofx_path, arguments.rows)
        write_ofx(small_ofx, arguments.library_rows)
        results = [
            _in_fresh_process("--measure", "parse", str(csv_path)),
            _in_fresh_process("--measure", "parse", str(ofx_path)),
            _in_fresh_process("--measure", "parse", str(small_ofx)),
            _in_fresh_process("--measure", "ofxtools", str(small_ofx)),
            _in_fresh_process("--measure", "dedupe", str(arguments.rows)),
        ]
    # How busy the machine is: the same pure-Python loop, timed before the measurements.
    started = time.process_time()
    sum(range(10**7))
    calibration = time.process_time() - started
    print(
        f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
        f"sum(range(10**7)) took {calibration:.2f} CPU s"
    )
    for result in results:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
