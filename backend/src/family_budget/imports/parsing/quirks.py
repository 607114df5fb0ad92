"""What the third-party parsers (and the banks feeding them) get wrong, fixed in one place.

Each fix names the library or the file shape it is for, so that when a library improves its fix
can be found and removed. The fixture test of each case lives in tests/imports/test_quirks.py."""

from __future__ import annotations

import codecs
import csv
import html.entities
import re
from collections.abc import Sequence

# --- Encodings --------------------------------------------------------------------------------

UTF8_FALLBACK_ERRORS = "family_budget_cp1252_fallback"


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode a byte that is not UTF-8 as cp1252 (latin-1 for cp1252's five holes).

    Banks' "UTF-8" exports often hold a stray cp1252 "é" or "€" (a description typed in another
    system), and a file sniffed as ASCII from its first 256 KB may hold one further on; failing
    the whole file for it, or replacing it by U+FFFD, would both lose a payee."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="strict") if _cp1252_defined(bad) else bad.decode(
        "latin-1"
    ), error.end


def _cp1252_defined(data: bytes) -> bool:
    return not any(byte in (0x81, 0x8D, 0x8F, 0x90, 0x9D) for byte in data)


codecs.register_error(UTF8_FALLBACK_ERRORS, _cp1252_fallback)

# charset-normalizer considers every code page; a bank export is one of these, and restricting
# the candidates keeps a short latin-1 file from being read as mac_iceland or big5.
BANK_CHARSET_CANDIDATES = (
    "utf_8", "cp1252", "iso8859_15", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257",
    "cp850", "cp437", "koi8_r", "shift_jis", "cp932", "euc_jp", "gb18030", "big5", "euc_kr",
)  # fmt: skip


def detect_single_byte_charset(sample: bytes) -> str:
    """charset-normalizer's guess, except that a Western file is called cp1252.

    charset-normalizer picks cp1250 (Central European) for short French, German and Dutch
    exports (`gls.csv`, `CSV_A`, `8859-1.qfx`): for their letters (é, ä, ü, ç) cp1250 and cp1252
    share byte values, so both decode the same text and it picks the first. When cp1252 decodes
    the sample to exactly the guessed text, cp1252 is the answer: same text, the Western name."""
    # Imported on first use: the parsing package is imported at every API process's start (for
    # amounts), charset-normalizer is needed only to read a bank file.
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=list(BANK_CHARSET_CANDIDATES)).best()
    if best is None:
        return "cp1252"
    guess = best.encoding
    try:
        if sample.decode("cp1252") == sample.decode(guess):
            return "cp1252"
    except UnicodeDecodeError:
        pass
    return guess


def trust_declared_charset(declared: str, sample: bytes) -> str:
    """A file that declares a single-byte charset but is valid UTF-8 with non-ASCII text is
    UTF-8: banks switched their exports to UTF-8 and kept the old OFX header."""
    if not sample.isascii() and codecs.lookup(declared).name != "utf-8":
        return "utf-8"
    return declared


# --- OFX --------------------------------------------------------------------------------------

# ofxtools' OFXHeaderV1 accepts CHARSET ISO-8859-1, 1252 and NONE; banks also write these.
_OFX_CHARSET_ALIASES = {
    "8859-1": "ISO-8859-1",
    "ISO8859-1": "ISO-8859-1",
    "LATIN1": "ISO-8859-1",
    "LATIN-1": "ISO-8859-1",
    "WINDOWS-1252": "1252",
    "CP1252": "1252",
    "UTF-8": "NONE",
    "UTF8": "NONE",
    "CSUNICODE": "NONE",
}
_OFX_CHARSET_LINE = re.compile(r"(CHARSET:\s*)([\w-]+)")


def normalize_ofx_v1_header(header: str) -> str:
    """Rewrite a v1 header so ofxtools' strict header parser accepts what banks really send:
    CHARSET spellings (Actual's `8859-1.qfx` says "8859-1") and a missing COMPRESSION field."""

    def alias(match: re.Match[str]) -> str:
        value = match.group(2)
        return match.group(1) + _OFX_CHARSET_ALIASES.get(value.upper(), value)

    return _OFX_CHARSET_LINE.sub(alias, header)


_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def unescape_ofx_text(value: str) -> str:
    """Decode entities, twice when the bank escaped twice.

    ofxtools and ofxparse both leave `TPAY &amp;lt;DEFTPYMT&amp;gt;` (Actual's `html-vals.qfx`)
    as `TPAY &lt;DEFTPYMT&gt;`: the bank escaped an already escaped text. Only complete
    entities with their semicolon are decoded, so an SGML body's raw `AT&T` stays as it is."""
    if "&" not in value:
        return value
    once = _ENTITY.sub(_entity_text, value)
    if "&" in once and _ENTITY.search(once):
        return _ENTITY.sub(_entity_text, once)
    return once


def _entity_text(match: re.Match[str]) -> str:
    name = match.group(1)
    try:
        if name.startswith(("#x", "#X")):
            return _safe_chr(int(name[2:], 16), match)
        if name.startswith("#"):
            return _safe_chr(int(name[1:]), match)
    except ValueError:
        return match.group(0)
    return html.entities.html5.get(name + ";", match.group(0))


def _safe_chr(code: int, match: re.Match[str]) -> str:
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return match.group(0)
    return chr(code)


_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)


def inline_cdata(text: str) -> str:
    """CDATA sections (Suncorp's `<NAME><![CDATA[ALDI STORE  ]]></NAME>`) become plain escaped
    text, so one tokenizer reads SGML and XML bodies alike."""
    return _CDATA.sub(lambda match: match.group(1).replace("&", "&amp;").replace("<", "&lt;"), text)


# --- CSV --------------------------------------------------------------------------------------

CSV_DELIMITERS = ",;\t|"


def sniff_csv_dialect(sample: str) -> tuple[str, str] | None:
    """(delimiter, quotechar) from the standard library's csv.Sniffer, with its known faults
    fixed: it may pick any character as the delimiter (restricted to , ; tab |), it reports
    doublequote=False for files that never needed a doubled quote (doubled quotes are the CSV
    norm, so the reader always accepts them), and it raises on one-column samples."""
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS)
    except csv.Error:
        return _count_delimiters(sample)
    quotechar = dialect.quotechar if dialect.quotechar in ('"', "'") else '"'
    return dialect.delimiter, quotechar


def _count_delimiters(sample: str) -> tuple[str, str] | None:
    """The delimiter that splits the most of the first lines into one common number (>1) of
    fields; preamble lines above the header and blank lines do not count against it."""
    lines = [line for line in sample.splitlines()[:100] if line.strip()]
    best: tuple[int, int, str] | None = None
    for delimiter in CSV_DELIMITERS:
        widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        table = [width for width in widths if width > 1]
        if not table:
            continue
        width = max(set(table), key=table.count)
        score = (table.count(width), width, delimiter)
        if best is None or score[:2] > best[:2]:
            best = score
    if best is None or best[0] < max(1, len(lines) // 2):
        return None
    return best[2], '"'


def strip_header_cells(cells: Sequence[str]) -> list[str]:
    """Header cells without a UTF-8 BOM a reader left in the first one (Excel writes one even
    into files it then saves as cp1252) and without padding."""
    return [cell.replace("\ufeff", "").strip() for cell in cells]
