"""What a receipt file is, judged by its bytes, and the copy of it that is kept.

Uploads are JPEG, PNG, HEIC (iPhone photos) or PDF, recognized by their magic bytes, never by
the name or the declared type. Photos are decoded, turned upright (the EXIF orientation), and
re-encoded from their pixels alone: EXIF (GPS position, camera, time), XMP and ICC data are not
carried over, so no stored photo says where it was taken. HEIC is stored as JPEG, which every
browser can show. Very large photos are scaled down to MAX_SIDE_PIXELS: a receipt needs no more,
and it keeps OCR and storage cheap. PDFs are kept as they are (checked to parse).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from PIL import Image

MAX_RECEIPT_BYTES: Final = 10 * 1024 * 1024
MAX_SIDE_PIXELS: Final = 4000
THUMBNAIL_SIDE_PIXELS: Final = 480
# A decoded image this large (pixels) is refused before it is decoded: a tiny file can claim
# enormous dimensions (a decompression bomb).
MAX_PIXELS: Final = 60_000_000

JPEG, PNG, HEIC, PDF = "image/jpeg", "image/png", "image/heic", "application/pdf"
ACCEPTED_TYPES: Final = (JPEG, PNG, HEIC, PDF)
EXTENSIONS: Final = {JPEG: "jpg", PNG: "png", PDF: "pdf"}
# ISO BMFF brands of HEIF images (HEIC proper, image sequences, and the generic HEIF brands).
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


@cache
def _open_heif_too() -> None:
    # Pillow, pillow-heif and pypdf are imported by the functions that read a file, not with this
    # module: the app imports it at start for the limits above, and every API process would
    # carry them (tens of ms and several MB) before its first receipt upload.
    import pillow_heif

    pillow_heif.register_heif_opener()


class UnsupportedReceipt(ValueError):
    """Not a JPEG, PNG, HEIC or PDF, or damaged beyond reading."""


def sniff(data: bytes) -> str | None:
    """The receipt type the bytes start like, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"%PDF-"):
        return PDF
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return HEIC
    return None


@dataclass(frozen=True, slots=True)
class StoredReceipt:
    """What is kept: the cleaned file, its type, and a small JPEG for lists (photos only)."""

    data: bytes
    content_type: str
    thumbnail: bytes | None

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def prepare(data: bytes) -> StoredReceipt:
    """The copy of an upload that is stored; UnsupportedReceipt when it cannot be one."""
    if not data:
        raise UnsupportedReceipt("The file is empty")
    if len(data) > MAX_RECEIPT_BYTES:
        raise UnsupportedReceipt(f"The file is larger than {MAX_RECEIPT_BYTES} bytes")
    kind = sniff(data)
    if kind is None:
        raise UnsupportedReceipt("Receipts are JPEG, PNG, HEIC or PDF files")
    if kind == PDF:
        _check_pdf(data)
        return StoredReceipt(data, PDF, None)
    image = _decode(data)
    keep_png = kind == PNG
    cleaned = _without_metadata(image, keep_alpha=keep_png)
    return StoredReceipt(
        _encode(cleaned, PNG if keep_png else JPEG), PNG if keep_png else JPEG, _thumbnail(cleaned)
    )


def _check_pdf(data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        pages = len(PdfReader(io.BytesIO(data)).pages)
    except (PyPdfError, ValueError, OSError) as exc:
        raise UnsupportedReceipt("The PDF cannot be read") from exc
    if pages == 0:
        raise UnsupportedReceipt("The PDF has no pages")


def _decode(data: bytes) -> Image.Image:
    from PIL import Image

    _open_heif_too()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise UnsupportedReceipt("The image has too many pixels")
            # JPEG can decode at a reduced scale directly, which saves memory on big photos.
            image.draft("RGB", (MAX_SIDE_PIXELS, MAX_SIDE_PIXELS))
            image.load()
    except UnsupportedReceipt:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UnsupportedReceipt("The image has too many pixels") from exc
    except (OSError, ValueError, SyntaxError, Warning) as exc:
        raise UnsupportedReceipt("The image cannot be read") from exc
    return image


def _without_metadata(image: Image.Image, *, keep_alpha: bool) -> Image.Image:
    from PIL import Image, ImageOps

    upright = ImageOps.exif_transpose(image)
    mode = "RGBA" if keep_alpha and "A" in upright.getbands() else "RGB"
    if upright.mode == "L" and not keep_alpha:
        mode = "L"
    converted = upright.convert(mode)
    converted.thumbnail((MAX_SIDE_PIXELS, MAX_SIDE_PIXELS))
    # A new image from the pixels alone: no info dict, so nothing of the original's metadata
    # (EXIF, GPS, XMP, ICC, PNG text chunks) can be written back by the encoder.
    return Image.frombytes(converted.mode, converted.size, converted.tobytes())


def _encode(image: Image.Image, content_type: str) -> bytes:
    buffer = io.BytesIO()
    if content_type == PNG:
        image.save(buffer, format="PNG")
    else:
        image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    small = image.convert("RGB")
    small.thumbnail((THUMBNAIL_SIDE_PIXELS, THUMBNAIL_SIDE_PIXELS))
    buffer = io.BytesIO()
    small.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()
