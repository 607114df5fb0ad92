"""CSV of every common shape: the dialect, header, columns, date format and decimal separator are
detected from the content, and whatever the user gives in the mapping wins over detection.

Detection reads a sample (the first 256 KB); the date format is decided from the whole date
column, reading further only while the dates still fit more than one format. Rows then stream."""

from __future__ import annotations

import csv as stdlib_csv
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from family_budget.imports.parsing import quirks
from family_budget.imports.parsing.amounts import AmountError, parse_amount
from family_budget.imports.parsing.dates import (
    CSV_DATE_FORMATS,
    DateParser,
    fitting_formats,
    is_date_like,
)
from family_budget.imports.parsing.limits import ParseLimits
from family_budget.imports.parsing.results import (
    CsvMapping,
    DecimalSeparator,
    ImportFileError,
    ParsedFile,
    ParsedRow,
    StatementInfo,
    new_row,
)
from family_budget.imports.parsing.text import (
    Source,
    choose_encoding,
    decode_chunks,
    decode_sample,
    iter_lines,
)
from family_budget.imports.payees import clean_payee

# Rows of the sample that detection looks at.
SAMPLE_ROWS = 500
# Values per column that decide whether it holds dates.
DATE_DETECTION_VALUES = 50
# The header, if any, is within the first lines (some banks put an account summary above it).
HEADER_SEARCH_ROWS = 30

# Header words, best first; compared with accents stripped, casefolded, punctuation as spaces.
DATE_HEADERS = (
    "posted date", "posting date", "post date", "date processed", "booking date", "buchungstag",
    "buchungsdatum", "transaction date", "trans date", "date", "datum", "fecha", "data",
    "date operation", "date de valeur", "value date", "valutadatum", "wertstellung", "rentedatum",
)  # fmt: skip
AMOUNT_HEADERS = (
    "amount", "transaction amount", "betrag", "bedrag", "montant", "importe", "importo",
    "amt", "sum", "value", "umsatz",
)  # fmt: skip
OUTFLOW_HEADERS = (
    "withdrawal", "withdrawals", "debit", "debits", "debit amount", "paid out", "money out",
    "out", "outflow", "soll", "ausgang", "charge", "charges", "payment",
)  # fmt: skip
INFLOW_HEADERS = (
    "deposit", "deposits", "credit", "credits", "credit amount", "paid in", "money in", "in",
    "inflow", "haben", "eingang",
)  # fmt: skip
BALANCE_WORDS = ("balance", "saldo", "solde", "kontostand", "runningbalance")
PAYEE_HEADERS = (
    "payee", "merchant", "merchant name", "name", "counterparty", "naam tegenpartij",
    "auftraggeber empfanger", "beguenstigter", "beneficiary", "description", "details",
    "transaction", "remarque", "libelle", "narrative", "desc", "beschreibung", "omschrijving",
    "concepto", "description 1", "particulars",
)  # fmt: skip
MEMO_HEADERS = (
    "memo", "notes", "note", "reference", "omschrijving 1", "vwz1", "verwendungszweck",
    "description", "description 2", "remittance information", "communication", "mitteilung",
    "original description", "details", "desc",
)  # fmt: skip
# Columns about the account or the bank's classification, never the payee or memo.
NOT_TEXT_WORDS = (
    "account",
    "iban",
    "bic",
    "card no",
    "konto",
    "rekening",
    "category",
    "type",
    "status",
    "currency",
    "munt",
    "monn",
    "waehrung",
    "wahrung",
)
CREDIT_FLAGS = frozenset({"credit", "cr", "c", "deposit", "in", "+"})
DEBIT_FLAGS = frozenset({"debit", "dr", "d", "withdrawal", "out", "-", ""})

