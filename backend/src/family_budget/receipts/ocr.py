"""Reading a receipt's text: Tesseract (through pytesseract) for photos, the text layer for PDFs.

Tesseract is a program, not a Python package (Debian's `tesseract-ocr`). Without it, photos are
kept but not read, and the API says so (`ocr_available: false` on the receipts list); PDFs with
a text layer are read either way.
"""

from __future__ import annotations

import io
import shutil
from functools import cache

from family_budget.receipts.content import PDF

# pytesseract, Pillow and pypdf are imported where a receipt is read (the worker's job), not with
# this module: the receipts router imports it for `ocr_available`, at every API process's start.

MAX_PDF_PAGES = 5
# Tesseract reads small print better when the text is at least ~30 px high; phone photos of
# receipts usually are, screenshots and thumbnails may not be.
MIN_OCR_WIDTH = 1200
OCR_TIMEOUT_SECONDS = 60


@cache
def ocr_available() -> bool:
    import pytesseract

    return shutil.which(pytesseract.pytesseract.tesseract_cmd) is not None


class OcrUnavailable(RuntimeError):
    """Tesseract is not installed on this machine."""


def read_text(data: bytes, content_type: str) -> str:
    if content_type == PDF:
        return _pdf_text(data)
    if not ocr_available():
        raise OcrUnavailable("tesseract is not installed")
    import pytesseract
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        gray = ImageOps.grayscale(image)
    if gray.width < MIN_OCR_WIDTH:
        scale = MIN_OCR_WIDTH / gray.width
        gray = gray.resize((MIN_OCR_WIDTH, round(gray.height * scale)), Image.Resampling.LANCZOS)
    # --psm 4: one column of text of varying sizes, which is what a till receipt is.
    text: str = pytesseract.image_to_string(gray, config="--psm 4", timeout=OCR_TIMEOUT_SECONDS)
    return text


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES])
    except (PyPdfError, ValueError, OSError):
        return ""
