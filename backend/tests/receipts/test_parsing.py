"""The receipt text parser over realistic receipts (as OCR returns them: noise included)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from family_budget.receipts.parsing import ParsedReceipt, parse_amount, parse_receipt_text

US_GROCERY = """\
TRADER JOE'S
2001 Greenville Ave
Dallas TX 75206
Store #403 - (214) 823-4521
OPEN 8:00AM TO 9:00PM DAILY

BANANAS                 0.99
ORGANIC MILK            5.49
SOURDOUGH BREAD         4.29
  2 @ 1.99
GREEK YOGURT            3.98
SUBTOTAL              $14.75
TAX                     0.00
TOTAL                 $14.75
VISA                  $14.75
CHANGE                 $0.00
ITEMS 5
11/28/2026 05:41PM 0403 04 0381 8001
THANK YOU FOR SHOPPING AT
TRADER JOE'S
"""

RESTAURANT_WITH_TIP = """\
Welcome to
The Blue Door Bistro
145 Harbor Rd, Portland ME
Server: Jamie   Table 12
Nov 3, 2026 7:58 PM
2 Lobster Roll          56.00
1 Caesar Salad          14.00
2 IPA Draft             16.00
Subtotal                86.00
Tax 8%                   6.88
Total                   92.88
Tip                     17.00
Amount Due             109.88
"""

GERMAN_SUPERMARKET = """\
REWE Markt GmbH
Friedrichstr. 123
10117 Berlin
UID Nr.: DE812706034
EUR
VOLLMILCH 3,5%            1,19 B
BROETCHEN                 2,40 B
KAFFEE BOHNEN            12,99 B
--------------------------------
SUMME           EUR      16,58
Geg. BAR        EUR      20,00
Rueckgeld BAR   EUR       3,42
Datum: 21.11.2026 Uhrzeit: 10:14:33
"""

UK_PHARMACY = """\
Boots UK Ltd
High Street, Oxford
VAT No 123 4567 89
Paracetamol 16s        £2.25
Toothpaste             £3.50
Balance due            £5.75
Card                   £5.75
03/11/26 14:22
"""

GAS_STATION_TOTAL_ON_NEXT_LINE = """\
SHELL
4500 W 95TH ST
OAK LAWN IL
PUMP# 07  REGULAR
GALLONS 11.482 @ $3.459
FUEL SALE
TOTAL
$39.72
2026-12-01 08:13
"""

JAPANESE_CONVENIENCE_STORE = """\
LAWSON Shibuya
2026年11月15日
ONIGIRI 150
GREEN TEA 140
合計 ¥290
TOTAL 290
"""

OCR_NOISE = """\
~ ~ ~
*** Receipt ***
HOME DEPOT #6572
Tel 555-0131
1,204.16 ITEM COUNT: 3
12/05/2026
LUMBER 2X4X8      3 @ 4.98     14.94
DRILL            119.00
SUBTOTAL         133.94
SALES TAX 8.25%   11.05
Total savings      5.00
TOTAL           $144.99
"""

THOUSANDS = """\
Apple Store
Fifth Avenue
December 14, 2026
MacBook Pro 14"      1,999.00
AppleCare+             279.00
Subtotal             2,278.00
Tax                    202.17
Total              $2,480.17
"""


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [
        (US_GROCERY, "USD", ParsedReceipt("TRADER JOE'S", date(2026, 11, 28), 1475)),
        (
            RESTAURANT_WITH_TIP,
            "USD",
            ParsedReceipt("The Blue Door Bistro", date(2026, 11, 3), 10988),
        ),
        (GERMAN_SUPERMARKET, "EUR", ParsedReceipt("REWE Markt GmbH", date(2026, 11, 21), 1658)),
        (UK_PHARMACY, "GBP", ParsedReceipt("Boots UK Ltd", date(2026, 11, 3), 575)),
        (GAS_STATION_TOTAL_ON_NEXT_LINE, "USD", ParsedReceipt("SHELL", date(2026, 12, 1), 3972)),
        (JAPANESE_CONVENIENCE_STORE, "JPY", ParsedReceipt("LAWSON Shibuya", None, 290)),
        (OCR_NOISE, "USD", ParsedReceipt("HOME DEPOT #6572", date(2026, 12, 5), 14499)),
        (THOUSANDS, "USD", ParsedReceipt("Apple Store", date(2026, 12, 14), 248017)),
    ],
    ids=["us-grocery", "tip", "german", "uk", "total-next-line", "yen", "noise", "thousands"],
)
def test_realistic_receipts(text: str, currency: str, expected: ParsedReceipt) -> None:
    assert parse_receipt_text(text, currency) == expected


def test_nothing_to_read() -> None:
    assert parse_receipt_text("", "USD") == ParsedReceipt(None, None, None)
    assert parse_receipt_text("~~ ## 12\n\n", "USD") == ParsedReceipt(None, None, None)


@pytest.mark.parametrize(
    ("line", "currency", "expected"),
    [
        ("Date 04/05/2026", "USD", date(2026, 4, 5)),  # dollars: month first
        ("Date 04/05/2026", "EUR", date(2026, 5, 4)),  # elsewhere: day first
        ("Date 25/05/2026", "USD", date(2026, 5, 25)),  # 25 cannot be a month
        ("Date 05/25/2026", "EUR", date(2026, 5, 25)),
        ("Date 04.05.2026", "USD", date(2026, 5, 4)),  # dots are day first everywhere
        ("2026-04-05 12:00", "EUR", date(2026, 4, 5)),
        ("5 Apr 2026", "USD", date(2026, 4, 5)),
        ("05-APR-26", "USD", date(2026, 4, 5)),
        ("April 5th, 2026", "EUR", date(2026, 4, 5)),
        ("31/02/2026", "EUR", None),  # not a day
        ("Phone 555-12-34", "USD", None),
    ],
)
def test_dates(line: str, currency: str, expected: date | None) -> None:
    assert parse_receipt_text(f"Shop\n{line}\nTOTAL 1.00", currency).purchased_on == expected


@pytest.mark.parametrize(
    ("text", "places", "expected"),
    [
        ("12.34", 2, 1234),
        ("12,34", 2, 1234),
        ("1,234.56", 2, 123456),
        ("1.234,56", 2, 123456),
        ("1 234,56", 2, 123456),
        ("-3.50", 2, -350),
        ("1,200", 0, 1200),
        ("12.345", 3, 12345),
        ("12", 2, None),  # no decimals where the currency has them: a quantity
        ("12.3", 2, None),
        ("12,34,56", 2, None),
        ("1,23.45", 2, None),
    ],
)
def test_amounts(text: str, places: int, expected: int | None) -> None:
    assert parse_amount(text, places) == expected


@given(
    amount=st.integers(min_value=0, max_value=10**11),
    places=st.sampled_from([0, 2, 3]),
    style=st.sampled_from([(",", "."), (".", ","), (" ", ","), ("", ".")]),
)
def test_amounts_round_trip_any_grouping(amount: int, places: int, style: tuple[str, str]) -> None:
    """An independent writer: group the whole part by threes, then the decimals."""
    grouping, decimal_mark = style
    if places == 0 and grouping == "":
        return
    whole, fraction = divmod(amount, 10**places)
    digits = str(whole)
    groups = [digits[max(0, end - 3) : end] for end in range(len(digits), 0, -3)][::-1]
    text = grouping.join(groups)
    if places:
        text += decimal_mark + str(fraction).zfill(places)
    assert parse_amount(text, places) == amount