_AMOUNT_LIKE = re.compile(
    r"^[\s(+\-\u2212]*(?:[A-Z]{3}\s)?[^\w\s]{0,2}\s*[+\-\u2212]?\s*\d[\d.,'\u2019\s\u00a0]*"
    r"\s*[^\w\s]{0,2}(?:\s[A-Z]{3})?(?:\s?[CD]R)?[)\-]?$"
)


@dataclass(slots=True)
class _Layout:
    """The resolved mapping as the row reader uses it (indexes, never names)."""

    delimiter: str
    quotechar: str
    encoding: str
    header_row: int
    date_column: int
    date_format: str
    amount_column: int | None
    inflow_column: int | None
    outflow_column: int | None
    debit_credit_column: int | None
    payee_column: int | None
    memo_column: int | None
    decimal_separator: DecimalSeparator
    invert_sign: bool


def open_csv(source: Source, given: CsvMapping | None, exponent: int) -> ParsedFile:
    given = given or CsvMapping()
    limits = source.limits
    sample = source.sample()
    encoding = given.encoding or choose_encoding(sample)
    sample_text = decode_sample(sample, encoding)
    whole_file_in_sample = len(source.sample(len(sample) + 1)) == len(sample)
    sample_lines = list(iter_lines(iter([sample_text]), limits, ending="\n"))
    if not whole_file_in_sample and sample_lines:
        sample_lines.pop()  # the sample may end in the middle of a line
    delimiter, quotechar = _dialect(given, sample_text)
    records = list(islice(_records(sample_lines, delimiter, quotechar, limits), SAMPLE_ROWS))
    if not records:
        raise ImportFileError("The CSV file has no rows")
    header_row, columns, data = _header(given, records)
    if not data:
        raise ImportFileError("The CSV file has a header but no transactions")
    width = len(columns)
    date_column = (
        _resolve(given.date_column, columns, "date_column")
        if (given.date_column is not None)
        else _detect_date_column(columns, data)
    )
    decimal_separator = given.decimal_separator or _detect_decimal_separator(
        columns, data, delimiter, exclude={date_column}
    )
    amounts = _amount_columns(given, columns, data, decimal_separator, exclude={date_column})
    used = {date_column, *(index for index in amounts if index is not None)}
    payee_column = (
        _resolve(given.payee_column, columns, "payee_column")
        if given.payee_column is not None
        else _text_column(PAYEE_HEADERS, columns, data, used)
    )
    if payee_column is None and given.payee_column is None:
        payee_column = _most_textual_column(columns, data, used)
    if payee_column is not None:
        used.add(payee_column)
    memo_column = (
        _resolve(given.memo_column, columns, "memo_column")
        if given.memo_column is not None
        else _text_column(MEMO_HEADERS, columns, data, used)
    )
    layout = _Layout(
        delimiter=delimiter,
        quotechar=quotechar,
        encoding=encoding,
        header_row=header_row,
        date_column=date_column,
        date_format="",
        amount_column=amounts[0],
        inflow_column=amounts[1],
        outflow_column=amounts[2],
        debit_credit_column=amounts[3],
        payee_column=payee_column,
        memo_column=memo_column,
        decimal_separator=decimal_separator,
        invert_sign=bool(given.invert_sign),
    )
    for index in (date_column, *amounts, payee_column, memo_column):
        if index is not None and index >= width:
            raise ImportFileError(f"Column {index} does not exist: the file has {width} columns")
    if given.date_format:
        candidates: list[str] = [given.date_format]
        ambiguous = False
    else:
        candidates = fitting_formats(_date_values(source, layout, limits), CSV_DATE_FORMATS)
        if not candidates:
            raise ImportFileError(
                f"Column '{columns[date_column]}' holds no dates this app knows; "
                "set date_column and date_format"
            )
        ambiguous = len(candidates) > 1
    layout.date_format = candidates[0]
    mapping = CsvMapping(
        delimiter=delimiter,
        encoding=encoding,
        header_row=header_row,
        date_column=date_column,
        date_format=layout.date_format,
        amount_column=layout.amount_column,
        inflow_column=layout.inflow_column,
        outflow_column=layout.outflow_column,
        debit_credit_column=layout.debit_credit_column,
        payee_column=payee_column,
        memo_column=memo_column,
        decimal_separator=decimal_separator,
        invert_sign=layout.invert_sign,
    )
    return ParsedFile(
        format="csv",
        encoding=encoding,
        statement=StatementInfo(),
        _rows=_rows(source, layout, exponent),
        mapping=mapping,
        columns=tuple(columns),
        date_format=layout.date_format,
        date_format_candidates=tuple(candidates),
        date_order_ambiguous=ambiguous,
    )


