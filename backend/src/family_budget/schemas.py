"""Shared schema building blocks: strict money, clean text, currency codes, dates, pages."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt

from family_budget.money import MAX_AMOUNT_MINOR, is_currency

T = TypeVar("T")


class Schema(BaseModel):
    """Request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReadSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# JSON integers only: a string, a float (even 12.0) or a boolean is a 422.
AmountMinor = Annotated[StrictInt, Field(ge=-MAX_AMOUNT_MINOR, le=MAX_AMOUNT_MINOR)]
NonNegativeAmountMinor = Annotated[StrictInt, Field(ge=0, le=MAX_AMOUNT_MINOR)]
PositiveAmountMinor = Annotated[StrictInt, Field(gt=0, le=MAX_AMOUNT_MINOR)]

_CONTROL_CATEGORIES = {"Cc", "Cs", "Co", "Cn"}
# Bidirectional embeddings/overrides/isolates can make "Rent" display as something else.
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def _clean_text(value: str) -> str:
    """Any language and emoji are welcome; control characters, lone surrogates, private-use and
    unassigned code points are not (they break storage, exports and terminals)."""
    normalized = unicodedata.normalize("NFC", value)
    for char in normalized:
        if char == "\t" or (
            unicodedata.category(char) not in _CONTROL_CATEGORIES and char not in _BIDI_CONTROLS
        ):
            continue
        raise ValueError(f"contains a disallowed character U+{ord(char):04X}")
    return normalized


def _clean_multiline(value: str) -> str:
    return "\n".join(_clean_text(line) for line in value.replace("\r\n", "\n").split("\n"))


Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_clean_text)]
LongName = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_clean_text)]
Payee = Annotated[str, Field(max_length=200), AfterValidator(_clean_text)]
Memo = Annotated[str, Field(max_length=2000), AfterValidator(_clean_multiline)]
# Free text searched for (query parameters): the same characters as stored text, so a NUL byte is a
# 422 here instead of an error from the database.
SearchText = Annotated[str, AfterValidator(_clean_text)]
Tag = Annotated[
    str, Field(min_length=1, max_length=50, pattern=r"^[^\s,][^,]*$"), AfterValidator(_clean_text)
]


def _currency(value: str) -> str:
    if not is_currency(value):
        raise ValueError("is not an ISO 4217 currency code")
    return value


CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$"), AfterValidator(_currency)]

# Dates far outside a budget's life are almost always typos (e.g. year 20240).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


def sane_date(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"must be between {EARLIEST_DATE} and {LATEST_DATE}")
    return value


SaneDate = Annotated[date, AfterValidator(sane_date)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; null on the last page"
    )
