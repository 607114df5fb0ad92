"""Limits on what a bank file may be, as named constants.

Every limit protects the API from a hostile or broken upload: each is checked while reading, so a
file that breaks one fails fast with `ImportFileError` naming the limit, without first being read
whole. The API uses `DEFAULT_LIMITS`; the CLI and the benchmark pass larger ones for big files
through the same code."""

from __future__ import annotations

from dataclasses import dataclass

# The API answers 413 above this; real monthly or yearly statements are a few hundred KB.
MAX_FILE_BYTES = 20 * 1024 * 1024
# A bank CSV has 3 to 30 columns; a few hundred leaves room for exports with many memo columns.
MAX_COLUMNS = 256
# A CSV or QIF line (an OFX element value) longer than this is not a transaction.
MAX_LINE_CHARS = 64 * 1024
# 20 MB of the densest CSV holds ~500,000 rows; a million allows big files through the CLI.
MAX_ROWS = 1_000_000
# OFX aggregates nest about 8 deep (OFX > BANKMSGSRSV1 > STMTTRNRS > STMTRS > BANKTRANLIST >
# STMTTRN > PAYEE); anything far deeper is hostile.
MAX_OFX_DEPTH = 32
# Elements in one STMTTRN: a real one has 5 to 20.
MAX_OFX_ELEMENTS_PER_TRANSACTION = 256
# QIF: split lines in one transaction.
MAX_QIF_SPLITS = 1_000


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """The limits one parse runs under; `None` for max_file_bytes means no size limit."""

    max_file_bytes: int | None = MAX_FILE_BYTES
    max_columns: int = MAX_COLUMNS
    max_line_chars: int = MAX_LINE_CHARS
    max_rows: int = MAX_ROWS
    max_ofx_depth: int = MAX_OFX_DEPTH
    max_ofx_elements_per_transaction: int = MAX_OFX_ELEMENTS_PER_TRANSACTION
    max_qif_splits: int = MAX_QIF_SPLITS


DEFAULT_LIMITS = ParseLimits()
