"""Date formats decided from the data, the ambiguity flag, OFX calendar days."""

from __future__ import annotations

from datetime import date

import pytest

from family_budget.imports.parsing import CsvMapping, parse_file
from family_budget.imports.parsing.dates import (
    CSV_DATE_FORMATS,
    QIF_DATE_FORMATS,
    DateParser,
    fitting_formats,
    ofx_date,
)


@pytest.mark.parametrize(
    ("values", "formats"),
    [
        (["13/04/2024", "01/05/2024"], ["%d/%m/%Y"]),
        (["04/13/2024", "05/01/2024"], ["%m/%d/%Y"]),
        (["03/04/2024", "01/05/2024"], ["%d/%m/%Y", "%m/%d/%Y"]),  # cannot tell
        (["2024-03-04"], ["%Y-%m-%d"]),
        (["12-Dec-2019", "Pending", "03-Dec-2019"], ["%d-%b-%Y"]),  # unreadable skipped
        (["3/18/2016", "3/5/2016"], ["%m/%d/%Y"]),  # no zero padding
        (["10/11/97", "9/20/97"], ["%m/%d/%y"]),
        (["2018-12-06 10:22:01"], ["%Y-%m-%d"]),  # the time is ignored
        (["nonsense"], []),
    ],
)
def test_fitting_formats(values: list[str], formats: list[str]) -> None:
    assert fitting_formats(values, CSV_DATE_FORMATS) == formats


def test_qif_prefers_month_first_when_ambiguous() -> None:
    assert fitting_formats(["01/02/2020"], QIF_DATE_FORMATS)[0] == "%m/%d/%Y"
    assert fitting_formats(["01/02/2020"], CSV_DATE_FORMATS)[0] == "%d/%m/%Y"


def test_stops_reading_once_decided() -> None:
    def values() -> object:
        yield "13/04/2024"
        raise AssertionError("read past the deciding date")

    assert fitting_formats(values(), CSV_DATE_FORMATS) == ["%d/%m/%Y"]  # type: ignore[arg-type]


def test_date_parser() -> None:
    parser = DateParser("%d.%m.%Y")
    assert parser.parse("31.03.2019") == date(2019, 3, 31)
    assert parser.parse("31.02.2019") is None
    assert parser.parse("31.03.2019") == date(2019, 3, 31)  # from its memory


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20170508000000[+10:EST]", date(2017, 5, 8)),  # the bank's day, not UTC's 7 May
        ("20131201000000.000[-7:MST]", date(2013, 12, 1)),
        ("20180804093914:014", date(2018, 8, 4)),
        ("20051004", date(2005, 10, 4)),
        ("2005100", None),
        ("20051304", None),
        ("", None),
    ],
)
def test_ofx_date(value: str, expected: date | None) -> None:
    assert ofx_date(value) == expected


class TestAmbiguousCsv:
    DATA = b"Date,Payee,Amount\n03/04/2024,Corner Shop,-4.50\n05/06/2024,Bakery,-3.00\n"

    def test_flagged_with_candidates(self) -> None:
        result = parse_file(self.DATA)
        assert result.date_order_ambiguous
        assert result.date_format_candidates == ("%d/%m/%Y", "%m/%d/%Y")
        assert result.rows[0].posted_on == date(2024, 4, 3)  # the first candidate until asked

    def test_the_users_choice_wins(self) -> None:
        result = parse_file(self.DATA, mapping=CsvMapping(date_format="%m/%d/%Y"))
        assert not result.date_order_ambiguous
        assert result.rows[0].posted_on == date(2024, 3, 4)

    def test_a_late_date_decides(self) -> None:
        rows = "".join(f"0{month}/0{month}/2024,Shop,-1.00\n" for month in range(1, 10))
        data = b"Date,Payee,Amount\n" + rows.encode() + b"12/25/2024,Shop,-1.00\n"
        result = parse_file(data)
        assert (result.date_format, result.date_order_ambiguous) == ("%m/%d/%Y", False)
