"""Bank noise to a payee: "POS 4312 AMAZON MKTP US*2K4..." -> "Amazon".

Data-driven: `TRANSACTION_PREFIXES` (what the bank puts before the merchant), `KNOWN_MERCHANTS`
(merchants whose bank text varies but whose name does not), `NOISE_TOKENS` (the first word that
starts the bank's trailing noise: reference, card, terminal and store numbers, dates) and
`TRAILING_WORDS` (company suffixes and short numbers at the end). Text after a run of two or
more spaces is dropped first: fixed-width exports pad the merchant field and put the city or a
reference after it. Each rule has a name and an example in tests/imports/test_payees.py. The
original text is always kept beside the result.

Speed: a statement has a few hundred distinct payees, and results are cached; a text seen for
the first time costs a few microseconds, because merchants are looked up by their trigger words
and noise is found word by word, not by running every rule's regular expression over the text.

`normalize_payee` is the key for duplicate matching and for learning a payee's usual category:
casefolded, accents stripped, punctuation and digits removed."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple


class Rule(NamedTuple):
    name: str
    pattern: re.Pattern[str]


class Merchant(NamedTuple):
    name: str  # the clean payee
    triggers: frozenset[str]  # upper-case words that make this merchant worth testing
    pattern: re.Pattern[str]  # matched against the upper-case text


class TokenRule(NamedTuple):
    name: str
    applies: Callable[[str, int, list[str]], bool]  # (word, its index, all words)
    keeps_prefix: bool  # keep the letters before the noise inside the word ("US*2K4" -> "US")


# Removed from the start, repeatedly; upper-case patterns matched against the upper-cased text.
TRANSACTION_PREFIXES: tuple[Rule, ...] = tuple(
    Rule(name, re.compile(pattern))
    for name, pattern in (
        ("purchase_authorized_on", r"PURCHASE AUTHORI[SZ]ED ON \d{1,2}/\d{1,2}(/\d{2,4})?\s*"),
        ("recurring_payment", r"RECURRING PAYMENT( AUTHORI[SZ]ED ON \d{1,2}/\d{1,2})?\s*"),
        ("card_purchase", r"(DEBIT |CHECK ?)?CARD PURCHASE( \d{1,2}/\d{1,2})?\s*"),
        ("checkcard", r"CHECKCARD \d{4}\s*"),
        (
            "pos_with_date",
            r"(POS|ATMD?)\s?\d{1,2}\s?(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)\s*",
        ),
        ("pos", r"(POS|POINT OF SALE)( PURCHASE| DEBIT| MERCHANDISE| W/D)?[;:]?\s*(\d{3,}\s+)?"),
        ("eftpos", r"EFTPOS( WDL| PURCHASE)?\s*"),
        ("visa_purchase", r"VISA( PURCHASE| DEBIT)?\s+(\d{4}\s+)?"),
        ("ach", r"ACH( DEBIT| CREDIT| WITHDRAWAL| DEPOSIT)?\s+"),
        ("debit_credit", r"(DEBIT|CREDIT)( PURCHASE)?\s+"),
        ("preauthorized_debit", r"PRE-?AUTHORI[SZ]ED (DEBIT|PAYMENT)[;:]?\s*"),
        ("miscellaneous_payments", r"MISCELLANEOUS PAYMENTS?[;:]\s*"),
        ("square", r"SQ ?\*\s*"),
        ("toast", r"TST ?\*\s*"),
        ("paypal", r"(PAYPAL|PP) ?\*\s*"),
        ("shopify_stripe", r"(SP|STRIPE|IN) ?\*\s*"),
    )
)

# A known merchant anywhere in the text wins over every other rule.
KNOWN_MERCHANTS: tuple[Merchant, ...] = tuple(
    Merchant(name, frozenset(triggers.split()), re.compile(pattern))
    for name, triggers, pattern in (
        ("Amazon", "AMAZON AMZN", r"\b(AMAZON|AMZN)\b"),
        ("Netflix", "NETFLIX", r"\bNETFLIX"),
        ("Spotify", "SPOTIFY", r"\bSPOTIFY"),
        ("Apple", "APPLE ITUNES", r"\bAPPLE\.COM\b|\bITUNES\.COM\b"),
        ("Google", "GOOGLE", r"\bGOOGLE\s?\*"),
        ("Uber", "UBER", r"\bUBER\s?(\*|TRIP|EATS|\.COM)"),
        ("Lyft", "LYFT", r"\bLYFT\b"),
        ("Starbucks", "STARBUCKS", r"\bSTARBUCKS\b"),
        ("McDonald's", "MCDONALD'S MCDONALDS MC", r"\bMC ?DONALD'?S\b"),
        ("Whole Foods", "WHOLE WHOLEFOODS WHOLEFDS", r"\bWHOLE ?FOODS\b|\bWHOLEFDS\b"),
        ("Walmart", "WAL WALMART WM", r"\bWAL-?MART\b|\bWM SUPERCENTER\b"),
        ("Target", "TARGET", r"^TARGET\b"),
        ("Costco", "COSTCO", r"\bCOSTCO\b"),
        ("Aldi", "ALDI", r"\bALDI\b"),
        ("Lidl", "LIDL", r"\bLIDL\b"),
        ("Sainsbury's", "SAINSBURY'S SAINSBURYS", r"\bSAINSBURY'?S\b"),
        ("Tesco", "TESCO", r"\bTESCO\b"),
        ("Deliveroo", "DELIVEROO", r"\bDELIVEROO\b"),
        ("TfL", "TFL", r"^TFL\b"),
        ("Cloudflare", "CLOUDFLARE", r"\bCLOUDFLARE\b"),
        ("Shell", "SHELL", r"^SHELL( OIL)?\b"),
        ("Statoil", "STATOIL", r"\bSTATOIL\b"),
        ("Texaco", "TEXACO", r"\bTEXACO\b"),
        ("Domino's", "DOMINO'S DOMINOS", r"\bDOMINO'?S\b"),
    )
)

_FOUR_DIGITS = re.compile(r"\d{4}")
_DATE_WORD = re.compile(r"\d{1,2}/\d{1,2}(/\d{2,4})?")
_STORE_WORDS = frozenset({"#", "NO", "NO.", "STORE", "STORE#"})

# The first word any of these applies to, and everything after it, is noise.
NOISE_TOKENS: tuple[TokenRule, ...] = (
    TokenRule("reference_after_star", lambda word, _, __: "*" in word, True),
    TokenRule(
        "bank_tag",  # RBC's "<DEFTPYMT>" payment-type tag
        lambda word, _, __: word.startswith("<") and word.endswith(">"),
        False,
    ),
    TokenRule(
        "store_number",
        lambda word, index, words: (
            (word.startswith("#") and word[1:2].isdigit())
            or (
                word.upper() in _STORE_WORDS
                and index + 1 < len(words)
                and words[index + 1].lstrip("#")[:1].isdigit()
            )
        ),
        False,
    ),
    TokenRule(  # card, terminal, phone and reference numbers, even glued to a city
        "long_number", lambda word, _, __: _FOUR_DIGITS.search(word) is not None, True
    ),
    TokenRule(  # "COFFEE 123 SAN FRANCISCO CA": a store number, then the location
        "number_then_location",
        lambda word, index, _: index > 0 and len(word) >= 3 and word.isdigit(),
        False,
    ),
    TokenRule(
        "date", lambda word, index, _: index > 0 and _DATE_WORD.fullmatch(word) is not None, False
    ),
)

# Dropped from the end, repeatedly, while more than one word is left.
COMPANY_SUFFIXES = frozenset(
    ["INC", "LLC", "LTD", "CORP", "CO", "GMBH", "AG", "BV", "B.V", "NV", "SA", "SARL", "PTY", "PLC"]
)

# Dropped from the end, repeatedly, while more than one word is left.
TRAILING_WORDS: tuple[TokenRule, ...] = (
    TokenRule(
        "company_suffix", lambda word, _, __: word.upper().rstrip(".") in COMPANY_SUFFIXES, False
    ),
    TokenRule(
        "short_trailing_number", lambda word, _, __: word.isdigit() and len(word) <= 2, False
    ),
)

_PUNCTUATION = " -/;:,.*#"
_ANY_PREFIX = re.compile("|".join(f"(?:{rule.pattern.pattern})" for rule in TRANSACTION_PREFIXES))
_MERCHANTS_BY_TRIGGER: dict[str, list[Merchant]] = {}
for _merchant in KNOWN_MERCHANTS:
    for _trigger in _merchant.triggers:
        _MERCHANTS_BY_TRIGGER.setdefault(_trigger, []).append(_merchant)
_TRIGGER_WORDS = re.compile(r"[A-Z0-9']+")
_MIXED_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_SEGMENTS = re.compile(r"\s*;\s*")


_LONG_DIGITS = re.compile(r"\d{4,}")


@lru_cache(maxsize=65536)
def clean_payee(original: str) -> str:
    """The payee a person would write for this bank text ("" when there is none).

    Texts that differ only in their long numbers ("UBER *TRIP 4839201", "UBER *TRIP 5520918")
    share one cleaning: every rule treats a run of four or more digits the same whatever its
    value, and the result never keeps one, so the work is cached under the text with each such
    run written as 0000."""
    key = _LONG_DIGITS.sub("0000", original) if _LONG_DIGITS.search(original) else original
    cleaned = _clean_shape(key)
    return " ".join(original.split()) if cleaned is None else cleaned


@lru_cache(maxsize=65536)
def _clean_shape(original: str) -> str | None:
    """clean_payee's work; None when no letter is left (then the original text is the payee)."""
    text = original.strip()
    if not text:
        return ""
    if ";" in text:
        text = _segment_with_merchant(text)
    upper = text.upper()
    if len(upper) != len(text):  # "ß".upper() is "SS": keep the two aligned for slicing
        text = upper
    merchant = _known_merchant(upper)
    if merchant is None:
        upper, text = _strip_prefixes(upper, text)
        merchant = _known_merchant(upper)
    if merchant is not None:
        return merchant
    gap = text.find("  ")
    if gap > 0:
        text = text[:gap]
    words = _without_noise(text.split())
    cleaned = " ".join(words).strip(_PUNCTUATION)
    if not any(char.isalpha() for char in cleaned):
        return None
    return _title_if_shouting(cleaned)