def _dialect(given: CsvMapping, sample_text: str) -> tuple[str, str]:
    sniffed = quirks.sniff_csv_dialect(sample_text[:65536])
    quotechar = sniffed[1] if sniffed else '"'
    if given.delimiter:
        if len(given.delimiter) != 1:
            raise ImportFileError("delimiter must be one character")
        return given.delimiter, quotechar
    if sniffed is None:
        raise ImportFileError("The CSV file's delimiter cannot be told; set delimiter")
    return sniffed


def _records(
    lines: Sequence[str] | Iterator[str],
    delimiter: str,
    quotechar: str,
    limits: ParseLimits,
    after_line: int = 0,
) -> Iterator[tuple[int, list[str]]]:
    """(1-based line where the record starts, cells) for each record after `after_line`, blank
    lines and rows of empty cells skipped. `lines` end with "\n"."""
    reader = stdlib_csv.reader(lines, delimiter=delimiter, quotechar=quotechar, strict=False)
    max_columns = limits.max_columns
    line = 0
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if len(cells) > max_columns:
                raise ImportFileError(
                    f"Line {start} has more than {max_columns} columns",
                    line=start,
                    limit="max_columns",
                )
            if start > after_line and "".join(cells).strip():
                yield start, cells
    except stdlib_csv.Error as error:
        raise ImportFileError(
            f"Line {line + 1} cannot be read as CSV: {error}", line=line + 1
        ) from error


def _header(
    given: CsvMapping, records: list[tuple[int, list[str]]]
) -> tuple[int, list[str], list[list[str]]]:
    """(header line or 0, column names, sample data rows)."""
    if given.header_row is not None:
        if given.header_row == 0:
            width = max(len(cells) for _, cells in records)
            return 0, [f"Column {index + 1}" for index in range(width)], [c for _, c in records]
        for position, (line, cells) in enumerate(records):
            if line == given.header_row:
                data = [c for _, c in records[position + 1 :]]
                return line, quirks.strip_header_cells(cells), data
        raise ImportFileError(f"header_row {given.header_row} is not a row of the file")
    widths = [len(cells) for _, cells in records if len(cells) > 1]
    if not widths:
        raise ImportFileError("The file has a single column; it is not a bank CSV export")
    table_width = max(set(widths), key=widths.count)
    for position, (line, cells) in enumerate(records[:HEADER_SEARCH_ROWS]):
        if len(cells) != table_width:
            continue
        if any(is_date_like(cell) or _looks_like_amount(cell) for cell in cells if cell.strip()):
            return (
                0,
                [f"Column {i + 1}" for i in range(table_width)],
                [c for _, c in records[position:]],
            )
        return line, quirks.strip_header_cells(cells), [c for _, c in records[position + 1 :]]
    raise ImportFileError("No table of transactions found in the first lines of the CSV file")


def _key(header: str) -> str:
    decomposed = unicodedata.normalize("NFKD", header.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())


def _rank(header: str, words: Sequence[str]) -> int | None:
    """How well a header names a field: 2 * the position of the best word it is (exact), or
    2 * position + 1 when it only contains it; None when it names none of them."""
    key = _key(header)
    best: int | None = None
    for rank, word in enumerate(words):
        if key == word:
            score = rank * 2
        elif re.search(rf"\b{re.escape(word)}\b", key):
            score = rank * 2 + 1
        else:
            continue
        if best is None or score < best:
            best = score
    return best


