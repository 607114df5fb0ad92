"""Shared schema building blocks: strict money, clean text, currency codes, dates, pages."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StrictInt,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from family_budget.money import CURRENCY_EXPONENTS, MAX_AMOUNT_MINOR, is_currency

T = TypeVar("T")


def _say_strings_are_stripped(property_schema: dict[str, Any]) -> None:
    """Surrounding whitespace is stripped before a string's length is checked, so " " is too
    short for minLength 1: a string without a pattern of its own gets one that asks for
    minLength characters from its first to its last non-whitespace one (what Name's does)."""
    for schema in (property_schema, *property_schema.get("anyOf", ())):
        length = schema.get("minLength", 0)
        if schema.get("type") != "string" or length < 1 or "pattern" in schema or "allOf" in schema:
            continue
        between = f"[\\s\\S]{{{length - 2},}}\\S" if length > 1 else ""
        schema["allOf"] = [{"pattern": f"\\S{between}"}]


class Schema(BaseModel):
    """Request bodies: unknown fields are an error, not silently dropped; strings are stripped of
    surrounding whitespace (and their schemas say so)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(core_schema)
        if not cls.model_config.get("str_strip_whitespace"):
            return json_schema
        properties = handler.resolve_ref_schema(json_schema).get("properties", {})
        for name, field_info in cls.model_fields.items():
            # A field may keep its whitespace: a password (strip_whitespace=False).
            kept = any(
                getattr(item, "strip_whitespace", None) is False for item in field_info.metadata
            )
            property_schema = properties.get(field_info.alias or name)
            if property_schema is not None and not kept:
                _say_strings_are_stripped(property_schema)
        return json_schema


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


# What the schema can say of `_clean_text`: no C0/C1 controls but tab, no bidi controls, no
# private use (unassigned code points cannot be listed; they are refused all the same).
_CLEAN_TEXT_PATTERN = (
    "^[^\\u0000-\\u0008\\u000a-\\u001f\\u007f-\\u009f"
    "\\u202a-\\u202e\\u2066-\\u2069\\ue000-\\uf8ff]*$"
)
# Multiline text keeps its line breaks.
_CLEAN_MULTILINE_PATTERN = _CLEAN_TEXT_PATTERN.replace("\\u000a-\\u001f", "\\u000b-\\u001f")
_CLEAN_TEXT_SCHEMA = Field(json_schema_extra={"pattern": _CLEAN_TEXT_PATTERN})
# A required name: surrounding whitespace is stripped first, so it needs a character besides.
_CLEAN_NAME_SCHEMA = Field(
    json_schema_extra={"pattern": _CLEAN_TEXT_PATTERN, "allOf": [{"pattern": r"\S"}]}
)


def _clean_multiline(value: str) -> str:
    return "\n".join(_clean_text(line) for line in value.replace("\r\n", "\n").split("\n"))


Name = Annotated[
    str, Field(min_length=1, max_length=100), AfterValidator(_clean_text), _CLEAN_NAME_SCHEMA
]
LongName = Annotated[
    str, Field(min_length=1, max_length=200), AfterValidator(_clean_text), _CLEAN_NAME_SCHEMA
]
Payee = Annotated[str, Field(max_length=200), AfterValidator(_clean_text), _CLEAN_TEXT_SCHEMA]
Memo = Annotated[
    str,
    Field(max_length=2000),
    AfterValidator(_clean_multiline),
    Field(json_schema_extra={"pattern": _CLEAN_MULTILINE_PATTERN}),
]
# Free text searched for (query parameters): the same characters as stored text, so a NUL byte is a
# 422 here instead of an error from the database.
SearchText = Annotated[str, AfterValidator(_clean_text), _CLEAN_TEXT_SCHEMA]
Tag = Annotated[
    str,
    Field(min_length=1, max_length=50, pattern=r"^[^\s,][^,]*$"),
    AfterValidator(_clean_text),
    Field(json_schema_extra={"allOf": [{"pattern": _CLEAN_TEXT_PATTERN}]}),
]


def _currency(value: str) -> str:
    if not is_currency(value):
        raise ValueError("is not an ISO 4217 currency code")
    return value


CurrencyCode = Annotated[
    str,
    Field(pattern=r"^[A-Z]{3}$", json_schema_extra={"enum": sorted(CURRENCY_EXPONENTS)}),
    AfterValidator(_currency),
]

# Dates far outside a budget's life are almost always typos (e.g. year 20240).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_text(value: object) -> object:
    # Pydantic would read "0" or "1700000000" as a Unix time; the API takes YYYY-MM-DD only.
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


def sane_date(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"must be between {EARLIEST_DATE} and {LATEST_DATE}")
    return value


# The schema's spelling of that range: a date whose year is 1900-2199.
SaneDate = Annotated[
    date,
    BeforeValidator(_iso_date_text),
    AfterValidator(sane_date),
    Field(
        json_schema_extra={"pattern": r"^(19|20|21)\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"}
    ),
]


def at_least_one_of(*names: str) -> dict[str, Any]:
    """json_schema_extra of a model that needs at least one of these fields, and not as null."""
    # Under allOf, so the generated TypeScript type stays the object with its fields.
    return {"allOf": [{"anyOf": [given(name) for name in names]}]}


def given(name: str) -> dict[str, Any]:
    """A JSON Schema clause: the field is sent, and not as null."""
    return {"required": [name], "properties": {name: {"not": {"type": "null"}}}}


def not_nullable(schema: dict[str, Any]) -> None:
    """json_schema_extra of an optional field that may be omitted but not sent as null."""
    schema.pop("default", None)
    branches = [branch for branch in schema.pop("anyOf", []) if branch.get("type") != "null"]
    if len(branches) == 1:
        schema.update(branches[0])
    elif branches:
        schema["anyOf"] = branches


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; null on the last page"
    )
