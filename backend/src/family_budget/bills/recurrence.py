"""Recurrence rules: RFC 5545 RRULEs expanded with dateutil's rrule, on dates.

Two rules on top of dateutil's:
- **Month ends.** "Monthly on the 31st" means the month's last day when the month is shorter
  (dateutil, like RFC 5545, would skip those months). A monthly or yearly rule whose day of the
  month is past the 28th (given as BYMONTHDAY, or taken from `starts_on`) is expanded as
  BYMONTHDAY=28,...,d;BYSETPOS=-1: the last of those days the month has. A yearly rule from
  February 29 lands on February 28 in common years the same way.
- **Dates, not date-times.** Occurrences are calendar dates (expanded from midnight of a naive
  date-time), so a daylight-saving change never moves a due date.

DTSTART and UNTIL are not accepted in the rule: `starts_on` and `ends_on` say that.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice

from dateutil.rrule import rrule, rrulestr

FREQUENCIES = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
ALLOWED_PARTS = frozenset(
    {"FREQ", "INTERVAL", "COUNT", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST"}
)
MAX_RULE_LENGTH = 500


class InvalidRule(ValueError):
    """The rule is not one we accept; the message says why."""


def _parts(rule: str) -> dict[str, str]:
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    if not text or len(text) > MAX_RULE_LENGTH:
        raise InvalidRule(f"a rule has 1 to {MAX_RULE_LENGTH} characters")
    parts: dict[str, str] = {}
    for item in text.split(";"):
        name, sep, value = item.partition("=")
        name = name.strip().upper()
        if not sep or not value.strip():
            raise InvalidRule(f"{item!r} is not NAME=VALUE")
        if name in ("DTSTART", "UNTIL"):
            raise InvalidRule(f"{name} is not accepted: use starts_on and ends_on")
        if name not in ALLOWED_PARTS:
            raise InvalidRule(f"{name} is not supported")
        if name in parts:
            raise InvalidRule(f"{name} is given twice")
        parts[name] = value.strip().upper()
    if parts.get("FREQ") not in FREQUENCIES:
        raise InvalidRule("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
    for name, low, high in _RANGES:
        if name in parts:
            _check_numbers(name, parts[name], low, high)
    return parts


# Numeric parts dateutil would accept and then never match (BYMONTHDAY=40 is no day at all).
_RANGES = (
    ("INTERVAL", 1, 1000),
    ("COUNT", 1, 10000),
    ("BYMONTHDAY", -31, 31),
    ("BYMONTH", 1, 12),
    ("BYSETPOS", -366, 366),
)


def _check_numbers(name: str, value: str, low: int, high: int) -> None:
    for item in value.split(","):
        try:
            number = int(item)
        except ValueError:
            raise InvalidRule(f"{name} takes whole numbers") from None
        if number == 0 or not low <= number <= high:
            raise InvalidRule(f"{name} must be from {low} to {high} (not 0)")


def _clamp_month_end(parts: dict[str, str], starts_on: date) -> dict[str, str]:
    if parts["FREQ"] not in ("MONTHLY", "YEARLY") or "BYSETPOS" in parts or "BYDAY" in parts:
        return parts
    if "BYMONTHDAY" in parts:
        try:
            day = int(parts["BYMONTHDAY"])
        except ValueError:
            return parts  # several days: taken as written
    else:
        day = starts_on.day
    if not 28 < day <= 31:
        return parts
    clamped = dict(parts)
    clamped["BYMONTHDAY"] = ",".join(str(d) for d in range(28, day + 1))
    clamped["BYSETPOS"] = "-1"
    if parts["FREQ"] == "YEARLY" and "BYMONTH" not in parts:
        clamped["BYMONTH"] = str(starts_on.month)
    return clamped


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A parsed rule from `starts_on` (included) to `ends_on` (included, None: no end)."""

    rule: str
    starts_on: date
    ends_on: date | None
    _rrule: rrule

    @classmethod
    def parse(cls, rule: str, starts_on: date, ends_on: date | None = None) -> Recurrence:
        if ends_on is not None and ends_on < starts_on:
            raise InvalidRule("ends_on is before starts_on")
        parts = _clamp_month_end(_parts(rule), starts_on)
        text = ";".join(f"{name}={value}" for name, value in parts.items())
        try:
            parsed = rrulestr(text, dtstart=datetime.combine(starts_on, time()))
        except (ValueError, TypeError) as error:
            raise InvalidRule(f"not a valid RRULE: {error}") from None
        if not isinstance(parsed, rrule):
            raise InvalidRule("one RRULE, not a set")
        return cls(rule, starts_on, ends_on, parsed)

    def _dates(self, after: date) -> Iterator[date]:
        start = datetime.combine(max(after, self.starts_on), time())
        for moment in self._rrule.xafter(start, inc=True):
            day = moment.date()
            if self.ends_on is not None and day > self.ends_on:
                return
            yield day

    def between(self, first: date, last: date) -> list[date]:
        """The occurrences from `first` to `last`, both included."""
        result = []
        for day in self._dates(first):
            if day > last:
                break
            result.append(day)
        return result

    def next(self, on_or_after: date, count: int) -> list[date]:
        """The next `count` occurrences from `on_or_after` on."""
        return list(islice(self._dates(on_or_after), count))
