"""How the bank's data becomes ours: account kinds, balances, payees, dates, and split lines
when the bank changes an amount. Plain functions, tested on their own."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from typing import Final

from family_budget.bank_connections.plaid_api import (
    PlaidAccount,
    SyncedTransaction,
    plaid_amount_to_minor,
)
from family_budget.imports.payees import clean_payee
from family_budget.models import AccountKind

PAYEE_MAX_LENGTH: Final = 200
ACCOUNT_NAME_MAX_LENGTH: Final = 100

_SAVINGS_SUBTYPES: Final = frozenset({"savings", "money market", "cd", "hsa", "cash management"})
# Accounts whose balance Plaid reports as what is owed (positive = debt).
_OWED_TYPES: Final = frozenset({"credit", "loan"})


def account_kind_for(plaid_type: str, subtype: str | None) -> AccountKind:
    """Plaid's account type and subtype as one of our kinds."""
    if plaid_type == "credit":
        return AccountKind.CREDIT_CARD
    if plaid_type == "loan":
        return AccountKind.LOAN
    if plaid_type in ("investment", "brokerage"):
        return AccountKind.INVESTMENT
    if plaid_type == "depository" and (subtype or "").lower() in _SAVINGS_SUBTYPES:
        return AccountKind.SAVINGS
    return AccountKind.CHECKING


def bank_balance_minor(account: PlaidAccount) -> int | None:
    """The bank's current balance in our minor units and sign (money owed is negative), or None
    when the bank gave none or in a currency we cannot hold.

    For depository accounts Plaid's `current` leaves out pending transactions."""
    if account.current_balance is None or account.currency is None:
        return None
    owed = account.type in _OWED_TYPES
    # plaid_amount_to_minor flips the sign (Plaid's positive is money out): a depository
    # balance is money in, a card's balance is money owed.
    try:
        return plaid_amount_to_minor(
            account.current_balance if owed else -account.current_balance, account.currency
        )
    except ValueError:
        return None


def account_name(account: PlaidAccount) -> str:
    return (account.name.strip() or account.official_name or "Bank account")[
        :ACCOUNT_NAME_MAX_LENGTH
    ]


def synced_payee(transaction: SyncedTransaction) -> str:
    """The payee a bank transaction gets: Plaid's cleaned merchant name, else its description
    cleaned of bank noise the way imported files are (imports.payees.clean_payee:
    "STARBUCKS STORE 123 SEATTLE WA" -> "Starbucks"). The description is kept beside it as
    `payee_original`."""
    return _clip(transaction.merchant_name or clean_payee(transaction.name))


def payee_from_original(payee_original: str) -> str:
    """The payee `synced_payee` gives a transaction without a merchant name."""
    return _clip(clean_payee(payee_original))


def _clip(text: str) -> str:
    return " ".join(text.split())[:PAYEE_MAX_LENGTH]


def payee_was_edited(payee: str, payee_original: str, bank_payee: str) -> bool:
    """Did the family change the payee the bank gave? Only the description is kept beside the
    payee, not the merchant name, so a payee equal to none of the description's cleaned payee,
    the description as the bank wrote it (what rows synced before payee cleanup carry) and the
    bank's latest payee counts as an edit: an edit is never overwritten, at the price of keeping
    an old merchant name when the bank renames a merchant the family never touched. A payee set
    by a rule counts as an edit, so the rule's payee stays."""
    return payee != bank_payee and not payee_from_description(payee, payee_original)


def payee_from_description(payee: str, payee_original: str) -> bool:
    """Is `payee` what the description gives, cleaned (now) or as the bank wrote it (rows synced
    before payee cleanup, and merchant names that repeat the description)?"""
    return payee in (payee_from_original(payee_original), _clip(payee_original))


def booked_on(transaction: SyncedTransaction) -> date:
    """The day a bank transaction counts on: when it was authorized (the day the family spent
    the money, which Plaid suggests showing), else Plaid's date. A purchase on the 31st that
    posts on the 2nd stays in the month it was made, pending or posted."""
    return transaction.authorized_on or transaction.dated_on


_NON_LETTERS: Final = re.compile(r"[^a-z]+")


def payee_key(text: str) -> str:
    """A description reduced to its letters, for matching a purchase's pending and posted rows
    ("SHELL OIL 5744" and "SHELL OIL 5744 #22" both give "shelloil")."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return _NON_LETTERS.sub("", "".join(c for c in folded if not unicodedata.combining(c)))


def rescale_lines(line_amounts: Sequence[int], new_total: int) -> list[int]:
    """Split lines for a new total (a tip added when a pending purchase posts), in proportion
    to the old lines, rounded by largest remainder so that they sum to `new_total` exactly.

    Lines whose old total is zero (e.g. +10 and -10) cannot be scaled: the whole difference
    goes to the first line of the largest size."""
    if not line_amounts:
        raise ValueError("no lines to rescale")
    old_total = sum(line_amounts)
    if old_total == new_total:
        return list(line_amounts)
    if old_total == 0:
        largest = max(range(len(line_amounts)), key=lambda i: (abs(line_amounts[i]), -i))
        result = list(line_amounts)
        result[largest] += new_total
        return result
    # Each line's exact share is amount * new_total / old_total. Python's // floors whatever
    # the signs, so every line gets the integer part of its share and a fraction
    # remainder / old_total in [0, 1); the fractions add up to the units still missing, which go
    # one each to the lines with the largest fractions (ties: the earlier line).
    numerators = [amount * new_total for amount in line_amounts]
    shares = [n // old_total for n in numerators]
    fractions = [(n - s * old_total, old_total) for n, s in zip(numerators, shares, strict=True)]
    missing = new_total - sum(shares)
    order = sorted(range(len(line_amounts)), key=lambda i: (-_ratio(*fractions[i]), i))
    for index in order[:missing]:
        shares[index] += 1
    return shares


def _ratio(numerator: int, denominator: int) -> Fraction:
    return Fraction(numerator, denominator)
