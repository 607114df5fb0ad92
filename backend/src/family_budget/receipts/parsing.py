"""Merchant, date and total from a receipt's OCR text.

Receipts differ in everything, and OCR adds its own noise, so the rules are deliberately plain:
- total: the amount on the line with the strongest "total" keyword ("grand total", "amount due",
  "balance due", "total" ...), never a subtotal, tax, savings, change or tendered cash line; the
  last such line wins among equals (a receipt restates totals after discounts);
- date: the first date on the receipt, written ISO (2026-11-03), numerically (11/03/2026,
  03.11.26) or with a month name (Nov 3, 2026 / 3 Nov 2026). Slashes and dashes are read
  month-first when the household counts in dollars (US style) and day-first otherwise, unless a
  part above 12 settles it; dots are always day-first;
- merchant: the first line near the top with a few letters that is not a greeting, an address,
  a phone number or a web address.
Amounts are parsed into minor units with integer arithmetic, in the household's currency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from family_budget.money import MAX_AMOUNT_MINOR, exponent

MERCHANT_SEARCH_LINES = 6
_MONTH_FIRST_CURRENCIES = frozenset({"USD"})

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_NAME = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)

_ISO_DATE = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)")
_NAME_FIRST_DATE = re.compile(
    rf"\b{_MONTH_NAME}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE
)
_DAY_FIRST_DATE = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?[\s-]+{_MONTH_NAME}\.?[\s,-]+(\d{{4}}|\d{{2}})\b",
    re.IGNORECASE,
)

# Keywords of a total line, strongest first.
_TOTAL_KEYWORDS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (5, re.compile(r"\bgrand\s*total\b", re.IGNORECASE)),
    (4, re.compile(r"\b(?:amount|balance|total)\s*due\b", re.IGNORECASE)),
    (4, re.compile(r"\b(?:total\s*to\s*pay|to\s*pay)\b", re.IGNORECASE)),
    (3, re.compile(r"\btotal\b", re.IGNORECASE)),
    (2, re.compile(r"\b(?:amount|summe|gesamt|montant|importe)\b", re.IGNORECASE)),
)
_NOT_TOTAL = re.compile(
    r"sub\s*-?\s*total|\btax\b|\bvat\b|saving|discount|\bchange\b|tender|\bcash\b|"
    r"\bitems?\b|\bqty\b|points|tip\b|gratuity|before",
    re.IGNORECASE,
)
# An amount: digits with optional thousands separators and a decimal part. The separators are
# told apart by position: the last "." or "," followed by exactly the currency's decimals is the
# decimal separator; the others group thousands.
_AMOUNT = re.compile(
    r"(?<![\d.,])-?\d{1,3}(?:[.,\s]\d{3})*(?:[.,]\d+)?(?![\d])|(?<![\d.,])-?\d+(?:[.,]\d+)?(?![\d])"
)

_SKIP_MERCHANT = re.compile(
    r"receipt|invoice|welcome|thank|\btel\b|phone|www\.|https?:|\.com\b|@|store\s*#|"
    r"^\s*\d|cashier|register|order\s*#|transaction|customer copy",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ParsedReceipt:
    merchant: str | None
    purchased_on: date | None
    total_minor: int | None


def parse_receipt_text(text: str, currency: str) -> ParsedReceipt:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    return ParsedReceipt(
        merchant=find_merchant(lines),
        purchased_on=find_date(lines, month_first=currency in _MONTH_FIRST_CURRENCIES),
        total_minor=find_total(lines, currency),
    )


def find_merchant(lines: list[str]) -> str | None:
    for line in lines[:MERCHANT_SEARCH_LINES]:
        if _SKIP_MERCHANT.search(line):
            continue
        letters = sum(char.isalpha() for char in line)
        if letters < 3 or letters < len(line) / 2:
            continue
        name = line.strip(" -*=#:.|_~'\"")
        if name:
            return name[:200]
    return None


def find_date(lines: list[str], *, month_first: bool) -> date | None:
    for line in lines:
        for candidate in _dates_in(line, month_first=month_first):
            return candidate
    return None


def _dates_in(line: str, *, month_first: bool) -> list[date]:
    found: list[tuple[int, date]] = []
    for match in _ISO_DATE.finditer(line):
        _add(found, match.start(), int(match[1]), int(match[2]), int(match[3]))
    for match in _NUMERIC_DATE.finditer(line):
        first, separator, second, year = int(match[1]), match[2], int(match[3]), match[4]
        day_first = separator == "." or first > 12 or (not month_first and second <= 12)
        if second > 12:
            day_first = False
        day, month = (first, second) if day_first else (second, first)
        _add(found, match.start(), _full_year(year), month, day)
    for match in _NAME_FIRST_DATE.finditer(line):
        _add(found, match.start(), int(match[3]), _MONTHS[match[1].lower()], int(match[2]))
    for match in _DAY_FIRST_DATE.finditer(line):
        _add(found, match.start(), _full_year(match[3]), _MONTHS[match[2].lower()], int(match[1]))
    return [day for _, day in sorted(found, key=lambda item: item[0])]


def _full_year(year: str) -> int:
    return 2000 + int(year) if len(year) == 2 else int(year)


def _add(found: list[tuple[int, date]], position: int, year: int, month: int, day: int) -> None:
    if not 2000 <= year <= 2199:
        return
    try:
        found.append((position, date(year, month, day)))
    except ValueError:
        return


def find_total(lines: list[str], currency: str) -> int | None:
    best: tuple[int, int] | None = None  # (strength, amount)
    for index, line in enumerate(lines):
        strength = next((s for s, pattern in _TOTAL_KEYWORDS if pattern.search(line)), 0)
        if not strength or _NOT_TOTAL.search(line):
            continue
        amount = _last_amount(line, currency)
        if amount is None and index + 1 < len(lines):
            # Some tills print the figure on the line below the word.
            amount = _last_amount(lines[index + 1], currency)
        if amount is None:
            continue
        if best is None or strength >= best[0]:
            best = (strength, amount)
    return None if best is None else best[1]


def _last_amount(line: str, currency: str) -> int | None:
    places = exponent(currency)
    amounts = [
        value
        for match in _AMOUNT.finditer(line)
        if (value := parse_amount(match[0], places)) is not None
    ]
    return amounts[-1] if amounts else None


def parse_amount(text: str, places: int) -> int | None:
    """'1,234.56' (2 places) -> 123456; '1.234,56' -> 123456; '1 200' (0 places) -> 1200.
    None when the text is not an amount with exactly the currency's decimals (a quantity, a
    date part, a phone number)."""
    text = text.strip()
    negative = text.startswith("-")
    digits = text.lstrip("-").replace(" ", "")
    if places:
        if len(digits) <= places or digits[-places - 1] not in ".,":
            return None
        whole, fraction = digits[: -places - 1], digits[-places:]
    else:
        whole, fraction = digits, ""
    groups = re.split(r"[.,]", whole)
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        return None
    whole_digits = "".join(groups)
    if not whole_digits.isdigit() or (fraction and not fraction.isdigit()):
        return None
    scale: int = 10**places
    value = int(whole_digits) * scale + (int(fraction) if fraction else 0)
    if value > MAX_AMOUNT_MINOR:
        return None
    return -value if negative else value
