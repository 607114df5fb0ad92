"""Pure rules: Plaid amounts to our minor units, backoff delays, which errors are retryable."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from family_budget.bank_connections.plaid_api import (
    PlaidApiError,
    UnsupportedCurrencyError,
    backoff_delay,
    plaid_amount_to_minor,
)

# Currencies of each minor-unit size, written out here rather than read from the code under test.
EXPONENTS = {"USD": 2, "EUR": 2, "JPY": 0, "KRW": 0, "KWD": 3, "BHD": 3}


def expected_minor(text: str, exponent: int) -> int:
    """Independent model: exact rational arithmetic, sign flipped, rounded half to even."""
    return round(-Fraction(text) * 10**exponent)


class TestPlaidAmountToMinor:
    @given(
        cents=st.integers(min_value=-(10**11), max_value=10**11),
        currency=st.sampled_from(["USD", "EUR"]),
    )
    def test_two_decimal_floats_round_trip_exactly(self, cents: int, currency: str) -> None:
        # What plaid-python hands us: the JSON number parsed as a float.
        as_float = float(f"{cents / 100:.2f}")
        assert plaid_amount_to_minor(as_float, currency) == -cents

    @given(
        amount=st.decimals(
            min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=4, allow_nan=False
        ),
        currency=st.sampled_from(sorted(EXPONENTS)),
    )
    def test_matches_exact_model_for_any_precision(self, amount: Decimal, currency: str) -> None:
        assert plaid_amount_to_minor(amount, currency) == expected_minor(
            str(amount), EXPONENTS[currency]
        )

    @given(value=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
    def test_float_is_read_as_its_shortest_decimal(self, value: float) -> None:
        assert plaid_amount_to_minor(value, "USD") == expected_minor(repr(value), 2)

    @pytest.mark.parametrize(
        ("amount", "currency", "minor"),
        [
            (72.1, "USD", -7210),  # the spec example: money out, so negative for us
            (-2450.0, "USD", 245000),  # a paycheck: money in
            (28.34, "USD", -2834),
            (0.1 + 0.2, "USD", -30),  # binary noise does not leak into cents
            (1200, "JPY", -1200),
            (1.234, "KWD", -1234),
            (0.005, "USD", 0),  # half to even
            (0.015, "USD", -2),
        ],
    )
    def test_examples(self, amount: float, currency: str, minor: int) -> None:
        assert plaid_amount_to_minor(amount, currency) == minor

    @pytest.mark.parametrize("currency", [None, "BTC", "usd", ""])
    def test_unknown_currency_is_refused(self, currency: str | None) -> None:
        with pytest.raises(UnsupportedCurrencyError):
            plaid_amount_to_minor(1.0, currency)

    @pytest.mark.parametrize("amount", [float("nan"), float("inf"), "abc", 1e20])
    def test_non_amounts_are_refused(self, amount: object) -> None:
        with pytest.raises(ValueError, match="amount"):
            plaid_amount_to_minor(amount, "USD")  # type: ignore[arg-type]


class TestBackoffDelay:
    @given(attempt=st.integers(min_value=0, max_value=200), seed=st.integers())
    def test_full_jitter_within_exponential_ceiling(self, attempt: int, seed: int) -> None:
        delay = backoff_delay(attempt, random.Random(seed), base_seconds=0.5, cap_seconds=30)
        assert 0 <= delay <= min(30, 0.5 * 2**attempt)

    def test_jitter_spreads_delays(self) -> None:
        rng = random.Random(1)
        delays = [backoff_delay(5, rng, base_seconds=1, cap_seconds=60) for _ in range(200)]
        assert min(delays) < 8
        assert max(delays) > 24

    def test_negative_attempt_is_refused(self) -> None:
        with pytest.raises(ValueError, match="attempt"):
            backoff_delay(-1, random.Random(1))


class TestRetryable:
    @pytest.mark.parametrize(
        ("error_type", "error_code", "status", "retryable"),
        [
            ("RATE_LIMIT_EXCEEDED", "TRANSACTIONS_SYNC_LIMIT", 429, True),
            ("RATE_LIMIT_EXCEEDED", "ACCOUNTS_LIMIT", 429, True),
            ("INSTITUTION_ERROR", "INSTITUTION_DOWN", 400, True),
            ("INSTITUTION_ERROR", "INSTITUTION_NOT_RESPONDING", 400, True),
            ("API_ERROR", "INTERNAL_SERVER_ERROR", 500, True),
            ("API_ERROR", "PLANNED_MAINTENANCE", 503, True),
            ("API_ERROR", "NETWORK_ConnectTimeoutError", None, True),
            ("ITEM_ERROR", "ITEM_LOGIN_REQUIRED", 400, False),
            ("ITEM_ERROR", "ITEM_LOGIN_REQUIRED", 500, False),  # never, whatever the status
            ("INVALID_INPUT", "INVALID_ACCESS_TOKEN", 400, False),
            ("INVALID_REQUEST", "MISSING_FIELDS", 400, False),
            ("INSTITUTION_ERROR", "INSTITUTION_NO_LONGER_SUPPORTED", 400, False),
        ],
    )
    def test_rule(
        self, error_type: str, error_code: str, status: int | None, retryable: bool
    ) -> None:
        error = PlaidApiError(error_type=error_type, error_code=error_code, http_status=status)
        assert error.retryable is retryable
