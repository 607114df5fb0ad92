"""Amount text to minor units: examples of every shape, and properties against Decimal."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from family_budget.imports.parsing.amounts import AmountError, parse_amount
from family_budget.money import MAX_AMOUNT_MINOR


@pytest.mark.parametrize(
    ("text", "exponent", "separator", "expected"),
    [
        ("-1234.56", 2, ".", -123456),
        ("1234,56", 2, ",", 123456),
        ("+50,00", 2, ",", 5000),  # Rabobank's explicit plus
        ("1,234.56", 2, ".", 123456),
        ("1.234,56", 2, ",", 123456),
        ("11'373.94", 2, ".", 1137394),  # Swiss apostrophe
        ("1 234,56", 2, ",", 123456),
        ("1\u00a0234,56", 2, ",", 123456),  # no-break space
        ("($1,936.76)", 2, ".", -193676),  # parentheses negative, with symbol
        ("(300.00)", 2, ".", -30000),
        ("$0.01", 2, ".", 1),
        ("-$5.00", 2, ".", -500),
        ("$-5.00", 2, ".", -500),
        ("£67.40", 2, ".", 6740),
        ("+ £1,100.00", 2, ".", 110000),
        ("12,00 €", 2, ",", 1200),
        ("€ -12,00", 2, ",", -1200),
        ("EUR 12.50", 2, ".", 1250),
        ("12.50 USD", 2, ".", 1250),
        ("12.50-", 2, ".", -1250),  # trailing minus (mainframe exports)
        ("\u221212.50", 2, ".", -1250),  # U+2212 MINUS SIGN
        ("12.00 CR", 2, ".", 1200),
        ("12.00CR", 2, ".", 1200),
        ("12.00 DR", 2, ".", -1200),
        ("-12.00 CR", 2, ".", 1200),  # the flag decides
        ("-42.4", 2, ".", -4240),
        ("-13", 2, ".", -1300),
        ("7", 0, ".", 7),  # yen
        ("1.234", 3, ".", 1234),  # dinar
        ("-30.000", 2, ".", -3000),  # data-multi-decimal.ofx
        ("-3.77000", 2, ".", -377),
        ("0.005", 2, ".", 0),  # half to even: 0.5 cent -> 0
        ("0.015", 2, ".", 2),  # 1.5 cents -> 2
        ("0.025", 2, ".", 2),  # 2.5 cents -> 2
        ("0.0251", 2, ".", 3),  # above half
        ("-0.015", 2, ".", -2),  # symmetric
        ("12.5", 0, ".", 12),
        ("13.5", 0, ".", 14),
        (".50", 2, ".", 50),
        (" 8,78 ", 2, ",", 878),
    ],
)
def test_amounts(text: str, exponent: int, separator: str, expected: int) -> None:
    assert parse_amount(text, exponent, separator) == expected


@pytest.mark.parametrize(
    ("text", "separator", "reason"),
    [
        ("", ".", "empty"),
        ("abc", ".", "not an amount"),
        ("1.2.3", ".", "more than one decimal separator"),
        ("1.234,5", ".", "thousands separator after the decimal separator"),
        ("12..5", ".", "more than one decimal separator"),
        ("1e5", ".", "not an amount"),
        ("NaN", ".", "not an amount"),
        ("١٢٣", ".", "not an amount"),  # Arabic-Indic digits are not a bank amount
        ("100000000000000", ".", "larger than any household amount"),
    ],
)
def test_not_amounts(text: str, separator: str, reason: str) -> None:
    with pytest.raises(AmountError, match=reason):
        parse_amount(text, 2, separator)


def _model(units: int, fraction_digits: int, exponent: int) -> int:
    """Decimal's own rounding is the independent model."""
    value = Decimal(units).scaleb(-fraction_digits)
    return int((value.scaleb(exponent)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _format(units: int, fraction_digits: int, decimal: str, thousands: str) -> str:
    sign = "-" if units < 0 else ""
    digits = str(abs(units)).rjust(fraction_digits + 1, "0")
    whole, fraction = (
        digits[: len(digits) - fraction_digits],
        digits[len(digits) - fraction_digits :],
    )
    grouped = f"{int(whole):,}".replace(",", thousands) if thousands else whole
    return f"{sign}{grouped}{decimal + fraction if fraction_digits else ''}"


@given(
    units=st.integers(min_value=-(10**13), max_value=10**13),
    fraction_digits=st.integers(min_value=0, max_value=6),
    exponent=st.sampled_from([0, 2, 3]),
    style=st.sampled_from([(".", ""), (".", ","), (",", ""), (",", "."), (".", "'"), (",", " ")]),
)
def test_matches_decimal_rounding(
    units: int, fraction_digits: int, exponent: int, style: tuple[str, str]
) -> None:
    decimal, thousands = style
    text = _format(units, fraction_digits, decimal, thousands)
    expected = _model(units, fraction_digits, exponent)
    if abs(expected) > MAX_AMOUNT_MINOR:
        with pytest.raises(AmountError):
            parse_amount(text, exponent, decimal)
    else:
        assert parse_amount(text, exponent, decimal) == expected


@given(
    cents=st.integers(min_value=-(10**11), max_value=10**11),
    wrapper=st.sampled_from(["({})", "$({})", "{} USD", "USD {}", "€{}", "{}-", "{} DR"]),
)
def test_negative_notations_agree(cents: int, wrapper: str) -> None:
    """Every way of writing a negative amount reads as the same negative number."""
    plain = _format(abs(cents), 2, ".", ",")
    negative = wrapper.format(plain)
    expected = -abs(cents) if wrapper in ("({})", "$({})", "{}-", "{} DR") else abs(cents)
    assert parse_amount(negative, 2, ".") == expected
