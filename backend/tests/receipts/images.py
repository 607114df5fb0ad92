"""Receipt files made in the test: text drawn on a white image, photos carrying GPS EXIF, PDFs
with a text layer. No fixture photos."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pillow_heif
from PIL import ExifTags, Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A6
from reportlab.pdfgen.canvas import Canvas

# Somewhere in Berlin: the position a phone would have written into the photo.
GPS_LATITUDE = (52.0, 31.0, 12.5)
GPS_LONGITUDE = (13.0, 24.0, 3.0)
CAMERA_MAKE = "ReceiptCam 3000"

# The app registers HEIF with Pillow only when it reads an upload; the tests write HEIF first.
pillow_heif.register_heif_opener()


def receipt_image(lines: Sequence[str], *, width: int = 800, font_size: int = 36) -> Image.Image:
    font = ImageFont.load_default(size=font_size)
    line_height = round(font_size * 1.4)
    image = Image.new("RGB", (width, 80 + line_height * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        draw.text((40, 40 + index * line_height), line, fill="black", font=font)
    return image


def gps_exif(*, orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA_MAKE
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = GPS_LONGITUDE
    return exif


def encode(image: Image.Image, format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def photo_with_gps(lines: Sequence[str], format: str = "JPEG", **options: object) -> bytes:
    """A receipt photo as a phone saves it: JPEG (or HEIF) with the position in its EXIF."""
    return encode(receipt_image(lines), format, exif=gps_exif(), **options)


def receipt_pdf(lines: Sequence[str]) -> bytes:
    buffer = io.BytesIO()
    # invariant: the same bytes every time (no creation date, no random document id).
    canvas = Canvas(buffer, pagesize=A6, invariant=True)
    y = A6[1] - 40
    for line in lines:
        canvas.drawString(20, y, line)
        y -= 14
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


GROCERY_LINES = [
    "CORNER GROCERY",
    "12 Market Street",
    "Date: 11/28/2026",
    "Milk 3.49",
    "Bread 2.50",
    "SUBTOTAL 5.99",
    "TAX 0.48",
    "TOTAL 6.47",
    "VISA **** 4242",
]
