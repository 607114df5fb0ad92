"""Parsing bank files: one entry point for every format.

    parsed = open_file(upload_bytes, mapping=CsvMapping(...) or None, currency_exponent=2)
    parsed.format, parsed.mapping, parsed.date_order_ambiguous  # known before any row is read
    for row in parsed.rows(): ...                                # streamed, file order
    parsed.statement                                             # complete after the rows

`parse_file` does the same and reads every row into a list. Any whole-file failure raises
`ImportFileError`; a row that cannot be read comes back with status "error"."""

from __future__ import annotations

from typing import BinaryIO

from family_budget.imports.parsing.csv import open_csv
from family_budget.imports.parsing.detect import sniff_format
from family_budget.imports.parsing.limits import DEFAULT_LIMITS, ParseLimits
from family_budget.imports.parsing.ofx import open_ofx
from family_budget.imports.parsing.qif import open_qif
from family_budget.imports.parsing.results import (
    CsvMapping,
    FileFormat,
    ImportFileError,
    ParsedFile,
    ParsedRow,
    ParseResult,
    SplitLine,
    StatementInfo,
)
from family_budget.imports.parsing.text import Source, choose_encoding, decode_sample, refuse_binary

__all__ = [
    "CsvMapping",
    "FileFormat",
    "ImportFileError",
    "ParseLimits",
    "ParseResult",
    "ParsedFile",
    "ParsedRow",
    "SplitLine",
    "StatementInfo",
    "open_file",
    "parse_file",
]


def open_file(
    source: bytes | BinaryIO,
    *,
    mapping: CsvMapping | None = None,
    currency_exponent: int = 2,
    limits: ParseLimits = DEFAULT_LIMITS,
) -> ParsedFile:
    """Detect the format and layout; rows stream from `.rows()`.

    `currency_exponent` is the account's (2 for USD): CSV and QIF amounts are read with it; an
    OFX file says its own currency (CURDEF), whose exponent it uses. `mapping` applies to CSV
    (and, for QIF, its `encoding` and `date_format`)."""
    src = Source.of(source, limits)
    sample = src.sample()
    refuse_binary(sample)
    sniff_text = decode_sample(sample, (mapping and mapping.encoding) or choose_encoding(sample))
    kind = sniff_format(sniff_text)
    if kind == "ofx":
        return open_ofx(src, currency_exponent)
    if kind == "qif":
        return open_qif(src, mapping, currency_exponent)
    return open_csv(src, mapping, currency_exponent)


def parse_file(
    source: bytes | BinaryIO,
    *,
    mapping: CsvMapping | None = None,
    currency_exponent: int = 2,
    limits: ParseLimits = DEFAULT_LIMITS,
) -> ParseResult:
    """`open_file` with every row read."""
    parsed = open_file(source, mapping=mapping, currency_exponent=currency_exponent, limits=limits)
    rows = list(parsed.rows())
    return ParseResult(
        format=parsed.format,
        encoding=parsed.encoding,
        statement=parsed.statement,
        rows=rows,
        mapping=parsed.mapping,
        columns=parsed.columns,
        date_format=parsed.date_format,
        date_format_candidates=parsed.date_format_candidates,
        date_order_ambiguous=parsed.date_order_ambiguous,
        warnings=parsed.warnings,
    )