def _by_rank(indexes: Sequence[int], columns: Sequence[str], words: Sequence[str]) -> int:
    def score(index: int) -> tuple[int, int]:
        rank = _rank(columns[index], words)
        return (rank if rank is not None else 999, index)

    return min(indexes, key=score)


def _resolve(column: int | str, columns: Sequence[str], field: str) -> int:
    if isinstance(column, int):
        if not 0 <= column < len(columns):
            raise ImportFileError(f"{field} {column} is not a column (0 to {len(columns) - 1})")
        return column
    wanted = _key(column)
    for index, name in enumerate(columns):
        if _key(name) == wanted:
            return index
    raise ImportFileError(f"{field} '{column}' is not a column of the file")


def _values(data: list[list[str]], column: int) -> list[str]:
    return [row[column].strip() for row in data if column < len(row) and row[column].strip()]


def _detect_date_column(columns: Sequence[str], data: list[list[str]]) -> int:
    dated = []
    for index in range(len(columns)):
        values = _values(data, index)[:DATE_DETECTION_VALUES]
        if values and sum(is_date_like(value) for value in values) >= 0.6 * len(values):
            dated.append(index)
    if not dated:
        raise ImportFileError("No column of the CSV file holds dates; set date_column")
    return _by_rank(dated, columns, DATE_HEADERS)


def _looks_like_amount(value: str) -> bool:
    return bool(_AMOUNT_LIKE.match(value)) and any(char.isdigit() for char in value)


def _detect_decimal_separator(
    columns: Sequence[str], data: list[list[str]], delimiter: str, exclude: set[int]
) -> DecimalSeparator:
    votes = {".": 0, ",": 0}
    for index in range(len(columns)):
        if index in exclude:
            continue
        for value in _values(data, index):
            if _looks_like_amount(value) and (vote := _decimal_vote(value)):
                votes[vote] += 1
    if votes["."] != votes[","]:
        return "." if votes["."] > votes[","] else ","
    return "," if delimiter == ";" else "."


def _decimal_vote(value: str) -> DecimalSeparator | None:
    last_dot, last_comma = value.rfind("."), value.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        return "." if last_dot > last_comma else ","
    position = max(last_dot, last_comma)
    if position < 0:
        return None
    separator: DecimalSeparator = "." if last_dot >= 0 else ","
    if value.count(separator) > 1:
        return "," if separator == "." else "."  # 1.234.567: thousands separators
    digits_after = len(value[position + 1 :].rstrip(" )-€$£"))
    return None if digits_after == 3 else separator


def _is_amount_column(values: list[str], separator: DecimalSeparator) -> bool:
    if not values:
        return False
    readable = 0
    for value in values:
        try:
            parse_amount(value, 2, separator)
            readable += 1
        except AmountError:
            pass
    return readable >= 0.5 * len(values)


