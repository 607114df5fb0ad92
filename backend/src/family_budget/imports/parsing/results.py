"""What a parse produces: the detected format, the CSV mapping, statement metadata and rows.

The service stores rows as preview rows. Their shape is the API contract of issue 8: `line`,
`posted_on`, `amount_minor` (positive is money in), `payee`, `payee_original`, `memo`,
`external_id`, `status` ("ok" or "error") and `error`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, NamedTuple

FileFormat = Literal["csv", "ofx", "qfx", "qif"]
RowStatus = Literal["ok", "error"]
DecimalSeparator = Literal[".", ","]


class ImportFileError(Exception):
    """The whole file cannot be read: wrong format, hostile content or a limit.

    The message names the line (or record) or the limit, and is safe to show to the user; the
    service turns it into a 4xx problem. `limit` names the broken limit, when one was."""

    def __init__(self, message: str, *, line: int | None = None, limit: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.limit = limit


class SplitLine(NamedTuple):
    """One split of a QIF transaction (S/E/$ lines)."""

    category: str | None
    transfer_account: str | None  # "[Savings]" as a category: a transfer to that account
    amount_minor: int | None
    memo: str | None


class ParsedRow(NamedTuple):
    """One transaction of the file, in file order.

    `line` is the 1-based line where the record starts in the decoded file (CSV and QIF; CR, LF,
    CRLF and CRCRLF each end one line), or, for OFX, the 1-based index of the STMTTRN record:
    an OFX body may be one line, so line numbers would say nothing there.
    A row that cannot be read has status "error", an `error` naming the field, and whatever
    fields could be read."""

    line: int
    posted_on: date | None
    amount_minor: int | None
    payee: str
    payee_original: str
    memo: str | None
    external_id: str | None
    status: RowStatus = "ok"
    error: str | None = None
    check_number: str | None = None
    category: str | None = None  # QIF "L" category
    transfer_account: str | None = None  # QIF "L[Account]": a transfer hint
    splits: tuple[SplitLine, ...] = ()


def new_row(
    line: int,
    posted_on: date | None,
    amount_minor: int | None,
    payee: str,
    payee_original: str,
    memo: str | None,
    external_id: str | None,
    check_number: str | None = None,
) -> ParsedRow:
    """A readable row, built without NamedTuple's Python-level __new__: the parsers' hot path
    makes a million of these."""
    return _make_row(
        ParsedRow,
        (line, posted_on, amount_minor, payee, payee_original, memo, external_id, "ok", None,
         check_number, None, None, ()),
    )  # fmt: skip


_make_row = tuple.__new__


@dataclass(slots=True)
class CsvMapping:
    """How CSV columns map to transaction fields; the API's `options` object.

    As input every field is optional (None = detect it). As output it says what was detected or
    given. Columns are 0-based indexes; on input a header name (matched case-insensitively) is
    accepted too. `header_row` is the 1-based line of the header, 0 when the file has none.
    Amounts come from `amount_column`, or from `inflow_column` and `outflow_column`, or from
    `amount_column` plus `debit_credit_column` (values such as debit/credit, DR/CR, D/C; a blank
    flag counts as a debit). `invert_sign` flips the final sign (a card export where a positive
    amount is a purchase)."""

    delimiter: str | None = None
    encoding: str | None = None
    header_row: int | None = None
    date_column: int | str | None = None
    date_format: str | None = None
    amount_column: int | str | None = None
    inflow_column: int | str | None = None
    outflow_column: int | str | None = None
    debit_credit_column: int | str | None = None
    payee_column: int | str | None = None
    memo_column: int | str | None = None
    decimal_separator: DecimalSeparator | None = None
    invert_sign: bool | None = None


@dataclass(slots=True)
class StatementInfo:
    """What an OFX statement says about itself (QIF and CSV files have no such header)."""

    currency: str | None = None
    account_id: str | None = None
    account_type: str | None = None  # CHECKING, SAVINGS, CREDITLINE, ... or "CREDITCARD"
    bank_id: str | None = None
    balance_minor: int | None = None  # LEDGERBAL
    balance_on: date | None = None
    start_on: date | None = None
    end_on: date | None = None


@dataclass(slots=True)
class ParsedFile:
    """A file whose format and layout are known; its rows are read on demand.

    `rows()` streams the rows once, in file order, so a million-row file never sits in memory.
    `statement` is complete once the rows have been read (an OFX balance follows the
    transactions). When the dates fit more than one format (03/04/2024), `date_order_ambiguous`
    is set, `date_format_candidates` lists the formats that fit every date, and rows are read with
    `date_format`, the first candidate, until the user picks one."""

    format: FileFormat
    encoding: str
    statement: StatementInfo
    _rows: Iterator[ParsedRow]
    mapping: CsvMapping | None = None
    columns: tuple[str, ...] = ()
    date_format: str | None = None
    date_format_candidates: tuple[str, ...] = ()
    date_order_ambiguous: bool = False
    warnings: list[str] = field(default_factory=list)

    def rows(self) -> Iterator[ParsedRow]:
        return self._rows


@dataclass(slots=True)
class ParseResult:
    """A whole file read into memory: `ParsedFile` with its rows as a list."""

    format: FileFormat
    encoding: str
    statement: StatementInfo
    rows: list[ParsedRow]
    mapping: CsvMapping | None
    columns: tuple[str, ...]
    date_format: str | None
    date_format_candidates: tuple[str, ...]
    date_order_ambiguous: bool
    warnings: list[str]
