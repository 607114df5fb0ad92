"""Decimal text to integer minor units, never through float.

Accepted: a decimal point or comma (the caller says which), thousands separators (the other of
. and , plus apostrophe, space, no-break and thin spaces), parentheses for negatives, a leading or
trailing sign (also U+2212 MINUS), currency symbols and ISO codes before or after, and a trailing
CR (credit, money in) or DR (debit, money out) flag.

Digits finer than the currency's exponent: trailing zeros are dropped exactly (`-30.000` and
`-3.77000` in Actual's data-multi-decimal.ofx are -3000 and -377 cents, as Actual's test
expects); other digits are rounded half to even (banker's rounding), the rule a ledger uses so
that rounding many rows adds no drift up or down. Such amounts come from currency conversions
and interest accruals, where the sub-cent digit is the bank's arithmetic, not money that moved.
"""

from __future__ import annotations

import re
import unicodedata

from family_budget.money import MAX_AMOUNT_MINOR


class AmountError(ValueError):
    """The text is not an amount; the message says why, for the row's error."""


# A plain "-1234.56" / "1234,56" takes the fast path (most OFX and many CSV amounts).
_PLAIN = {
    ".": re.compile(r"([+-]?)([0-9]{1,15})(?:\.([0-9]{1,12}))?"),
    ",": re.compile(r"([+-]?)([0-9]{1,15})(?:,([0-9]{1,12}))?"),
}
_CURRENCY_CODE = re.compile(r"^[A-Z]{3}\s*|\s*[A-Z]{3}$")
_THOUSANDS_EXTRA = "'\u2019 \u00a0\u202f\u2009_"
_MINUS_SIGNS = "-\u2212\u2012\u2013"


def parse_amount(text: str, exponent: int, decimal_separator: str = ".") -> int:
    """The amount in minor units, e.g. ("(1,234.50)", 2) -> -123450."""
    stripped = text.strip()
    plain = _PLAIN[decimal_separator].fullmatch(stripped)
    if plain is not None:
        sign, whole, fraction = plain.groups()
        return _to_minor(sign == "-", whole, fraction or "", exponent, text)
    return _parse_decorated(stripped, exponent, decimal_separator, text)


def _parse_decorated(text: str, exponent: int, decimal_separator: str, original: str) -> int:
    if not text:
        raise AmountError("is empty")
    negative = False
    body = text
    upper = body.upper()
    if upper.endswith(("CR", "DR")) and not upper[-3:-2].isalpha():
        # "12.00 CR" is money in, "12.00 DR" money out, whatever sign comes before.
        flag, body = upper[-2:], body[:-2].strip()
        negative = flag == "DR"
        body = _strip_signs_and_currency(body)[1]
        return _digits_to_minor(negative, body, exponent, decimal_separator, original)
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1].strip()
    sign_negative, body = _strip_signs_and_currency(body)
    return _digits_to_minor(negative != sign_negative, body, exponent, decimal_separator, original)


def _strip_signs_and_currency(body: str) -> tuple[bool, str]:
    negative = False
    for _ in range(4):  # sign and symbol in either order: "-$5", "$-5", "5 €-", "+ £1"
        before = body
        body = _CURRENCY_CODE.sub("", body).strip()
        while body and unicodedata.category(body[0]) == "Sc":
            body = body[1:].strip()
        while body and unicodedata.category(body[-1]) == "Sc":
            body = body[:-1].strip()
        if body[:1] in _MINUS_SIGNS:
            negative, body = not negative, body[1:].strip()
        elif body[:1] == "+":
            body = body[1:].strip()
        if body[-1:] in _MINUS_SIGNS:
            negative, body = not negative, body[:-1].strip()
        elif body[-1:] == "+":
            body = body[:-1].strip()
        if body.startswith("(") and body.endswith(")"):
            negative, body = not negative, body[1:-1].strip()
        if body == before:
            break
    return negative, body


def _digits_to_minor(
    negative: bool, body: str, exponent: int, decimal_separator: str, original: str
) -> int:
    thousands = ("," if decimal_separator == "." else ".") + _THOUSANDS_EXTRA
    if body.count(decimal_separator) > 1:
        raise AmountError(f"'{original}' has more than one decimal separator")
    whole, _, fraction = body.partition(decimal_separator)
    if any(char in thousands for char in fraction):
        raise AmountError(f"'{original}' has a thousands separator after the decimal separator")
    for separator in thousands:
        whole = whole.replace(separator, "")
    if not (whole or fraction) or not (whole + fraction).isascii():
        raise AmountError(f"'{original}' is not an amount")
    if not (whole.isdigit() or whole == "") or not (fraction.isdigit() or fraction == ""):
        raise AmountError(f"'{original}' is not an amount")
    return _to_minor(negative, whole or "0", fraction, exponent, original)


def _to_minor(negative: bool, whole: str, fraction: str, exponent: int, original: str) -> int:
    if len(fraction) <= exponent:
        minor = int(whole + fraction.ljust(exponent, "0"))
    else:
        kept, dropped = fraction[:exponent], fraction[exponent:].rstrip("0")
        minor = int(whole + kept)
        if dropped:
            minor = _round_half_even(minor, dropped)
    if minor > MAX_AMOUNT_MINOR:
        raise AmountError(f"'{original.strip()}' is larger than any household amount")
    return -minor if negative else minor


def _round_half_even(truncated: int, dropped: str) -> int:
    first, rest = dropped[0], dropped[1:].rstrip("0")
    if first > "5" or (first == "5" and rest):
        return truncated + 1
    if first == "5" and truncated % 2 == 1:
        return truncated + 1
    return truncated
