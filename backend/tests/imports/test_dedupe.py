"""The duplicate matcher: rules by example, properties, and a brute-force reference model."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from family_budget.imports.dedupe import (
    ExistingTransaction,
    FileRow,
    Verdict,
    find_duplicates,
)

DAY = date(2024, 3, 10)


def _row(
    days: int = 0, amount: int = -450, payee: str = "coffee", fitid: str | None = None
) -> FileRow:
    return FileRow(DAY + timedelta(days=days), amount, payee, fitid)


def _existing(
    id_: str, days: int = 0, amount: int = -450, payee: str = "coffee", fitid: str | None = None
) -> ExistingTransaction[str]:
    return ExistingTransaction(id_, DAY + timedelta(days=days), amount, payee, fitid)


def _ids(verdicts: list[Verdict[str]]) -> list[str | int | None]:
    return [
        verdict.duplicate_of if verdict.duplicate_of is not None else verdict.duplicate_of_row
        for verdict in verdicts
    ]


class TestRules:
    def test_fitid_match_ignores_date_amount_and_payee(self) -> None:
        verdicts = find_duplicates(
            [_row(days=9, amount=1, payee="x", fitid="F1")], [_existing("a", fitid="F1")]
        )
        assert _ids(verdicts) == ["a"]

    def test_different_fitids_never_match_however_alike(self) -> None:
        verdicts = find_duplicates([_row(fitid="F2")], [_existing("a", fitid="F1")])
        assert _ids(verdicts) == [None]

    def test_fitid_on_one_side_only_falls_back_to_the_other_rule(self) -> None:
        assert _ids(find_duplicates([_row(fitid="F2")], [_existing("a")])) == ["a"]
        assert _ids(find_duplicates([_row()], [_existing("a", fitid="F1")])) == ["a"]

    def test_repeated_fitid_within_the_file(self) -> None:
        rows = [_row(fitid="F1"), _row(fitid="F1"), _row(), _row()]
        verdicts = find_duplicates(rows, [])
        assert [(v.duplicate_of, v.duplicate_of_row) for v in verdicts] == [
            (None, None),
            (None, 0),
            (None, None),  # two identical coffees without ids are two coffees
            (None, None),
        ]

    @pytest.mark.parametrize(("days", "matched"), [(-3, True), (3, True), (4, False), (-4, False)])
    def test_date_window(self, days: int, matched: bool) -> None:
        verdicts = find_duplicates([_row(days=days)], [_existing("a")])
        assert verdicts[0].is_duplicate is matched

    def test_window_is_a_parameter(self) -> None:
        assert find_duplicates([_row(days=5)], [_existing("a")], date_window_days=5)[0].is_duplicate
        assert not find_duplicates([_row(days=1)], [_existing("a")], date_window_days=0)[
            0
        ].is_duplicate

    @pytest.mark.parametrize(
        ("file_payee", "existing_payee", "matched"),
        [
            ("blue bottle coffee", "blue bottle coffee", True),
            ("blue bottle", "blue bottle coffee", True),
            ("blue bottle coffee", "bottle", True),
            ("", "blue bottle coffee", True),
            ("blue bottle coffee", "", True),
            ("blue bottle coffee", "starbucks", False),
        ],
    )
    def test_payee_rule(self, file_payee: str, existing_payee: str, matched: bool) -> None:
        verdicts = find_duplicates([_row(payee=file_payee)], [_existing("a", payee=existing_payee)])
        assert verdicts[0].is_duplicate is matched

    def test_amount_must_be_equal(self) -> None:
        assert not find_duplicates([_row(amount=-451)], [_existing("a")])[0].is_duplicate

    def test_one_to_one_overlap_with_identical_coffees(self) -> None:
        """The account has one of today's two coffees; the statement has both: one is new."""
        verdicts = find_duplicates([_row(), _row()], [_existing("a")])
        assert _ids(verdicts) == ["a", None]

    def test_nearest_date_first(self) -> None:
        existing = [_existing("far", days=-2), _existing("near", days=1)]
        assert _ids(find_duplicates([_row()], existing)) == ["near"]

    def test_ties_go_to_the_earlier_date_then_the_first_listed(self) -> None:
        existing = [
            _existing("later", days=1),
            _existing("earlier", days=-1),
            _existing("twin", days=-1),
        ]
        assert _ids(find_duplicates([_row(), _row(), _row()], existing)) == [
            "earlier",
            "twin",
            "later",
        ]

    def test_an_exact_payee_is_preferred_over_a_compatible_one(self) -> None:
        """Without this, the empty-payee row would take the coffee's twin and leave the tea
        unmatched against an existing coffee it cannot match."""
        rows = [_row(payee=""), _row(payee="tea")]
        existing = [_existing("tea", payee="tea"), _existing("blank", payee="")]
        assert _ids(find_duplicates(rows, existing)) == ["blank", "tea"]


# --- The reference model ----------------------------------------------------------------------


