"""QIF shapes beyond the fixtures."""

from __future__ import annotations

from datetime import date

from family_budget.imports.parsing import CsvMapping, SplitLine, parse_file


def test_quicken_apostrophe_years_and_thousands() -> None:
    data = b"!Type:CCard\nD1/23'19\nT-1,234.56\nPShop\n^\nD12/31' 9\nU2,000.00\nPPay\n^\n"
    result = parse_file(data)
    assert [(row.posted_on, row.amount_minor) for row in result.rows] == [
        (date(2019, 1, 23), -123456),
        (date(2009, 12, 31), 200000),
    ]


def test_decimal_comma_amounts() -> None:
    data = b"!Type:Bank\nD23.10.2013\nT-6,50\n^\n"
    assert parse_file(data).rows[0].amount_minor == -650


def test_account_block_names_the_account_and_rows_follow() -> None:
    data = (
        b"!Option:AutoSwitch\n!Account\nNChecking\nTBank\n^\n!Clear:AutoSwitch\n"
        b"!Type:Bank\nD01/02/2024\nT-5.00\nPShop\n^\n"
    )
    rows = parse_file(data).rows
    assert [(row.line, row.amount_minor, row.payee_original) for row in rows] == [(8, -500, "Shop")]


def test_category_lists_are_not_transactions() -> None:
    data = b"!Type:Cat\nNFood\nE\n^\n!Type:Bank\nD01/02/2024\nT-5.00\nLFood\n^\n"
    rows = parse_file(data).rows
    assert [(row.category, row.amount_minor) for row in rows] == [("Food", -500)]


def test_row_errors_and_a_last_record_without_caret() -> None:
    data = b"!Type:Bank\nD13/13/2024\nT-5.00\n^\nD01/02/2024\nTabc\n^\nD01/03/2024\nT1.00\n"
    rows = parse_file(data, mapping=CsvMapping(date_format="%m/%d/%Y")).rows
    assert [row.status for row in rows] == ["error", "error", "ok"]
    assert "D '13/13/2024' is not a date" in (rows[0].error or "")
    assert "T 'abc' is not an amount" in (rows[1].error or "")
    assert rows[2].amount_minor == 100


def test_split_to_a_transfer_account() -> None:
    data = (
        b"!Type:Bank\nD01/02/2024\nT-100.00\nL[Savings]\n"
        b"S[Savings]\n$-60.00\nSRent\nEMay\n$-40.00\n^\n"
    )
    row = parse_file(data).rows[0]
    assert (row.category, row.transfer_account) == (None, "Savings")
    assert row.splits == (
        SplitLine(None, "Savings", -6000, None),
        SplitLine("Rent", None, -4000, "May"),
    )
