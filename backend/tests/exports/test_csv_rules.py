"""The CSV rules on their own: formula cells neutralized, numbers kept, Excel-friendly bytes."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from family_budget.exports.csv_files import neutralize, write_csv
from family_budget.money import CURRENCY_EXPONENTS, MAX_AMOUNT_MINOR, decimal_string


@pytest.mark.parametrize(
    "cell",
    [
        "=1+1",
        '=HYPERLINK("http://evil.example","click")',
        "+1+1",
        "-1+1",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
        "=",
        "-",
        "+cmd|' /C calc'!A0",
    ],
)
def test_formula_starts_are_neutralized(cell: str) -> None:
    assert neutralize(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell", ["-12.34", "12.34", "-7", "0", "Café", "a=b", " =1", "", "1-2", "2026-11-03"]
)
def test_other_cells_are_left_alone(cell: str) -> None:
    assert neutralize(cell) == cell


def test_bytes_open_cleanly_in_excel() -> None:
    data = write_csv(["Payee", "Memo"], [["Café Crème", "line one\nline two"], ["=1+1", "x,y"]])

    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    text = data.decode("utf-8-sig")
    assert text.count("\r\n") == 3
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["Payee", "Memo"],
        ["Café Crème", "line one\nline two"],
        ["'=1+1", "x,y"],
    ]


@given(
    amount=st.integers(min_value=-MAX_AMOUNT_MINOR, max_value=MAX_AMOUNT_MINOR),
    currency=st.sampled_from(sorted(CURRENCY_EXPONENTS)),
)
def test_decimal_string_is_the_exact_amount(amount: int, currency: str) -> None:
    text = decimal_string(amount, currency)
    places = CURRENCY_EXPONENTS[currency]
    # An independent model: Decimal arithmetic, scaled back to minor units.
    assert Decimal(text) * (Decimal(10) ** places) == amount
    if places:
        assert len(text.split(".")[1]) == places
    else:
        assert "." not in text
    assert neutralize(text) == text  # amounts stay numbers in spreadsheets
