"""Which format a file is, from its content (never its name: banks and browsers rename)."""

from __future__ import annotations

import re
from typing import Literal

from family_budget.imports.parsing import quirks
from family_budget.imports.parsing.results import ImportFileError

_OFX_MARKERS = re.compile(r"^\s*(OFXHEADER\s*:|<\?OFX\b)|<OFX>", re.IGNORECASE)
_QIF_HEADER = re.compile(r"^\s*!(Type|Account|Option|Clear)\b", re.IGNORECASE)

# "ofx" covers QFX too: QFX is told while reading, by its Intuit INTU.* elements.
Sniffed = Literal["ofx", "qif", "csv"]


def sniff_format(sample_text: str) -> Sniffed:
    """The format, or ImportFileError saying what the file is not."""
    head = sample_text.lstrip("\ufeff \t\r\n")[:65536]
    if _OFX_MARKERS.search(head):
        return "ofx"
    if _QIF_HEADER.match(head):
        return "qif"
    if head.startswith("<"):
        raise ImportFileError(
            "The file is XML or HTML but not OFX; export CSV, OFX, QFX or QIF from your bank"
        )
    if head.startswith(("{", "[")):
        raise ImportFileError("The file is JSON, not a bank export (CSV, OFX, QFX or QIF)")
    if quirks.sniff_csv_dialect(head[:20000]) is not None:
        return "csv"
    raise ImportFileError(
        "The file is not a bank export this app reads (CSV, OFX, QFX or QIF)", line=1
    )