def _amount_columns(
    given: CsvMapping,
    columns: Sequence[str],
    data: list[list[str]],
    separator: DecimalSeparator,
    exclude: set[int],
) -> tuple[int | None, int | None, int | None, int | None]:
    """(amount, inflow, outflow, debit_credit) columns."""
    if given.inflow_column is not None or given.outflow_column is not None:
        if given.inflow_column is None or given.outflow_column is None:
            raise ImportFileError("inflow_column and outflow_column go together")
        return (
            None,
            _resolve(given.inflow_column, columns, "inflow_column"),
            _resolve(given.outflow_column, columns, "outflow_column"),
            None,
        )
    flag = (
        _resolve(given.debit_credit_column, columns, "debit_credit_column")
        if given.debit_credit_column is not None
        else None
    )
    if given.amount_column is not None:
        amount = _resolve(given.amount_column, columns, "amount_column")
        if flag is None and given.debit_credit_column is None:
            flag = _detect_flag_column(columns, data, amount, separator, exclude)
        return amount, None, None, flag

    def numeric(index: int) -> bool:
        if index in exclude or any(
            word in _key(columns[index]).replace(" ", "") for word in BALANCE_WORDS
        ):
            return False
        values = _values(data, index)
        return _is_amount_column(values, separator) and any(
            any(char.isdigit() for char in value) for value in values
        )

    candidates = [index for index in range(len(columns)) if numeric(index)]
    outflows = [i for i in candidates if _rank(columns[i], OUTFLOW_HEADERS) is not None]
    inflows = [i for i in candidates if _rank(columns[i], INFLOW_HEADERS) is not None]
    signed = [i for i in candidates if _rank(columns[i], AMOUNT_HEADERS) is not None]
    if signed:
        amount = _by_rank(signed, columns, AMOUNT_HEADERS)
        if flag is None:
            flag = _detect_flag_column(columns, data, amount, separator, exclude)
        return amount, None, None, flag
    if outflows and inflows:
        outflow = _by_rank(outflows, columns, OUTFLOW_HEADERS)
        inflow = _by_rank(inflows, columns, INFLOW_HEADERS)
        return None, inflow, outflow, None
    if len(candidates) == 1 or (candidates and not _has_header_names(columns)):
        amount = candidates[0]
        return (
            amount,
            None,
            None,
            flag or _detect_flag_column(columns, data, amount, separator, exclude),
        )
    raise ImportFileError(
        "No amount column could be told apart; set amount_column, or inflow_column and "
        f"outflow_column (columns: {', '.join(columns)})"
    )


def _has_header_names(columns: Sequence[str]) -> bool:
    return not all(name.startswith("Column ") for name in columns)


def _detect_flag_column(
    columns: Sequence[str],
    data: list[list[str]],
    amount: int,
    separator: DecimalSeparator,
    exclude: set[int],
) -> int | None:
    """A debit/credit column, when the amounts carry no sign of their own (mint.csv's
    "Transaction Type", the CR column of MS_JANE_SMITH)."""
    for value in _values(data, amount):
        try:
            if parse_amount(value, 2, separator) < 0:
                return None
        except AmountError:
            continue
    for index in range(len(columns)):
        if index == amount or index in exclude:
            continue
        values = [row[index].strip().casefold() if index < len(row) else "" for row in data]
        present = {value for value in values if value}
        if present and present <= CREDIT_FLAGS | DEBIT_FLAGS and present & CREDIT_FLAGS:
            return index
    return None


def _text_column(
    words: Sequence[str], columns: Sequence[str], data: list[list[str]], used: set[int]
) -> int | None:
    best: tuple[int, int] | None = None
    for index, name in enumerate(columns):
        rank = _rank(name, words)
        if index in used or rank is None or any(word in _key(name) for word in NOT_TEXT_WORDS):
            continue
        values = _values(data, index)
        if not values:
            continue
        lowered = {value.casefold() for value in values}
        if lowered <= CREDIT_FLAGS | DEBIT_FLAGS or lowered <= {"debit", "credit"}:
            continue  # a debit/credit flag column, not text
        if len(data) > 2 and len(lowered) == 1:
            continue  # the same text on every row: the account's name, not a payee
        if best is None or rank < best[0]:
            best = (rank, index)
    return best[1] if best else None


