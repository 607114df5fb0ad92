"""Each fix in quirks.py, shown against the library behaviour it corrects."""

from __future__ import annotations

import csv

import pytest
from charset_normalizer import from_bytes
from ofxtools.header import OFXHeaderError, OFXHeaderV1

from family_budget.imports.parsing import quirks
from tests.imports.conftest import bank_export

V1_HEADER = (
    "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:TYPE1\nENCODING:USASCII\n"
    "CHARSET:{charset}\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n"
)


def test_charset_normalizer_calls_short_western_files_cp1250() -> None:
    data = bank_export("csv2ofx/gls.csv")
    best = from_bytes(data, cp_isolation=list(quirks.BANK_CHARSET_CANDIDATES)).best()
    assert best is not None
    assert best.encoding == "cp1250"  # what the library says (if this changes, drop the fix)
    assert quirks.detect_single_byte_charset(data) == "cp1252"


def test_a_real_central_european_file_stays_cp1250() -> None:
    text = "Data;Opis;Kwota\n" + "".join(
        f"2024-03-{day:02d};Zakupy w sklepie spożywczym Łódź, ul. Piotrkowska {day};-{day},50\n"
        for day in range(1, 25)
    )
    assert quirks.detect_single_byte_charset(text.encode("cp1250")) == "cp1250"


def test_declared_charset_that_lies() -> None:
    assert quirks.trust_declared_charset("cp1252", "Zoë".encode()) == "utf-8"
    assert quirks.trust_declared_charset("cp1252", b"plain") == "cp1252"


@pytest.mark.parametrize(("written", "accepted"), [("8859-1", "ISO-8859-1"), ("UTF-8", "NONE")])
def test_ofx_charset_aliases(written: str, accepted: str) -> None:
    header = V1_HEADER.format(charset=written)
    with pytest.raises(OFXHeaderError):
        OFXHeaderV1.parse(header)  # ofxtools on its own refuses the bank's spelling
    parsed, _ = OFXHeaderV1.parse(quirks.normalize_ofx_v1_header(header))
    assert parsed.charset == accepted


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("TPAY &amp;lt;DEFTPYMT&amp;gt;", "TPAY <DEFTPYMT>"),  # escaped twice
        ("B.C. HYDRO &amp; POWER", "B.C. HYDRO & POWER"),
        ("AT&T", "AT&T"),  # a raw SGML ampersand is text
        ("R&D &copy", "R&D &copy"),  # no semicolon, no entity
        ("Caf&#233; &#xE9;", "Café é"),
        ("&#0; &#xD800;", "&#0; &#xD800;"),  # not characters
    ],
)
def test_unescape_ofx_text(raw: str, text: str) -> None:
    assert quirks.unescape_ofx_text(raw) == text


def test_cdata_is_inlined_escaped() -> None:
    assert (
        quirks.inline_cdata("<NAME><![CDATA[A & B <C>]]></NAME>") == "<NAME>A &amp; B &lt;C></NAME>"
    )


def test_sniffer_restricted_to_real_delimiters() -> None:
    sample = "Date Payee Amount\n2024-03-01 Shop 1.00\n2024-03-02 Shop 2.00\n"
    assert csv.Sniffer().sniff(sample).delimiter == " "  # the library's guess
    assert quirks.sniff_csv_dialect(sample) is None  # spaces are not a bank CSV delimiter


def test_sniffer_fallback_counts_delimiters_past_a_preamble() -> None:
    sample = (
        "Statement for account 1\n\nDate;Payee;Amount\n2024-03-01;Shop;1,00\n2024-03-02;Shop;2,00\n"
    )
    assert quirks.sniff_csv_dialect(sample) == (";", '"')


def test_header_cells_lose_a_stray_bom() -> None:
    assert quirks.strip_header_cells(["\ufeffDate ", " Amount"]) == ["Date", "Amount"]