def reference(
    rows: list[FileRow], existing: list[ExistingTransaction[int]], window: int
) -> list[Verdict[int]]:
    """Brute force: rule 1 by plain loops, then every eligible pair sorted by the documented
    precedence and taken greedily."""
    verdicts: list[Verdict[int]] = [Verdict() for _ in rows]
    absorbed: set[int] = set()
    matched: set[int] = set()
    for i, row in enumerate(rows):
        if not row.external_id:
            continue
        earlier = [k for k in range(i) if rows[k].external_id == row.external_id]
        if earlier:
            verdicts[i] = Verdict(duplicate_of_row=earlier[0])
            matched.add(i)
            continue
        same = [j for j, e in enumerate(existing) if e.external_id == row.external_id]
        if same:
            verdicts[i] = Verdict(duplicate_of=existing[same[0]].id)
            absorbed.add(same[0])
            matched.add(i)
    pairs = []
    for i, row in enumerate(rows):
        if i in matched:
            continue
        for j, transaction in enumerate(existing):
            distance = abs((row.posted_on - transaction.posted_on).days)
            a, b = row.payee_key, transaction.payee_key
            compatible = not a or not b or a in b or b in a
            if (
                j not in absorbed
                and transaction.amount_minor == row.amount_minor
                and distance <= window
                and compatible
                and not (row.external_id and transaction.external_id)
            ):
                pairs.append((distance, a != b, i, transaction.posted_on, j))
    for _, _, i, _, j in sorted(pairs):
        if i not in matched and j not in absorbed:
            verdicts[i] = Verdict(duplicate_of=existing[j].id)
            matched.add(i)
            absorbed.add(j)
    return verdicts


small_rows = st.builds(
    FileRow,
    posted_on=st.integers(0, 8).map(lambda d: DAY + timedelta(days=d)),
    amount_minor=st.sampled_from([-450, -451, 1000]),
    payee_key=st.sampled_from(["", "coffee", "blue coffee", "tea"]),
    external_id=st.one_of(st.none(), st.sampled_from(["F1", "F2", "F3"])),
)


@settings(max_examples=400)
@given(
    rows=st.lists(small_rows, max_size=8),
    existing_rows=st.lists(small_rows, max_size=8),
    window=st.integers(0, 4),
)
def test_matches_the_brute_force_reference(
    rows: list[FileRow], existing_rows: list[FileRow], window: int
) -> None:
    existing = [ExistingTransaction(j, *row) for j, row in enumerate(existing_rows)]
    assert find_duplicates(rows, existing, date_window_days=window) == reference(
        rows, existing, window
    )


transactions = st.lists(
    st.tuples(
        st.integers(0, 60),
        st.sampled_from([-450, -1299, 2500, -8000]),
        st.sampled_from(["", "coffee", "blue bottle coffee", "rent", "tea"]),
        st.booleans(),  # has a bank id
    ),
    max_size=40,
)


def _statement(items: list[tuple[int, int, str, bool]]) -> list[FileRow]:
    return sorted(
        (
            FileRow(DAY + timedelta(days=days), amount, payee, f"FIT{n}" if has_id else None)
            for n, (days, amount, payee, has_id) in enumerate(items)
        ),
        key=lambda row: row.posted_on,
    )


@given(transactions)
def test_importing_the_same_rows_twice_finds_all_duplicates(
    items: list[tuple[int, int, str, bool]],
) -> None:
    rows = _statement(items)
    existing = [ExistingTransaction(n, *row) for n, row in enumerate(rows)]
    verdicts = find_duplicates(rows, existing)
    assert all(verdict.duplicate_of is not None for verdict in verdicts)
    assert len({verdict.duplicate_of for verdict in verdicts}) == len(rows)  # one-to-one
    for row, verdict in zip(rows, verdicts, strict=True):
        twin = existing[verdict.duplicate_of]  # type: ignore[index]
        assert (twin.posted_on, twin.amount_minor, twin.payee_key) == (
            row.posted_on,
            row.amount_minor,
            row.payee_key,
        )


@given(transactions, st.integers(0, 60), st.integers(4, 30))
def test_an_overlapping_statement_finds_exactly_the_overlap(
    items: list[tuple[int, int, str, bool]], overlap_start: int, overlap_days: int
) -> None:
    """The account has everything before day overlap_start + overlap_days; the new statement
    starts at overlap_start. The overlap is longer than the date window, so rows outside it
    cannot reach each other."""
    rows = _statement(items)
    start = DAY + timedelta(days=overlap_start)
    end = start + timedelta(days=overlap_days)
    already = [row for row in rows if row.posted_on < end]
    statement = [row for row in rows if row.posted_on >= start]
    existing = [ExistingTransaction(n, *row) for n, row in enumerate(already)]
    verdicts = find_duplicates(statement, existing)
    duplicates = [
        row for row, verdict in zip(statement, verdicts, strict=True) if verdict.is_duplicate
    ]
    assert duplicates == [row for row in statement if row.posted_on < end]
