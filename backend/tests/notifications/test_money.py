from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from family_budget.notifications.money import format_money, minor_unit_exponent

CURRENCIES = ["USD", "EUR", "GBP", "JPY", "KRW", "KWD", "BHD", "CHF", "CAD", "CLF", "INR"]
SYMBOLS = ["$", "€", "£", "¥", "₹"]


def parse_display(text: str, currency: str) -> int:
    """Read a formatted amount back into minor units, independently of format_money."""
    negative = text.startswith("-")
    body = text.removeprefix("-")
    prefix = next((s for s in SYMBOLS if body.startswith(s)), f"{currency} ")
    assert body.startswith(prefix), text
    number = body.removeprefix(prefix)
    whole, _, fraction = number.partition(".")
    groups = whole.split(",")
    assert 1 <= len(groups[0]) <= 3, text
    assert all(len(g) == 3 for g in groups[1:]), text
    assert len(fraction) == minor_unit_exponent(currency), text
    value = int("".join(groups) + fraction)
    return -value if negative else value


class TestFormatMoney:
    @pytest.mark.parametrize(
        ("amount_minor", "currency", "expected"),
        [
            (0, "USD", "$0.00"),
            (5, "EUR", "€0.05"),
            (-123456, "USD", "-$1,234.56"),
            (100000000, "GBP", "£1,000,000.00"),
            (1234, "JPY", "¥1,234"),
            (-5, "KRW", "-KRW 5"),
            (1500, "KWD", "KWD 1.500"),
            (-1, "BHD", "-BHD 0.001"),
            (1250, "CHF", "CHF 12.50"),
            (10000, "CLF", "CLF 1.0000"),
        ],
    )
    def test_examples(self, amount_minor: int, currency: str, expected: str) -> None:
        assert format_money(amount_minor, currency) == expected

    @given(
        amount=st.integers(min_value=-(10**15), max_value=10**15),
        currency=st.sampled_from(CURRENCIES),
    )
    def test_round_trip_and_sign(self, amount: int, currency: str) -> None:
        text = format_money(amount, currency)
        assert text.startswith("-") == (amount < 0)
        assert parse_display(text, currency) == amount

    @given(amount=st.integers(min_value=1, max_value=10**12), currency=st.sampled_from(CURRENCIES))
    def test_negation_only_adds_a_minus(self, amount: int, currency: str) -> None:
        assert format_money(-amount, currency) == "-" + format_money(amount, currency)

    @pytest.mark.parametrize("currency", ["usd", "US", "USDX", "", "1234"])
    def test_rejects_non_iso_currency(self, currency: str) -> None:
        with pytest.raises(ValueError, match="ISO 4217"):
            format_money(100, currency)

    @pytest.mark.parametrize("amount", [True, 1.5, "100"])
    def test_rejects_non_integer_amount(self, amount: object) -> None:
        with pytest.raises(TypeError, match="amount_minor must be an int"):
            format_money(amount, "USD")  # type: ignore[arg-type]