def _segment_with_merchant(text: str) -> str:
    """ "PREAUTHORIZED DEBIT;B.C. HYDRO & POWER AUTHORITY;Electronic Funds Transfer" (RBC's
    memo: type;merchant;channel) -> the merchant."""
    segments = [segment for segment in _SEGMENTS.split(text) if segment]
    if len(segments) >= 2 and not _strip_prefixes(segments[0].upper() + " ", segments[0])[0]:
        return segments[1]
    return text


def _known_merchant(upper: str) -> str | None:
    for word in _TRIGGER_WORDS.findall(upper):
        for merchant in _MERCHANTS_BY_TRIGGER.get(word, ()):
            if merchant.pattern.search(upper):
                return merchant.name
    return None


def _strip_prefixes(upper: str, text: str) -> tuple[str, str]:
    """Prefixes come in any order and several at once ("PURCHASE AUTHORIZED ON 03/04 SQ *")."""
    while (match := _ANY_PREFIX.match(upper)) is not None and match.end() > 0:
        upper, text = upper[match.end() :], text[match.end() :]
    return upper, text


def _without_noise(words: list[str]) -> list[str]:
    for index, word in enumerate(words):
        for rule in NOISE_TOKENS:
            if rule.applies(word, index, words):
                kept = words[:index]
                if rule.keeps_prefix:
                    prefix = _letters_before_noise(word)
                    if prefix:
                        kept.append(prefix)
                return _without_trailing(kept)
    return _without_trailing(words)


