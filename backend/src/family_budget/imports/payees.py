"""Bank noise to a payee: "POS 4312 AMAZON MKTP US*2K4..." -> "Amazon".

Data-driven: `TRANSACTION_PREFIXES` (what the bank puts before the merchant), `KNOWN_MERCHANTS`
(merchants whose bank text varies but whose name does not) and `TRAILING_NOISE` (reference,
card, terminal and store numbers, dates, locations after a padding gap). Each rule has a name and
an example in tests/imports/test_payees.py. The original text is always kept beside the result.

`normalize_payee` is the key for duplicate matching and for learning a payee's usual category:
casefolded, accents stripped, punctuation and digits removed."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple


class Rule(NamedTuple):
    name: str
    pattern: re.Pattern[str]


class Merchant(NamedTuple):
    name: str  # the clean payee
    pattern: re.Pattern[str]


def _rule(name: str, pattern: str) -> Rule:
    return Rule(name, re.compile(pattern, re.IGNORECASE))


# Removed from the start, repeatedly, in this order; each must leave the merchant behind it.
TRANSACTION_PREFIXES: tuple[Rule, ...] = (
    _rule("purchase_authorized_on", r"^PURCHASE AUTHORI[SZ]ED ON \d{1,2}/\d{1,2}(/\d{2,4})?\s*"),
    _rule("recurring_payment", r"^RECURRING PAYMENT( AUTHORI[SZ]ED ON \d{1,2}/\d{1,2})?\s*"),
    _rule("card_purchase", r"^(DEBIT |CHECK ?)?CARD PURCHASE( \d{1,2}/\d{1,2})?\s*"),
    _rule("checkcard", r"^CHECKCARD \d{4}\s*"),
    _rule(
        "pos_with_date",
        r"^(POS|ATMD?)\s?\d{1,2}\s?(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)\s*",
    ),
    _rule("pos", r"^(POS|POINT OF SALE)( PURCHASE| DEBIT| MERCHANDISE| W/D)?[;:]?\s*(\d{3,}\s+)?"),
    _rule("eftpos", r"^EFTPOS( WDL| PURCHASE)?\s*"),
    _rule("visa_purchase", r"^VISA( PURCHASE| DEBIT)?\s+(\d{4}\s+)?"),
    _rule("ach", r"^ACH( DEBIT| CREDIT| WITHDRAWAL| DEPOSIT)?\s+"),
    _rule("debit_credit", r"^(DEBIT|CREDIT)( PURCHASE)?\s+"),
    _rule("preauthorized_debit", r"^PRE-?AUTHORI[SZ]ED (DEBIT|PAYMENT)[;:]?\s*"),
    _rule("miscellaneous_payments", r"^MISCELLANEOUS PAYMENTS?[;:]\s*"),
    _rule("square", r"^SQ ?\*\s*"),
    _rule("toast", r"^TST ?\*\s*"),
    _rule("paypal", r"^(PAYPAL|PP) ?\*\s*"),
    _rule("shopify_stripe", r"^(SP|STRIPE|IN) ?\*\s*"),
)

# A known merchant anywhere in the text wins over every other rule.
KNOWN_MERCHANTS: tuple[Merchant, ...] = tuple(
    Merchant(name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("Amazon", r"\b(AMAZON|AMZN)( ?MKTP| ?MKTPLACE| PRIME| DIGITAL| RETAIL|\.COM)?\b"),
        ("Netflix", r"\bNETFLIX"),
        ("Spotify", r"\bSPOTIFY"),
        ("Apple", r"\bAPPLE\.COM(/BILL)?\b|\bITUNES\.COM\b"),
        ("Google", r"\bGOOGLE\s?\*"),
        ("Uber", r"\bUBER\s?(\*|TRIP|EATS|\.COM)"),
        ("Lyft", r"\bLYFT\b"),
        ("Starbucks", r"\bSTARBUCKS\b"),
        ("McDonald's", r"\bMC ?DONALD'?S\b"),
        ("Whole Foods", r"\bWHOLE ?FOODS\b|\bWHOLEFDS\b"),
        ("Walmart", r"\bWAL-?MART\b|\bWM SUPERCENTER\b"),
        ("Target", r"^TARGET\b"),
        ("Costco", r"\bCOSTCO\b"),
        ("Aldi", r"\bALDI\b"),
        ("Lidl", r"\bLIDL\b"),
        ("Sainsbury's", r"\bSAINSBURY'?S\b"),
        ("Tesco", r"\bTESCO\b"),
        ("Deliveroo", r"\bDELIVEROO\b"),
        ("TfL", r"^TFL\b"),
        ("Cloudflare", r"\bCLOUDFLARE\b"),
        ("Shell", r"^SHELL( OIL)?\b"),
        ("Statoil", r"\bSTATOIL\b"),
        ("Texaco", r"\bTEXACO\b"),
        ("Domino's", r"\bDOMINO'?S\b"),
    )
)

# Cut from the first match to the end of the text.
TRAILING_NOISE: tuple[Rule, ...] = (
    _rule("padding_gap", r"\s{2,}.*$"),  # fixed-width exports: merchant, spaces, city/ref
    _rule("reference_after_star", r"\s*\*\s*\S*.*$"),  # AMAZON MKTP US*2K4XY1 -> AMAZON MKTP US
    _rule("bank_tag", r"\s*<[A-Z]+>.*$"),  # RBC's "<DEFTPYMT>" payment-type tag
    _rule("store_number", r"\s*(#|NO\.|STORE)\s*\d+.*$"),
    _rule("long_number", r"\s*\d{4,}.*$"),  # card, terminal, phone and reference numbers
    _rule("number_then_location", r"\s+\d{3,}\b.*$"),  # "COFFEE 123 SAN FRANCISCO CA"
    _rule("date", r"\s+\d{1,2}/\d{1,2}(/\d{2,4})?\b.*$"),
    _rule("trailing_punctuation", r"[\s\-/;:,.*#]+$"),
    _rule("company_suffix", r"\s+(INC|LLC|LTD|CORP|CO|GMBH|AG|BV|B\.V|NV|SA|SARL|PTY|PLC)\.?$"),
    _rule("short_trailing_number", r"\s+\d{1,2}$"),
    _rule("leading_punctuation", r"^[\s\-/;:,.*#]+(?=.)"),
)

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_SEGMENTS = re.compile(r"\s*;\s*")


@lru_cache(maxsize=65536)
def clean_payee(original: str) -> str:
    """The payee a person would write for this bank text ("" when there is none)."""
    text = original.strip()
    if not text:
        return ""
    if ";" in text:
        text = _segment_with_merchant(text)
    for merchant in KNOWN_MERCHANTS:
        if merchant.pattern.search(text):
            return merchant.name
    text = _strip_prefixes(text)
    for merchant in KNOWN_MERCHANTS:
        if merchant.pattern.search(text):
            return merchant.name
    for rule in TRAILING_NOISE:
        text = rule.pattern.sub("", text)
    text = " ".join(text.split()).rstrip(" -/;:,.*#")
    if not any(char.isalpha() for char in text):
        return " ".join(original.split())
    return _title_if_shouting(text)


def _segment_with_merchant(text: str) -> str:
    """ "PREAUTHORIZED DEBIT;B.C. HYDRO & POWER AUTHORITY;Electronic Funds Transfer" (RBC's
    memo: type;merchant;channel) -> the merchant."""
    segments = [segment for segment in _SEGMENTS.split(text) if segment]
    if len(segments) >= 2 and _strip_prefixes(segments[0] + " ").strip() == "":
        return segments[1]
    return text


def _strip_prefixes(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for rule in TRANSACTION_PREFIXES:
            stripped = rule.pattern.sub("", text, count=1)
            if stripped != text:
                text, changed = stripped, True
    return text


def _title_if_shouting(text: str) -> str:
    """All-capital bank text becomes "Blue Bottle Coffee"; text with lower case letters is kept
    as the bank wrote it ("Joe's Bald Hairstyles"), and so is a short acronym ("CTO")."""
    if any(char.islower() for char in text):
        return text
    letters = sum(1 for char in text if char.isalpha())
    if letters <= 3:
        return text
    return _WORD.sub(lambda match: match.group(0)[0] + match.group(0)[1:].lower(), text)


_NOT_WORD = re.compile(r"[\W\d_]+")


@lru_cache(maxsize=65536)
def normalize_payee(payee: str) -> str:
    """The matching key: "Café Métro #12" -> "cafe metro"."""
    # NFKD before and after casefolding: a mathematical double-struck S only becomes "S" by
    # decomposition, and "İ" only gains its combining dot by casefolding.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", payee).casefold())
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_WORD.sub(" ", without_accents).split())
