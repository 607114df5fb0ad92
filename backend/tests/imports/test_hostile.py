"""Broken and hostile files: each fails fast with ImportFileError naming the line or the limit,
and without memory growing with the attack (peaks measured with tracemalloc)."""

from __future__ import annotations

import io
import random
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from family_budget.imports.parsing import ImportFileError, ParseLimits, open_file, parse_file
from family_budget.imports.parsing.limits import (
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_LINE_CHARS,
    MAX_OFX_DEPTH,
    MAX_OFX_ELEMENTS_PER_TRANSACTION,
)

XML_OFX_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n'
)
STATEMENT_START = (
    "<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD</CURDEF><BANKACCTFROM><ACCTID>1</ACCTID>"
    "</BANKACCTFROM><BANKTRANLIST>"
)
STATEMENT_END = "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>"
CSV_HEAD = b"Date,Description,Amount\n"


@contextmanager
def peak_memory_below(megabytes: int) -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < megabytes * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def _fails(data: bytes, match: str, limits: ParseLimits | None = None) -> ImportFileError:
    with pytest.raises(ImportFileError, match=match) as caught:
        parse_file(data, limits=limits or ParseLimits())
    return caught.value


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(random.Random(1).randbytes(5000)), "binary"),
        (b"%PDF-1.7\n" + bytes(random.Random(2).randbytes(5000)), "binary"),
        (b"PK\x03\x04" + bytes(random.Random(3).randbytes(5000)), "binary"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + bytes(4000), "binary"),
        (b'{"transactions": []}', "JSON"),
        (b"<html><body>Your statement</body></html>", "not OFX"),
        (b"just some words\nwithout any structure\n", "not a bank export"),
        (b"Date,Description,Amount\n", "no transactions"),
        (b"a,b,c\nd,e,f\n", "dates"),
        (b"!Type:Invst\nD01/02/2024\nT1.00\n^\n", "investment registers"),
        (b"!Type:Bank\n!Bogus\n", "unknown QIF header"),
    ],
)
def test_not_a_bank_file(data: bytes, match: str) -> None:
    _fails(data, match)


