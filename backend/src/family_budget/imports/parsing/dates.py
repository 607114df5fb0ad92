"""Dates: the formats bank exports use, which of them fit a file's dates, and fast parsing.

The date order is decided from the data: a file with 13/04/2024 is day-first. When every date
fits both orders (all days <= 12), the file cannot tell and the caller flags it for the user.
Times after a date ("2018-12-06 10:22:01") are ignored: a transaction posts on a day."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime

# Strptime formats; %b is English month abbreviations. The order is the preference among
# formats that fit equally well: ISO first, then day-first (most of the world's banks).
ISO_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")
DAY_FIRST_FORMATS = (
    "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%y", "%d.%m.%y", "%d-%m-%y",
    "%d-%b-%Y", "%d %b %Y", "%d-%b-%y", "%d %b %y", "%d %B %Y", "%d-%B-%Y",
)  # fmt: skip
MONTH_FIRST_FORMATS = (
    "%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y", "%m/%d/%y", "%m-%d-%y",
    "%b %d, %Y", "%b %d %Y", "%B %d, %Y", "%B %d %Y",
)  # fmt: skip
# CSV exports: day-first preferred when ambiguous. QIF comes from Quicken, whose dates are
# month-first, so there month-first is preferred.
CSV_DATE_FORMATS = ISO_FORMATS + DAY_FIRST_FORMATS + MONTH_FIRST_FORMATS
QIF_DATE_FORMATS = ISO_FORMATS + MONTH_FIRST_FORMATS + DAY_FIRST_FORMATS

_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm])?.*$")


def strip_time(value: str) -> str:
    value = value.strip()
    if ":" in value:
        return _TIME_SUFFIX.sub("", value)
    return value


class DateParser:
    """Parses one column's dates with one format, remembering each distinct text: a statement
    repeats a few hundred dates over thousands of rows, and strptime costs microseconds."""

    __slots__ = ("_cache", "date_format")

    def __init__(self, date_format: str) -> None:
        self.date_format = date_format
        self._cache: dict[str, date | None] = {}

    def parse(self, value: str) -> date | None:
        """The date, or None when the text does not fit the format."""
        try:
            return self._cache[value]
        except KeyError:
            pass
        if len(self._cache) > 100_000:
            self._cache.clear()
        parsed = _try_parse(strip_time(value), self.date_format)
        self._cache[value] = parsed
        return parsed


def _try_parse(value: str, date_format: str) -> date | None:
    try:
        return datetime.strptime(value, date_format).date()  # noqa: DTZ007 - a date, no time
    except ValueError:
        return None


def fitting_formats(values: Iterable[str], preference: Sequence[str]) -> list[str]:
    """The formats (in preference order) that read every date the file has.

    A value no format reads is skipped: it becomes that row's error, not a reason to refuse every
    format. Stops reading values as soon as one format is left."""
    candidates = list(preference)
    seen: set[str] = set()
    any_fit = False
    for raw in values:
        value = strip_time(raw)
        if not value or value in seen:
            continue
        seen.add(value)
        fits = [fmt for fmt in candidates if _try_parse(value, fmt) is not None]
        if not fits:
            continue
        any_fit = True
        candidates = fits
        if len(candidates) == 1:
            break
    return candidates if any_fit else []


# Every format above has 1-4 digits, a separator or month name, and a 2-4 digit year; text
# without that shape is rejected before trying two dozen strptime formats on it.
_DATE_SHAPE = re.compile(
    r"^(\d{8}|\d{1,4}[-/. ]\s?[\w]{1,9}[-/., ]\s?\d{1,4}|[A-Za-z]{3,9} \d{1,2},? \d{4})$"
)


def is_date_like(value: str, preference: Sequence[str] = CSV_DATE_FORMATS) -> bool:
    value = strip_time(value)
    if len(value) > 30 or not _DATE_SHAPE.match(value):
        return False
    return any(_try_parse(value, fmt) is not None for fmt in preference)


def ofx_date(value: str) -> date | None:
    """An OFX datetime's calendar day as the bank wrote it.

    "20170508000000[+10:EST]" is 8 May: ofxtools converts to UTC first, which moves a midnight
    posting east of Greenwich to the previous day; the bank's own day is the one on the
    statement."""
    digits = value.strip()[:8]
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
