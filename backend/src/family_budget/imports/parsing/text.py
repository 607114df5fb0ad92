"""Bytes to text: reading within the size limit, choosing the encoding, splitting lines.

A source is bytes (an upload held in memory) or a seekable binary file (the CLI and benchmark
stream big files); both are read in chunks, so the text of a 300 MB file is never whole in memory.
Line endings CR, LF, CRLF and CRCRLF each end one line."""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from family_budget.imports.parsing import quirks
from family_budget.imports.parsing.limits import ParseLimits
from family_budget.imports.parsing.results import ImportFileError

CHUNK_BYTES = 1024 * 1024
# Enough text to sniff a format, a dialect and an encoding, and small enough to do it quickly.
SAMPLE_BYTES = 256 * 1024

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters that never appear in a text export (tab, LF, FF, CR and ESC-free text).
_BINARY_CONTROL_BYTES = frozenset(range(0, 32)) - {9, 10, 12, 13, 26}


@dataclass(slots=True)
class Source:
    """Bytes or a seekable binary file, read in chunks within the size limit."""

    data: bytes | None
    file: BinaryIO | None
    limits: ParseLimits

    @classmethod
    def of(cls, source: bytes | BinaryIO, limits: ParseLimits) -> Source:
        if isinstance(source, bytes | bytearray | memoryview):
            data = bytes(source)
            _check_size(len(data), limits)
            return cls(data=data, file=None, limits=limits)
        if not source.seekable():
            raise TypeError("a file source must be seekable")
        _check_size(source.seek(0, io.SEEK_END), limits)
        source.seek(0)
        return cls(data=None, file=source, limits=limits)

    def sample(self, size: int = SAMPLE_BYTES) -> bytes:
        if self.data is not None:
            return self.data[:size]
        assert self.file is not None
        self.file.seek(0)
        return self.file.read(size)

    def chunks(self) -> Iterator[bytes]:
        """The whole content from the start, in chunks; checks the size limit as it goes."""
        if self.data is not None:
            for start in range(0, len(self.data), CHUNK_BYTES):
                yield self.data[start : start + CHUNK_BYTES]
            return
        assert self.file is not None
        self.file.seek(0)
        total = 0
        while chunk := self.file.read(CHUNK_BYTES):
            total += len(chunk)
            _check_size(total, self.limits)
            yield chunk


def _check_size(size: int, limits: ParseLimits) -> None:
    if limits.max_file_bytes is not None and size > limits.max_file_bytes:
        raise ImportFileError(
            f"The file is larger than {limits.max_file_bytes // (1024 * 1024)} MB",
            limit="max_file_bytes",
        )


def refuse_binary(sample: bytes) -> None:
    """Executables, images, archives and PDFs are refused before any parser sees them."""
    if not sample.strip():
        raise ImportFileError("The file is empty")
    for bom, _ in _BOMS:
        if sample.startswith(bom):
            return
    head = sample[:4096]
    if b"\x00" in head and _looks_like_utf16(head):
        return
    if b"\x00" in head:
        raise ImportFileError("The file is binary, not a bank export (CSV, OFX, QFX or QIF)")
    controls = sum(1 for byte in head if byte in _BINARY_CONTROL_BYTES)
    if controls > max(2, len(head) // 100):
        raise ImportFileError("The file is binary, not a bank export (CSV, OFX, QFX or QIF)")


def _looks_like_utf16(head: bytes) -> bool:
    even_zeros = head[0::2].count(0)
    odd_zeros = head[1::2].count(0)
    half = len(head) // 2
    return half > 0 and max(even_zeros, odd_zeros) > half * 0.8 and min(even_zeros, odd_zeros) == 0


def choose_encoding(sample: bytes, declared: str | None = None) -> str:
    """The encoding to read the file with: a BOM, then a declared charset, then detection."""
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    if b"\x00" in sample[:4096] and _looks_like_utf16(sample[:4096]):
        return "utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be"
    if _is_utf8(sample):
        # Pure ASCII so far, or real UTF-8: either way UTF-8 reads it, and a later stray
        # cp1252 byte is decoded as cp1252 rather than failing (see quirks).
        return "utf-8" if declared is None else quirks.trust_declared_charset(declared, sample)
    if declared is not None:
        return declared
    return quirks.detect_single_byte_charset(sample)


def _is_utf8(sample: bytes) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        # final=False: the sample may end inside a multi-byte character.
        decoder.decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def decode_chunks(chunks: Iterator[bytes], encoding: str) -> Iterator[str]:
    codec = codecs.lookup(encoding)
    errors = quirks.UTF8_FALLBACK_ERRORS if codec.name == "utf-8" else "replace"
    decoder = codec.incrementaldecoder(errors)
    for chunk in chunks:
        text = decoder.decode(chunk)
        if "\x00" in text:
            # PostgreSQL text cannot hold NUL, and no bank export has one: damaged or binary.
            raise ImportFileError("The file holds NUL characters: it is binary or damaged")
        if text:
            yield text
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail


def decode_sample(sample: bytes, encoding: str) -> str:
    codec = codecs.lookup(encoding)
    errors = quirks.UTF8_FALLBACK_ERRORS if codec.name == "utf-8" else "replace"
    return codec.incrementaldecoder(errors).decode(sample, final=False)


def iter_lines(texts: Iterator[str], limits: ParseLimits, *, ending: str = "") -> Iterator[str]:
    """Lines, each followed by `ending` ("\n" for the csv module, which needs it to keep a
    newline inside a quoted field); a line longer than the limit fails the file."""
    pending = ""
    line_number = 0
    for text in texts:
        text = pending + text
        # Keep trailing CRs for the next chunk: they may be the start of a CRLF or CRCRLF.
        cut = len(text.rstrip("\r"))
        text, pending = text[:cut], text[cut:]
        text = normalize_newlines(text)
        lines = text.split("\n")
        pending = lines.pop() + pending
        longest = max(map(len, lines), default=0)
        if longest > limits.max_line_chars:
            too_long = next(i for i, line in enumerate(lines) if len(line) == longest)
            raise _line_too_long(line_number + too_long + 1, limits)
        line_number += len(lines)
        if ending:
            yield from (line + ending for line in lines)
        else:
            yield from lines
        if len(pending) > limits.max_line_chars:
            raise _line_too_long(line_number + 1, limits)
    if pending:
        tail = normalize_newlines(pending)
        for line in tail.split("\n"):
            line_number += 1
            if len(line) > limits.max_line_chars:
                raise _line_too_long(line_number, limits)
            if line:
                yield line + ending


def normalize_newlines(text: str) -> str:
    # CRCRLF comes from a CRLF written through a text layer that turned LF into CRLF again.
    if "\r" not in text:
        return text
    return text.replace("\r\r\n", "\n").replace("\r\n", "\n").replace("\r", "\n")


def _line_too_long(line_number: int, limits: ParseLimits) -> ImportFileError:
    return ImportFileError(
        f"Line {line_number} is longer than {limits.max_line_chars} characters",
        line=line_number,
        limit="max_line_chars",
    )
