"""Reading text: Tesseract on photos drawn here (when installed), the text layer of PDFs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytesseract
import pytest

from family_budget.receipts import ocr
from family_budget.receipts.content import prepare
from family_budget.receipts.ocr import OcrUnavailable, ocr_available, read_text
from family_budget.receipts.parsing import ParsedReceipt, parse_receipt_text
from tests.receipts.images import GROCERY_LINES, encode, photo_with_gps, receipt_image, receipt_pdf

needs_tesseract = pytest.mark.skipif(
    not ocr_available(), reason="tesseract-ocr is not installed (CI installs it)"
)


@pytest.fixture
def without_tesseract(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine without the tesseract program: pytesseract is pointed at a missing one."""
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "tesseract-not-installed")
    ocr.ocr_available.cache_clear()
    yield
    monkeypatch.undo()
    ocr.ocr_available.cache_clear()


@needs_tesseract
def test_reads_a_photographed_receipt() -> None:
    stored = prepare(photo_with_gps(GROCERY_LINES))
    text = read_text(stored.data, stored.content_type)
    assert parse_receipt_text(text, "USD") == ParsedReceipt(
        "CORNER GROCERY", date(2026, 11, 28), 647
    )


@needs_tesseract
def test_reads_small_print_by_scaling_it_up() -> None:
    small = receipt_image(GROCERY_LINES, width=300, font_size=14)
    text = read_text(encode(small, "PNG"), "image/png")
    assert parse_receipt_text(text, "USD").total_minor == 647


def test_pdf_text_layer_needs_no_tesseract(without_tesseract: None) -> None:
    assert not ocr_available()
    text = read_text(receipt_pdf(GROCERY_LINES), "application/pdf")
    assert parse_receipt_text(text, "USD") == ParsedReceipt(
        "CORNER GROCERY", date(2026, 11, 28), 647
    )


def test_photos_without_tesseract_say_so(without_tesseract: None) -> None:
    stored = prepare(photo_with_gps(GROCERY_LINES))
    with pytest.raises(OcrUnavailable):
        read_text(stored.data, stored.content_type)