def _letters_before_noise(word: str) -> str:
    """ "US*2K4XY1" -> "US"; "P0109US" -> "P"; "1200000549NEW" -> ""."""
    star = word.find("*")
    digits = _FOUR_DIGITS.search(word)
    cut = min(position for position in (star, digits.start() if digits else -1) if position >= 0)
    return word[:cut].strip(_PUNCTUATION)


def _without_trailing(words: list[str]) -> list[str]:
    while len(words) > 1:
        last = words[-1].strip(_PUNCTUATION)
        if not last or any(rule.applies(last, len(words) - 1, words) for rule in TRAILING_WORDS):
            words = words[:-1]
        else:
            break
    return words


def _title_if_shouting(text: str) -> str:
    """All-capital bank text becomes "Blue Bottle Coffee"; text with lower case letters is kept
    as the bank wrote it ("Joe's Bald Hairstyles"), and so is a short acronym ("CTO")."""
    if any(char.islower() for char in text):
        return text
    if sum(1 for char in text if char.isalpha()) <= 3:
        return text
    return " ".join(
        word.capitalize()
        if word.isalpha()
        else _MIXED_WORD.sub(lambda match: match.group(0).capitalize(), word)
        for word in text.split(" ")
    )


_NOT_WORD = re.compile(r"[\W\d_]+")


@lru_cache(maxsize=65536)
def normalize_payee(payee: str) -> str:
    """The matching key: "Café Métro #12" -> "cafe metro"."""
    # NFKD before and after casefolding: a mathematical double-struck S only becomes "S" by
    # decomposition, and "İ" only gains its combining dot by casefolding.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", payee).casefold())
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_WORD.sub(" ", without_accents).split())
