"""Decoding and lines: BOMs, declared and detected charsets, the cp1252 fallback, line endings."""

from __future__ import annotations

import codecs

import pytest

from family_budget.imports.parsing import parse_file
from family_budget.imports.parsing.limits import ParseLimits
from family_budget.imports.parsing.text import choose_encoding, decode_chunks, iter_lines

CSV_TEXT = "Date,Description,Amount\n2024-03-13,Café Zoë,-4.50\n2024-03-14,Crème brûlée,-7.25\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + CSV_TEXT.encode(), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + CSV_TEXT.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + CSV_TEXT.encode("utf-16-be"), "utf-16"),
        (CSV_TEXT.encode("utf-16-le"), "utf-16-le"),  # no BOM: the zero bytes tell
        (CSV_TEXT.encode("utf-8"), "utf-8"),
        (CSV_TEXT.encode("cp1252"), "cp1252"),
        (CSV_TEXT.encode("latin-1"), "cp1252"),  # same bytes for these letters
    ],
)
def test_encoding_is_chosen_and_text_is_read(data: bytes, encoding: str) -> None:
    result = parse_file(data)
    assert result.encoding == encoding
    assert [row.payee_original for row in result.rows] == ["Café Zoë", "Crème brûlée"]
    assert [row.amount_minor for row in result.rows] == [-450, -725]


def test_declared_single_byte_charset_that_is_really_utf8() -> None:
    data = "Caf\u00e9".encode()
    assert choose_encoding(data, "cp1252") == "utf-8"
    assert choose_encoding(b"plain ascii", "cp1252") == "cp1252"


def test_stray_cp1252_byte_in_utf8_file_is_read_as_cp1252() -> None:
    """A file that is UTF-8 in its first 256 KB may carry a cp1252 byte further on."""
    data = "é".encode() + b" and \x80 and \xe9"
    text = "".join(decode_chunks(iter([data[:3], data[3:]]), "utf-8"))
    assert text == "é and € and é"


def test_cyrillic_cp1251_is_detected() -> None:
    text = "Дата,Описание,Сумма\n" + "".join(
        f"2024-03-{day:02d},Оплата в магазине продуктов номер {day},-{day}.50\n"
        for day in range(1, 20)
    )
    result = parse_file(text.encode("cp1251"))
    assert result.encoding == "cp1251"
    assert result.rows[0].payee_original == "Оплата в магазине продуктов номер 1"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "\r\r\n"])
def test_line_endings_each_end_one_line(newline: str) -> None:
    data = CSV_TEXT.replace("\n", newline).encode()
    result = parse_file(data)
    assert [row.line for row in result.rows] == [2, 3]
    assert [row.posted_on.isoformat() for row in result.rows if row.posted_on] == [
        "2024-03-13",
        "2024-03-14",
    ]


def test_lines_split_across_chunks_and_crlf_split_between_chunks() -> None:
    chunks = iter(["a,b\r", "\nc,d\r", "\r", "\ne,f", "\rg"])
    assert list(iter_lines(chunks, ParseLimits())) == ["a,b", "c,d", "e,f", "g"]


def test_no_final_newline() -> None:
    assert parse_file(CSV_TEXT.rstrip("\n").encode()).rows[-1].amount_minor == -725