def _most_textual_column(
    columns: Sequence[str], data: list[list[str]], used: set[int]
) -> int | None:
    """Without a recognizable header, the payee is the column with the most different texts
    (not numbers, not flags)."""
    best: tuple[int, int] | None = None
    for index in range(len(columns)):
        if index in used:
            continue
        values = _values(data, index)
        texts = {value for value in values if sum(char.isalpha() for char in value) > 2}
        if len(texts) < max(1, len(values) // 2):
            continue
        if best is None or len(texts) > best[0]:
            best = (len(texts), index)
    return best[1] if best else None


def _date_values(source: Source, layout: _Layout, limits: ParseLimits) -> Iterator[str]:
    column = layout.date_column
    for line, cells in _data_records(source, layout, limits):
        del line
        if column < len(cells):
            yield cells[column]


def _data_records(
    source: Source, layout: _Layout, limits: ParseLimits
) -> Iterator[tuple[int, list[str]]]:
    lines = iter_lines(decode_chunks(source.chunks(), layout.encoding), limits, ending="\n")
    return _records(lines, layout.delimiter, layout.quotechar, limits, layout.header_row)


def _rows(source: Source, layout: _Layout, exponent: int) -> Iterator[ParsedRow]:
    limits = source.limits
    parse_date = DateParser(layout.date_format).parse
    separator = layout.decimal_separator
    date_column = layout.date_column
    payee_column, memo_column = layout.payee_column, layout.memo_column
    needed = 1 + max(
        index
        for index in (
            date_column,
            layout.amount_column,
            layout.inflow_column,
            layout.outflow_column,
            layout.debit_credit_column,
            payee_column,
            memo_column,
        )
        if index is not None
    )
    count = 0
    for line, cells in _data_records(source, layout, limits):
        count += 1
        if count > limits.max_rows:
            raise ImportFileError(
                f"The file has more than {limits.max_rows} rows", line=line, limit="max_rows"
            )
        if len(cells) < needed:
            cells = cells + [""] * (needed - len(cells))
        payee_original = cells[payee_column].strip() if payee_column is not None else ""
        memo = cells[memo_column].strip() if memo_column is not None else ""
        if not payee_original and memo:
            payee_original, memo = memo, ""
        errors: list[str] = []
        date_text = cells[date_column].strip()
        posted_on = parse_date(date_text)
        if posted_on is None:
            errors.append(
                f"date_column: '{date_text}' is not a date in the format {layout.date_format}"
                if date_text
                else "date_column is empty"
            )
        amount_minor = _amount(cells, layout, separator, exponent, errors)
        if errors:
            yield ParsedRow(
                line=line,
                posted_on=posted_on,
                amount_minor=amount_minor,
                payee=clean_payee(payee_original),
                payee_original=payee_original,
                memo=memo or None,
                external_id=None,
                status="error",
                error="; ".join(errors),
            )
            continue
        yield new_row(
            line, posted_on, amount_minor, clean_payee(payee_original), payee_original,
            memo or None, None,
        )  # fmt: skip


def _amount(
    cells: list[str],
    layout: _Layout,
    separator: DecimalSeparator,
    exponent: int,
    errors: list[str],
) -> int | None:
    try:
        if layout.amount_column is not None:
            text = cells[layout.amount_column]
            if not text.strip():
                errors.append("amount_column is empty")
                return None
            amount = parse_amount(text, exponent, separator)
            if layout.debit_credit_column is not None:
                flag = cells[layout.debit_credit_column].strip().casefold()
                if flag in CREDIT_FLAGS:
                    amount = abs(amount)
                elif flag in DEBIT_FLAGS:
                    amount = -abs(amount)
                else:
                    errors.append(f"debit_credit_column: '{flag}' is neither debit nor credit")
                    return None
        else:
            assert layout.inflow_column is not None
            assert layout.outflow_column is not None
            inflow_text = cells[layout.inflow_column]
            outflow_text = cells[layout.outflow_column]
            if not inflow_text.strip() and not outflow_text.strip():
                errors.append("inflow_column and outflow_column are both empty")
                return None
            inflow = (
                abs(parse_amount(inflow_text, exponent, separator)) if inflow_text.strip() else 0
            )
            outflow = (
                abs(parse_amount(outflow_text, exponent, separator)) if outflow_text.strip() else 0
            )
            amount = inflow - outflow
    except AmountError as error:
        errors.append(f"amount {error}")
        return None
    return -amount if layout.invert_sign else amount
