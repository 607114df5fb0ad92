"""How bank data becomes ours: kinds, balances, payees, days, and split lines for a new amount."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from family_budget.bank_connections import mapping
from family_budget.bank_connections.plaid_api import PlaidAccount, SyncedTransaction
from family_budget.models import AccountKind


@pytest.mark.parametrize(
    ("plaid_type", "subtype", "kind"),
    [
        ("depository", "checking", AccountKind.CHECKING),
        ("depository", "savings", AccountKind.SAVINGS),
        ("depository", "money market", AccountKind.SAVINGS),
        ("depository", "cd", AccountKind.SAVINGS),
        ("depository", "prepaid", AccountKind.CHECKING),
        ("depository", None, AccountKind.CHECKING),
        ("credit", "credit card", AccountKind.CREDIT_CARD),
        ("loan", "mortgage", AccountKind.LOAN),
        ("investment", "401k", AccountKind.INVESTMENT),
        ("other", None, AccountKind.CHECKING),
    ],
)
def test_account_kinds(plaid_type: str, subtype: str | None, kind: AccountKind) -> None:
    assert mapping.account_kind_for(plaid_type, subtype) is kind


def _account(plaid_type: str, current: str | None, currency: str | None = "USD") -> PlaidAccount:
    return PlaidAccount(
        account_id="a",
        name="Account",
        official_name=None,
        mask="0000",
        type=plaid_type,
        subtype=None,
        currency=currency,
        current_balance=Decimal(current) if current is not None else None,
        available_balance=None,
    )


@pytest.mark.parametrize(
    ("plaid_type", "current", "expected"),
    [
        ("depository", "1234.56", 123_456),  # money in the account
        ("depository", "-20.05", -2_005),  # overdrawn
        ("credit", "410.10", -41_010),  # owed on the card
        ("credit", "-15.00", 1_500),  # a card in credit
        ("loan", "250000", -25_000_000),
    ],
)
def test_bank_balances_in_our_sign(plaid_type: str, current: str, expected: int) -> None:
    assert mapping.bank_balance_minor(_account(plaid_type, current)) == expected


def test_no_balance_without_a_currency_or_a_figure() -> None:
    assert mapping.bank_balance_minor(_account("depository", None)) is None
    assert mapping.bank_balance_minor(_account("depository", "1.00", currency=None)) is None
    assert mapping.bank_balance_minor(_account("depository", "1.00", currency="XBT")) is None


def _transaction(**overrides: object) -> SyncedTransaction:
    values: dict[str, object] = {
        "transaction_id": "t",
        "account_id": "a",
        "plaid_amount": Decimal("12.50"),
        "iso_currency_code": "USD",
        "unofficial_currency_code": None,
        "dated_on": date(2026, 2, 2),
        "authorized_on": date(2026, 1, 31),
        "pending": False,
        "pending_transaction_id": None,
        "name": "STARBUCKS STORE 123   SEATTLE WA",
        "merchant_name": "Starbucks",
        "payment_channel": "in store",
        "category_primary": None,
        "category_detailed": None,
    }
    values.update(overrides)
    return SyncedTransaction(**values)  # type: ignore[arg-type]


def test_the_payee_is_the_merchant_else_the_cleaned_description() -> None:
    assert mapping.synced_payee(_transaction(merchant_name="Starbucks Reserve")) == (
        "Starbucks Reserve"
    )
    assert mapping.synced_payee(_transaction(merchant_name=None)) == "Starbucks"
    assert (
        mapping.synced_payee(_transaction(merchant_name=None, name="SQ *BLUE BOTTLE COFFEE 8812"))
        == "Blue Bottle Coffee"
    )
    assert mapping.payee_from_original("POS 4312 TRADER JOE S #552 QPS") == "Trader Joe S"
    assert len(mapping.synced_payee(_transaction(merchant_name=None, name="X" * 300))) == 200


def test_a_purchase_counts_on_the_day_it_was_made() -> None:
    # Made on 31 January, posted on 2 February: it stays in January.
    assert mapping.booked_on(_transaction()) == date(2026, 1, 31)
    assert mapping.booked_on(_transaction(authorized_on=None)) == date(2026, 2, 2)


@pytest.mark.parametrize(
    ("payee", "edited"),
    [
        ("STARBUCKS STORE 123 SEATTLE WA", False),  # the description, as synced before cleanup
        ("Starbucks", False),  # what the bank gives now
        ("Coffee with Grandma", True),
        ("starbucks", True),
    ],
)
def test_payee_edits(payee: str, edited: bool) -> None:
    assert (
        mapping.payee_was_edited(payee, "STARBUCKS STORE 123   SEATTLE WA", "Starbucks") is edited
    )


def test_payee_keys_match_a_purchases_descriptions() -> None:
    assert mapping.payee_key("SHELL OIL 5744") == mapping.payee_key("Shell Oil #5744") == "shelloil"
    assert mapping.payee_key("Café Crème 12") == "cafecreme"
    assert mapping.payee_key("SHELL OIL") != mapping.payee_key("SHELL GAS")


class TestRescaleLines:
    def test_a_tip_spreads_in_proportion(self) -> None:
        # 80.00 + 35.00 of 115.00 becomes 130.00: 90.43 and 39.57 (exact: 90.434.. and 39.565..).
        assert mapping.rescale_lines([-8_000, -3_500], -13_000) == [-9_043, -3_957]

    def test_the_same_total_changes_nothing(self) -> None:
        assert mapping.rescale_lines([-1, 5, -7], -3) == [-1, 5, -7]

    def test_lines_that_cancel_out_take_the_difference_on_the_largest(self) -> None:
        assert mapping.rescale_lines([1_000, -1_000], 500) == [1_500, -1_000]
        assert mapping.rescale_lines([200, -700, 500], -100) == [200, -800, 500]
        assert mapping.rescale_lines([500, -500], -200) == [300, -500]

    def test_no_lines_is_an_error(self) -> None:
        with pytest.raises(ValueError, match="no lines"):
            mapping.rescale_lines([], 100)

    @given(
        lines=st.lists(st.integers(-(10**9), 10**9), min_size=2, max_size=12),
        new_total=st.integers(-(10**10), 10**10),
    )
    def test_lines_always_sum_and_stay_within_a_unit_of_their_share(
        self, lines: list[int], new_total: int
    ) -> None:
        rescaled = mapping.rescale_lines(lines, new_total)
        assert sum(rescaled) == new_total
        assert len(rescaled) == len(lines)
        old_total = sum(lines)
        if old_total == new_total:
            assert rescaled == lines
        elif old_total != 0:
            for line, result in zip(lines, rescaled, strict=True):
                share = Fraction(line * new_total, old_total)  # the exact share
                assert abs(result - share) < 1
