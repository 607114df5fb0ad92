"""QIF (Quicken Interchange Format): bank, cash and card registers, with splits.

A record is a group of lines, each starting with a field letter (D date, T amount, P payee,
M memo, L category, N check number, S/E/$ a split's category, memo and amount), ended by "^".
A category in brackets, "[Savings]", names another account: the row carries it as a transfer
hint. Row `line` is the line of the record's first field. Dates are month-first unless the file
shows otherwise (Quicken writes month-first; "1/23'19" is 2019)."""

from __future__ import annotations

from collections.abc import Iterator

from family_budget.imports.parsing.amounts import AmountError, parse_amount
from family_budget.imports.parsing.dates import QIF_DATE_FORMATS, DateParser, fitting_formats
from family_budget.imports.parsing.limits import ParseLimits
from family_budget.imports.parsing.results import (
    CsvMapping,
    ImportFileError,
    ParsedFile,
    ParsedRow,
    SplitLine,
    StatementInfo,
)
from family_budget.imports.parsing.text import Source, choose_encoding, decode_chunks, iter_lines
from family_budget.imports.payees import clean_payee

# Registers of money; investment registers and lists (categories, classes, memorized
# transactions) are not transactions of an account.
_MONEY_TYPES = frozenset({"bank", "cash", "ccard", "oth a", "oth l"})
_LIST_TYPES = frozenset({"cat", "class", "memorized", "prices", "security"})


def open_qif(source: Source, given: CsvMapping | None, exponent: int) -> ParsedFile:
    given = given or CsvMapping()
    encoding = given.encoding or choose_encoding(source.sample())
    limits = source.limits
    if given.date_format:
        candidates = [given.date_format]
    else:
        dates = (
            record.fields["D"]
            for record in _records(source, encoding, limits)
            if "D" in record.fields
        )
        candidates = fitting_formats((_qif_date_text(value) for value in dates), QIF_DATE_FORMATS)
        if not candidates:
            raise ImportFileError("The QIF file has no transaction with a date it can read")
    return ParsedFile(
        format="qif",
        encoding=encoding,
        statement=StatementInfo(),
        _rows=_rows(source, encoding, limits, candidates[0], exponent),
        date_format=candidates[0],
        date_format_candidates=tuple(candidates),
        date_order_ambiguous=len(candidates) > 1,
    )


class _Record:
    __slots__ = ("fields", "line", "splits")

    def __init__(self, line: int) -> None:
        self.line = line
        self.fields: dict[str, str] = {}
        self.splits: list[dict[str, str]] = []


def _records(source: Source, encoding: str, limits: ParseLimits) -> Iterator[_Record]:
    lines = iter_lines(decode_chunks(source.chunks(), encoding), limits)
    register: str | None = None
    in_account_block = False
    accounts_with_rows: set[str] = set()
    account = ""
    record: _Record | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("!"):
            header = line[1:].casefold()
            if header.startswith("type:"):
                register = header[5:].strip()
                in_account_block = False
                if register == "invst":
                    raise ImportFileError(
                        f"Line {number}: investment registers are not supported", line=number
                    )
            elif header == "account":
                in_account_block, account = True, ""
            elif not header.startswith(("option", "clear")):
                raise ImportFileError(f"Line {number}: unknown QIF header '{line}'", line=number)
            record = None
            continue
        if register is None and not in_account_block:
            raise ImportFileError(f"Line {number}: the QIF file has no !Type header", line=number)
        code, value = line[0], line[1:].strip()
        if code == "^":
            if record is not None and not in_account_block and register in _MONEY_TYPES:
                accounts_with_rows.add(account)
                if len(accounts_with_rows) > 1:
                    raise ImportFileError(
                        "The QIF file holds transactions of more than one account; "
                        "export one account per file",
                        line=number,
                    )
                yield record
            record = None
            continue
        if in_account_block:
            if code == "N":
                account = value
            continue
        if register in _LIST_TYPES:
            continue
        if record is None:
            record = _Record(number)
        if code == "S":
            if len(record.splits) >= limits.max_qif_splits:
                raise ImportFileError(
                    f"Line {number}: more than {limits.max_qif_splits} splits in one transaction",
                    line=number,
                    limit="max_qif_splits",
                )
            record.splits.append({"S": value})
        elif code in "E$%" and record.splits:
            record.splits[-1].setdefault(code, value)
        elif code == "A":
            record.fields["A"] = (record.fields.get("A", "") + "\n" + value).strip()
        else:
            record.fields.setdefault(code, value)
    if record is not None and record.fields and register in _MONEY_TYPES:
        yield record  # a last record without its "^"


def _qif_date_text(value: str) -> str:
    # Quicken writes years 2000+ as "1/23'19" or "12/31' 9".
    return value.replace("' ", "'0").replace("'", "/").replace(" ", "")


def _qif_amount(value: str, exponent: int) -> int:
    last_dot, last_comma = value.rfind("."), value.rfind(",")
    decimal_comma = last_comma > last_dot and len(value) - last_comma - 1 in (1, 2)
    return parse_amount(value, exponent, "," if decimal_comma else ".")


def _category(value: str | None) -> tuple[str | None, str | None]:
    """(category, transfer account) of an L or S field."""
    if not value:
        return None, None
    if value.startswith("[") and "]" in value:
        return None, value[1 : value.index("]")].strip() or None
    return value, None


def _rows(
    source: Source, encoding: str, limits: ParseLimits, date_format: str, exponent: int
) -> Iterator[ParsedRow]:
    parse_date = DateParser(date_format).parse
    for count, record in enumerate(_records(source, encoding, limits), start=1):
        if count > limits.max_rows:
            raise ImportFileError(
                f"The file has more than {limits.max_rows} transactions",
                line=record.line,
                limit="max_rows",
            )
        fields = record.fields
        errors: list[str] = []
        date_text = fields.get("D", "")
        posted_on = parse_date(_qif_date_text(date_text)) if date_text else None
        if posted_on is None:
            errors.append(
                f"D '{date_text}' is not a date in the format {date_format}"
                if date_text
                else "no D (date)"
            )
        amount_text = fields.get("T") or fields.get("U")
        amount_minor: int | None = None
        if amount_text is None:
            errors.append("no T (amount)")
        else:
            try:
                amount_minor = _qif_amount(amount_text, exponent)
            except AmountError as error:
                errors.append(f"T {error}")
        splits: list[SplitLine] = []
        for split in record.splits:
            split_amount: int | None = None
            if "$" in split:
                try:
                    split_amount = _qif_amount(split["$"], exponent)
                except AmountError as error:
                    errors.append(f"split $ {error}")
            category, transfer = _category(split.get("S"))
            splits.append(SplitLine(category, transfer, split_amount, split.get("E") or None))
        payee_original = fields.get("P", "")
        memo: str | None = fields.get("M") or None
        if not payee_original and memo:
            payee_original, memo = memo, None
        category, transfer = _category(fields.get("L"))
        yield ParsedRow(
            line=record.line,
            posted_on=posted_on,
            amount_minor=amount_minor,
            payee=clean_payee(payee_original),
            payee_original=payee_original,
            memo=memo,
            external_id=None,
            status="error" if errors else "ok",
            error="; ".join(errors) if errors else None,
            check_number=fields.get("N") or None,
            category=category,
            transfer_account=transfer,
            splits=tuple(splits),
        )
