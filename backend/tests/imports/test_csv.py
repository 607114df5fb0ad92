"""CSV shapes beyond the fixtures: dialects, amount layouts, user mappings, row errors."""

from __future__ import annotations

import io
from datetime import date

import pytest

from family_budget.imports.parsing import CsvMapping, ImportFileError, open_file, parse_file


def _amounts(data: bytes, mapping: CsvMapping | None = None) -> list[int | None]:
    return [row.amount_minor for row in parse_file(data, mapping=mapping).rows]


def test_semicolon_and_decimal_comma_with_thousands() -> None:
    data = (
        "Datum;Omschrijving;Bedrag\n"
        "13-03-2024;Albert Heijn;-1.234,56\n"
        "14-03-2024;Salaris;2.500,00\n"
    )
    result = parse_file(data.encode())
    assert result.mapping is not None
    assert (result.mapping.delimiter, result.mapping.decimal_separator) == (";", ",")
    assert [row.amount_minor for row in result.rows] == [-123456, 250000]
    assert result.rows[0].posted_on == date(2024, 3, 13)


def test_tab_separated() -> None:
    data = b"Date\tPayee\tAmount\n2024-03-13\tBakery\t-3.20\n2024-03-14\tPay\t100.00\n"
    assert _amounts(data) == [-320, 10000]


def test_pipe_separated_without_header() -> None:
    data = b"2024-03-13|Bakery|-3.20\n2024-03-14|Pay|100.00\n"
    result = parse_file(data)
    assert result.mapping is not None
    assert result.mapping.header_row == 0
    assert [row.line for row in result.rows] == [1, 2]
    assert [row.payee_original for row in result.rows] == ["Bakery", "Pay"]


def test_preamble_lines_above_the_header() -> None:
    data = (
        b"Account statement\n"
        b"Account:,12345678\n"
        b"\n"
        b"Date,Description,Amount,Balance\n"
        b"2024-03-13,Bakery,-3.20,96.80\n"
    )
    result = parse_file(data)
    assert result.mapping is not None
    assert (result.mapping.header_row, result.mapping.amount_column) == (4, 2)
    assert [(row.line, row.amount_minor) for row in result.rows] == [(5, -320)]


def test_quoted_fields_with_delimiters_and_newlines() -> None:
    data = (
        b'Date,Description,Amount\n2024-03-13,"Smith, John\nrent",-1200.00\n2024-03-14,Shop,-1.00\n'
    )
    result = parse_file(data)
    assert [row.payee_original for row in result.rows] == ["Smith, John\nrent", "Shop"]
    assert [row.line for row in result.rows] == [2, 4]  # the record's first line


def test_amount_with_debit_credit_flag_column() -> None:
    data = b"Date,Description,Amount,Type\n2024-03-13,Shop,12.00,DR\n2024-03-14,Pay,100.00,CR\n"
    result = parse_file(data)
    assert result.mapping is not None
    assert result.mapping.debit_credit_column == 3
    assert [row.amount_minor for row in result.rows] == [-1200, 10000]


def test_signed_amounts_ignore_a_type_column() -> None:
    data = (
        b"Type,Date,Description,Amount\n"
        b"DEBIT,2024-03-13,Shop,-12.00\n"
        b"CREDIT,2024-03-14,Pay,100.00\n"
    )
    result = parse_file(data)
    assert result.mapping is not None
    assert result.mapping.debit_credit_column is None
    assert [row.amount_minor for row in result.rows] == [-1200, 10000]


def test_invert_sign_for_card_exports() -> None:
    data = b"Date,Description,Amount\n2024-03-13,Shop,12.00\n2024-03-14,Payment,-100.00\n"
    assert _amounts(data, CsvMapping(invert_sign=True)) == [-1200, 10000]


def test_mapping_by_header_name_and_index() -> None:
    data = b"When,Who,Minus,Plus\n2024-03-13,Shop,12.00,\n2024-03-14,Pay,,100.00\n"
    with pytest.raises(ImportFileError, match="amount"):
        parse_file(data)  # nothing says which column is money
    mapping = CsvMapping(
        date_column="when", payee_column=1, outflow_column="Minus", inflow_column="plus"
    )
    result = parse_file(data, mapping=mapping)
    assert [row.amount_minor for row in result.rows] == [-1200, 10000]
    assert result.mapping is not None
    assert (result.mapping.outflow_column, result.mapping.inflow_column) == (2, 3)


def test_given_mapping_is_reported_back_complete() -> None:
    data = b"Date,Description,Amount\n2024-03-13,Shop,12.00\n"
    mapping = parse_file(data, mapping=CsvMapping(delimiter=",")).mapping
    assert mapping is not None
    assert (mapping.delimiter, mapping.encoding, mapping.header_row, mapping.date_format) == (
        ",",
        "utf-8",
        1,
        "%Y-%m-%d",
    )


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (CsvMapping(amount_column="Nope"), "amount_column 'Nope' is not a column"),
        (CsvMapping(date_column=9), "date_column 9 is not a column"),
        (CsvMapping(inflow_column=1), "inflow_column and outflow_column go together"),
        (CsvMapping(header_row=7), "header_row 7"),
        (CsvMapping(delimiter=";;"), "delimiter must be one character"),
    ],
)
def test_bad_mapping_is_a_clear_error(mapping: CsvMapping, message: str) -> None:
    data = b"Date,Description,Amount\n2024-03-13,Shop,12.00\n"
    with pytest.raises(ImportFileError, match=message):
        parse_file(data, mapping=mapping)


def test_row_errors_name_the_field_and_other_rows_still_read() -> None:
    data = (
        b"Date,Description,Amount\n"
        b"2024-03-13,Shop,12.00\n"
        b"2024-13-45,Bad date,1.00\n"
        b"2024-03-14,Bad amount,twelve\n"
        b"2024-03-15,No amount,\n"
        b"2024-03-16,Fine,-1.00\n"
    )
    rows = parse_file(data).rows
    assert [row.status for row in rows] == ["ok", "error", "error", "error", "ok"]
    assert "date_column: '2024-13-45'" in (rows[1].error or "")
    assert "amount 'twelve' is not an amount" in (rows[2].error or "")
    assert rows[3].error == "amount_column is empty"
    assert rows[4].amount_minor == -100


def test_short_rows_and_blank_lines() -> None:
    data = b"Date,Description,Amount,Memo\n\n2024-03-13,Shop,12.00\n,,,\n2024-03-14,Pay,1.00,x\n"
    rows = parse_file(data).rows
    assert [(row.line, row.amount_minor) for row in rows] == [(3, 1200), (5, 100)]


def test_stream_from_a_binary_file_gives_the_same_rows() -> None:
    lines = "".join(f"2024-03-{day % 28 + 1:02d},Shop {day},-{day}.25\n" for day in range(5000))
    data = ("Date,Description,Amount\n" + lines).encode()
    streamed = open_file(io.BytesIO(data))
    assert list(streamed.rows()) == parse_file(data).rows
