"""Which rows of a bank file the account already has: the duplicate matcher, as a pure function.

Rules, in order:
1. The bank's id (FITID). A file row whose external id an existing transaction carries is that
   transaction. Within the file, a row repeating an earlier row's external id is a duplicate of
   that row (banks resend a transaction in overlapping downloads). When both sides have ids,
   only the ids decide: two different ids are two transactions, however alike.
2. Otherwise: the same amount, dates at most `date_window_days` apart, and payee keys (see
   `payees.normalize_payee`) that are equal, or one containing the other, or empty on one side.
   Matching is one-to-one: an existing transaction absorbs at most one file row, so a statement
   that overlaps the last import, with two identical coffees on one day, adds exactly the coffees
   not yet there. Pairs are taken nearest date first; at the same distance, equal payee keys
   before merely compatible ones (else a row with an empty payee could take the twin of another
   row and leave it unmatched); then the earlier file row, the earlier-dated existing
   transaction, and the one listed first. Two identical rows in one file without ids are two
   transactions, never duplicates of each other.

Cost: existing transactions are indexed by (amount, day), so each file row looks at
2 * date_window_days + 1 small buckets; a million rows against a million runs in seconds."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import date
from typing import Any, Generic, NamedTuple, TypeVar

IdT = TypeVar("IdT", bound=Hashable)

DEFAULT_DATE_WINDOW_DAYS = 3


class FileRow(NamedTuple):
    """A readable row of the file (rows with status "error" are not matched)."""

    posted_on: date
    amount_minor: int
    payee_key: str
    external_id: str | None = None


class ExistingTransaction(NamedTuple, Generic[IdT]):
    """A transaction the account already has."""

    id: IdT
    posted_on: date
    amount_minor: int
    payee_key: str
    external_id: str | None = None


class Verdict(NamedTuple, Generic[IdT]):
    """New when both are None; else a duplicate of an existing transaction or of an earlier
    file row (its index in the file rows)."""

    duplicate_of: IdT | None = None
    duplicate_of_row: int | None = None

    @property
    def is_duplicate(self) -> bool:
        return self.duplicate_of is not None or self.duplicate_of_row is not None


_NEW: Verdict[Any] = Verdict()
# Bucket keys are amount * _DAYS + day ordinal: one int instead of a tuple to build and hash.
# Day ordinals stay below 2**20 until the year 2870.
_DAYS = 1 << 20


def payees_compatible(file_key: str, existing_key: str) -> bool:
    return (
        not file_key
        or not existing_key
        or file_key == existing_key
        or file_key in existing_key
        or existing_key in file_key
    )


def find_duplicates(
    file_rows: Sequence[FileRow],
    existing: Sequence[ExistingTransaction[IdT]],
    *,
    date_window_days: int = DEFAULT_DATE_WINDOW_DAYS,
) -> list[Verdict[IdT]]:
    """One verdict per file row, in file order."""
    if date_window_days < 0:
        raise ValueError("date_window_days must be >= 0")
    verdicts: list[Verdict[IdT]] = [_NEW] * len(file_rows)
    absorbed = bytearray(len(existing))
    pending = _match_external_ids(file_rows, existing, verdicts, absorbed)
    if pending and existing:
        _match_by_amount_date_payee(
            file_rows, existing, verdicts, absorbed, pending, date_window_days
        )
    return verdicts


def _match_external_ids(
    file_rows: Sequence[FileRow],
    existing: Sequence[ExistingTransaction[IdT]],
    verdicts: list[Verdict[IdT]],
    absorbed: bytearray,
) -> list[int]:
    """Applies rule 1; returns the indexes of file rows left for rule 2."""
    existing_by_id: dict[str, int] = {}
    for index, transaction in enumerate(existing):
        if transaction.external_id:
            existing_by_id.setdefault(transaction.external_id, index)
    first_row_with_id: dict[str, int] = {}
    pending: list[int] = []
    for row_index, row in enumerate(file_rows):
        external_id = row.external_id
        if not external_id:
            pending.append(row_index)
            continue
        earlier = first_row_with_id.get(external_id)
        if earlier is not None:
            verdicts[row_index] = Verdict(duplicate_of_row=earlier)
            continue
        first_row_with_id[external_id] = row_index
        match = existing_by_id.get(external_id)
        if match is not None:
            absorbed[match] = 1
            verdicts[row_index] = Verdict(duplicate_of=existing[match].id)
        else:
            pending.append(row_index)
    return pending


def _match_by_amount_date_payee(
    file_rows: Sequence[FileRow],
    existing: Sequence[ExistingTransaction[IdT]],
    verdicts: list[Verdict[IdT]],
    absorbed: bytearray,
    pending: list[int],
    window: int,
) -> None:
    # Only the amounts the file has are indexed: an account's other transactions never match.
    wanted_amounts = {file_rows[index].amount_minor for index in pending}
    buckets: dict[int, list[int]] = {}
    existing_amounts: set[int] = set()
    for index, transaction in enumerate(existing):
        amount = transaction.amount_minor
        if absorbed[index] or amount not in wanted_amounts:
            continue
        existing_amounts.add(amount)
        key = amount * _DAYS + transaction.posted_on.toordinal()
        bucket = buckets.get(key)
        if bucket is None:
            buckets[key] = [index]
        else:
            bucket.append(index)  # existing order within a day: the tie-break
    # A row with no existing transaction of its amount within the window is new: decided once
    # here, instead of in every pass below (on a big import most new rows are such).
    all_offsets = range(-window, window + 1)
    candidates: list[tuple[int, int, str, bool]] = []
    for row_index in pending:
        row = file_rows[row_index]
        if row.amount_minor not in existing_amounts:
            continue
        key = row.amount_minor * _DAYS + row.posted_on.toordinal()
        for offset in all_offsets:
            if key + offset in buckets:
                candidates.append((row_index, key, row.payee_key, bool(row.external_id)))
                break
    passes = [(distance, exact) for distance in range(window + 1) for exact in (True, False)]
    for distance, exact in passes:
        # Earlier day first for the same distance: the tie-break after the file row's order.
        offsets = (-distance,) if distance == 0 else (-distance, distance)
        still_pending: list[tuple[int, int, str, bool]] = []
        for candidate in candidates:
            row_index, key, payee_key, has_external_id = candidate
            match = -1
            for offset in offsets:
                bucket = buckets.get(key + offset)
                if bucket:
                    match = _first_compatible(
                        bucket, existing, absorbed, payee_key, has_external_id, exact
                    )
                    if match >= 0:
                        break
            if match >= 0:
                absorbed[match] = 1
                verdicts[row_index] = Verdict(duplicate_of=existing[match].id)
            else:
                still_pending.append(candidate)
        candidates = still_pending
        if not candidates:
            return


def _first_compatible(
    bucket: list[int],
    existing: Sequence[ExistingTransaction[IdT]],
    absorbed: bytearray,
    payee_key: str,
    file_row_has_external_id: bool,
    exact: bool,
) -> int:
    """The first transaction of the bucket this row may match, or -1. Absorbed transactions at
    the front are dropped from the bucket, so a day of identical coffees costs O(1) per row."""
    while bucket and absorbed[bucket[0]]:
        bucket.pop(0)
    for index in bucket:
        if absorbed[index]:
            continue
        candidate = existing[index]
        if file_row_has_external_id and candidate.external_id:
            continue  # both have bank ids and they differ: rule 1 already said no
        if (
            candidate.payee_key == payee_key
            if exact
            else payees_compatible(payee_key, candidate.payee_key)
        ):
            return index
    return -1
