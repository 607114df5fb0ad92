"""Payee cleaning: every rule of the tables has an example, and the normalized matching key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from family_budget.imports import payees
from family_budget.imports.payees import (
    KNOWN_MERCHANTS,
    NOISE_TOKENS,
    TRAILING_WORDS,
    TRANSACTION_PREFIXES,
    clean_payee,
    normalize_payee,
)

PREFIX_EXAMPLES = {
    "purchase_authorized_on": ("PURCHASE AUTHORIZED ON 03/04 CORNER BAKERY", "Corner Bakery"),
    "recurring_payment": ("RECURRING PAYMENT AUTHORIZED ON 03/01 GYM CLUB", "Gym Club"),
    "card_purchase": ("DEBIT CARD PURCHASE 03/04 TRADER JOES", "Trader Joes"),
    "checkcard": ("CHECKCARD 0304 CORNER BAKERY", "Corner Bakery"),
    "pos_with_date": ("POS31AUG Online", "Online"),
    "pos": ("POS 4312 CORNER BAKERY", "Corner Bakery"),
    "eftpos": ("EFTPOS WDL HANDYWAY", "Handyway"),
    "visa_purchase": ("VISA PURCHASE 1234 CORNER BAKERY", "Corner Bakery"),
    "ach": ("ACH DEBIT COMCAST CABLE", "Comcast Cable"),
    "debit_credit": ("DEBIT CORNER BAKERY", "Corner Bakery"),
    "preauthorized_debit": ("PREAUTHORIZED DEBIT CITY WATER", "City Water"),
    "miscellaneous_payments": ("MISCELLANEOUS PAYMENTS;Joe's Hair", "Joe's Hair"),
    "square": ("SQ *BLUE BOTTLE COFFEE 123", "Blue Bottle Coffee"),
    "toast": ("TST* SUSHI RAN", "Sushi Ran"),
    "paypal": ("PAYPAL *EBAY INC", "Ebay"),
    "shopify_stripe": ("SP * ETSY SHOP", "Etsy Shop"),
}

MERCHANT_EXAMPLES = {
    "Amazon": "POS 4312 AMAZON MKTP US*2K4XY1Z0",
    "Netflix": "NETFLIX.COM 14087249160, NL",
    "Spotify": "SPOTIFY USA         28770130901",
    "Apple": "APPLE.COM/BILL 866-712-7753 CA",
    "Google": "GOOGLE *YouTube Premium",
    "Uber": "UBER *TRIP HELP.UBER.COM",
    "Lyft": "LYFT   *RIDE SUN 3PM",
    "Starbucks": "STARBUCKS STORE 07604 01/21 PURC",
    "McDonald's": "MCDONALD'S #112",
    "Whole Foods": "WHOLEFDS HOU 10236 02124201320",
    "Walmart": "WAL-MART #1234",
    "Target": "TARGET 00012345 OAKLAND CA",
    "Costco": "COSTCO WHSE #0481",
    "Aldi": "EFTPOS WDL HANDYWAY ALDI STORE",
    "Lidl": "LIDL 1234 BERLIN",
    "Sainsbury's": "SAINSBURYS SACAT 0602  LADBROKE GROV GBR",
    "Tesco": "TESCO STORES 2231",
    "Deliveroo": "DELIVEROO.CO.UK        LONDON        LND",
    "TfL": "TFL TRAVEL CH          TFL.GOV.UK/CP GBR",
    "Cloudflare": "CLOUDFLARE 650-3198939, US",
    "Shell": "CHECKCARD 0304 SHELL OIL 57444 BERKELEY CA",
    "Statoil": "POS01SEP STATOIL",
    "Texaco": "POS25SEP TEXACO SPAR",
    "Domino's": "POS10SEP DOMINO'S PIZ",
}

NOISE_EXAMPLES = {
    "reference_after_star": ("ACME MKTP US*2K4XY1", "Acme Mktp Us"),
    "bank_tag": ("TPAY <DEFTPYMT>", "Tpay"),
    "store_number": ("AMC VILLAGE 7 #2110 NEW YORK", "Amc Village"),
    "long_number": ("GOAT TOWN 1200000549NEW YORK", "Goat Town"),
    "number_then_location": ("BLUE BOTTLE 123 SAN FRANCISCO CA", "Blue Bottle"),
    "date": ("PATIENT FIRST TOKEN 01/22 PURCHA", "Patient First Token"),
    "company_suffix": ("ACME PLUMBING LLC", "Acme Plumbing"),
    "short_trailing_number": ("CORNER BAKERY 12", "Corner Bakery"),
}


def test_every_rule_has_an_example() -> None:
    assert set(PREFIX_EXAMPLES) == {rule.name for rule in TRANSACTION_PREFIXES}
    assert set(MERCHANT_EXAMPLES) == {merchant.name for merchant in KNOWN_MERCHANTS}
    assert set(NOISE_EXAMPLES) == {rule.name for rule in NOISE_TOKENS + TRAILING_WORDS}


@pytest.mark.parametrize(("rule", "example"), sorted(PREFIX_EXAMPLES.items()))
def test_prefix_rules(rule: str, example: tuple[str, str]) -> None:
    original, payee = example
    assert clean_payee(original) == payee


@pytest.mark.parametrize(("merchant", "original"), sorted(MERCHANT_EXAMPLES.items()))
def test_known_merchants(merchant: str, original: str) -> None:
    assert clean_payee(original) == merchant


@pytest.mark.parametrize(("rule", "example"), sorted(NOISE_EXAMPLES.items()))
def test_trailing_noise_rules(rule: str, example: tuple[str, str]) -> None:
    original, payee = example
    assert clean_payee(original) == payee


@pytest.mark.parametrize(
    ("original", "payee"),
    [
        (
            "PURCHASE AUTHORIZED ON 03/04 SQ *BLUE BOTTLE COFFEE 123 SAN FRANCISCO CA",
            "Blue Bottle Coffee",
        ),
        (
            "PREAUTHORIZED DEBIT;B.C. HYDRO & POWER AUTHORITY;Electronic Funds Transfer",
            "B.C. Hydro & Power Authority",
        ),
        ("Joe's Bald Hairstyles", "Joe's Bald Hairstyles"),  # the bank's own case is kept
        ("MACY'S / #003 HERALD S / NEW YORK", "Macy's"),  # no "Macy'S"
        ("CTO", "CTO"),  # a short acronym stays
        ("L'OLILO                 LONDON       GBR", "L'olilo"),  # after a padding gap: city
        ("UNION MARKET -", "Union Market"),  # trailing punctuation
        ("-memo-message-", "memo-message"),  # leading punctuation
        ("AT&T WIRELESS", "At&T Wireless"),
        ("STRAẞE 5", "Straße"),  # upper-casing changes its length
        ("SAFEWAY STORE 1234 OAKLAND CA", "Safeway"),
        ("Nederlandse Loterij Organisatie B.V.", "Nederlandse Loterij Organisatie"),
        ("000000000000000", "000000000000000"),  # nothing to clean: the original stays
        ("", ""),
        ("   ", ""),
    ],
)
def test_combined(original: str, payee: str) -> None:
    assert clean_payee(original) == payee


@pytest.mark.parametrize(
    ("payee", "key"),
    [
        ("Café Métro #12", "cafe metro"),
        ("  AT&T  Wireless!! ", "at t wireless"),
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),  # casefold, not lower
        ("Øresund Ærø", "øresund ærø"),  # letters without a decomposition stay
        ("1234", ""),
    ],
)
def test_normalize_payee(payee: str, key: str) -> None:
    assert normalize_payee(payee) == key


def _clean_without_shared_cache(text: str) -> str:
    cleaned = payees._clean_shape.__wrapped__(text)
    return " ".join(text.split()) if cleaned is None else cleaned


@given(
    st.lists(
        st.one_of(
            st.sampled_from(["POS", "SQ *", "UBER *TRIP", "CAFE", "#", "STORE", "03/04", "CA"]),
            st.integers(0, 10**12).map(str),
            st.text(alphabet="AB*#/ 0123456789", max_size=8),
        ),
        max_size=8,
    ).map(" ".join)
)
def test_long_numbers_do_not_change_the_cleaning(text: str) -> None:
    """The cache shared by texts differing in long numbers gives what cleaning each would."""
    assert payees.clean_payee(text) == _clean_without_shared_cache(text)


@given(st.text(max_size=60))
def test_normalize_is_idempotent_and_cleaning_never_fails(text: str) -> None:
    key = normalize_payee(text)
    assert normalize_payee(key) == key
    assert key == key.strip()
    assert isinstance(clean_payee(text), str)