def test_over_the_size_limit_as_bytes_and_as_a_file() -> None:
    data = CSV_HEAD + b"2024-01-01,x,1.00\n" * (MAX_FILE_BYTES // 18 + 10)
    assert len(data) > MAX_FILE_BYTES
    error = _fails(data, "larger than 20 MB")
    assert error.limit == "max_file_bytes"
    with pytest.raises(ImportFileError, match="larger than 20 MB"):
        open_file(io.BytesIO(data))


def test_a_million_columns() -> None:
    data = CSV_HEAD + b"," * 1_000_000 + b"\n"
    with peak_memory_below(40):
        error = _fails(data, f"longer than {MAX_LINE_CHARS} characters")
    assert (error.limit, error.line) == ("max_line_chars", 2)


def test_more_columns_than_the_limit() -> None:
    wide = b"2024-01-01,x,1.00" + b",y" * MAX_COLUMNS + b"\n"
    error = _fails(CSV_HEAD + CSV_HEAD.replace(b"\n", b"") + b"\n" + wide, "more than 256 columns")
    assert error.limit == "max_columns"


def test_a_very_long_line_without_newline_is_not_held_whole() -> None:
    data = CSV_HEAD + b"2024-01-01,x,1.00\n" + b"y" * (15 * 1024 * 1024)
    with (
        peak_memory_below(60),
        pytest.raises(ImportFileError, match="Line 3 is longer") as caught,
    ):
        list(open_file(io.BytesIO(data)).rows())
    assert caught.value.limit == "max_line_chars"


@pytest.mark.parametrize(
    "make",
    [
        lambda n: CSV_HEAD + b"2024-01-01,x,1.00\n" * n,
        lambda n: b"!Type:Bank\n" + b"D01/02/2024\nT1.00\n^\n" * n,
        lambda n: (
            XML_OFX_HEADER
            + STATEMENT_START
            + "<STMTTRN><DTPOSTED>20240101</DTPOSTED><TRNAMT>1</TRNAMT></STMTTRN>" * n
            + STATEMENT_END
        ).encode(),
    ],
    ids=["csv", "qif", "ofx"],
)
def test_more_rows_than_the_limit(make: Callable[[int], bytes]) -> None:
    limits = ParseLimits(max_rows=10)
    assert len(parse_file(make(10), limits=limits).rows) == 10
    error = _fails(make(11), "more than 10", limits)
    assert error.limit == "max_rows"


def test_deeply_nested_xml() -> None:
    depth = 200_000
    data = (XML_OFX_HEADER + "<OFX>" + "<A>" * depth + "</A>" * depth + "</OFX>").encode()
    with peak_memory_below(40):
        error = _fails(data, f"deeper than {MAX_OFX_DEPTH}")
    assert error.limit == "max_ofx_depth"


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE OFX [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
)


@pytest.mark.parametrize(
    "document",
    [
        # billion laughs: 10^9 "lol"s if anything expanded it
        XML_OFX_HEADER.replace('<?xml version="1.0" encoding="UTF-8"?>\n', BILLION_LAUGHS)
        + STATEMENT_START
        + "<STMTTRN><NAME>&lol9;</NAME></STMTTRN>"
        + STATEMENT_END,
        # external entity: would read a local file into the payee
        XML_OFX_HEADER
        + '<!DOCTYPE OFX [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + STATEMENT_START
        + "<STMTTRN><NAME>&xxe;</NAME></STMTTRN>"
        + STATEMENT_END,
        # quadratic blowup: one big entity used many times
        XML_OFX_HEADER
        + '<!DOCTYPE OFX [<!ENTITY big "'
        + "x" * 50_000
        + '">]>'
        + STATEMENT_START
        + "<STMTTRN><NAME>"
        + "&big;" * 2000
        + "</NAME></STMTTRN>"
        + STATEMENT_END,
        # a declaration hidden inside the transaction list
        XML_OFX_HEADER + STATEMENT_START + '<!ENTITY x "y"><STMTTRN></STMTTRN>' + STATEMENT_END,
    ],
    ids=["billion-laughs", "external-entity", "quadratic-blowup", "inner-declaration"],
)
def test_entity_declarations_are_refused(document: str) -> None:
    with peak_memory_below(40):
        _fails(document.encode(), "declares a DOCTYPE or entities")


def test_undeclared_entity_is_left_as_text() -> None:
    data = (
        XML_OFX_HEADER
        + STATEMENT_START
        + "<STMTTRN><DTPOSTED>20240101</DTPOSTED><TRNAMT>-1</TRNAMT><NAME>&xxe; &#0; &#x110000;"
        + "</NAME></STMTTRN>"
        + STATEMENT_END
    ).encode()
    assert parse_file(data).rows[0].payee_original == "&xxe; &#0; &#x110000;"


def test_ofx_value_longer_than_the_limit() -> None:
    data = (
        XML_OFX_HEADER
        + STATEMENT_START
        + "<STMTTRN><NAME>"
        + "x" * (MAX_LINE_CHARS * 5)
        + "</NAME></STMTTRN>"
        + STATEMENT_END
    ).encode()
    error = _fails(data, "OFX record 1: an element or transaction is longer than")
    assert (error.limit, error.line) == ("max_line_chars", 1)


def test_ofx_transaction_with_too_many_elements() -> None:
    many = "<MEMO>x</MEMO>" * (MAX_OFX_ELEMENTS_PER_TRANSACTION + 1)
    data = (
        XML_OFX_HEADER + STATEMENT_START + f"<STMTTRN>{many}</STMTTRN>" + STATEMENT_END
    ).encode()
    error = _fails(data, "OFX record 1 has more than")
    assert (error.limit, error.line) == ("max_ofx_elements_per_transaction", 1)


def test_qif_with_too_many_splits() -> None:
    data = b"!Type:Bank\nD01/02/2024\nT1.00\n" + b"SFood\n$1.00\n" * 20 + b"^\n"
    error = _fails(data, "more than 10 splits", ParseLimits(max_qif_splits=10))
    assert error.limit == "max_qif_splits"


def test_nul_bytes_after_the_sniffed_head() -> None:
    data = CSV_HEAD + b"2024-01-01,x,1.00\n" * 500 + b"2024-01-01,\x00\x00,1.00\n"
    _fails(data, "NUL characters")


def test_multi_account_qif_is_refused() -> None:
    data = (
        b"!Account\nNChecking\nTBank\n^\n!Type:Bank\nD01/02/2024\nT1.00\n^\n"
        b"!Account\nNSavings\nTBank\n^\n!Type:Bank\nD01/03/2024\nT2.00\n^\n"
    )
    _fails(data, "more than one account")
