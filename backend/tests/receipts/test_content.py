"""What is kept of an upload: recognized by content, stripped of metadata, upright, with a
thumbnail; everything else refused."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image, PngImagePlugin

from family_budget.receipts.content import (
    HEIC,
    JPEG,
    MAX_RECEIPT_BYTES,
    MAX_SIDE_PIXELS,
    PDF,
    PNG,
    THUMBNAIL_SIDE_PIXELS,
    UnsupportedReceipt,
    prepare,
    sniff,
)
from tests.receipts.images import (
    CAMERA_MAKE,
    GROCERY_LINES,
    encode,
    gps_exif,
    photo_with_gps,
    receipt_image,
    receipt_pdf,
)


def _has_gps(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return bool(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))


def _no_metadata_left(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
        assert "xmp" not in image.info
        assert "icc_profile" not in image.info
    # Not even as bytes somewhere in the file (an EXIF block the decoder did not surface).
    assert b"Exif\x00\x00" not in data
    assert CAMERA_MAKE.encode() not in data


class TestSniff:
    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            (encode(receipt_image(["x"]), "JPEG"), JPEG),
            (encode(receipt_image(["x"]), "PNG"), PNG),
            (encode(receipt_image(["x"]), "HEIF"), HEIC),
            (receipt_pdf(["x"]), PDF),
            (encode(receipt_image(["x"]), "GIF"), None),
            (encode(receipt_image(["x"]), "WEBP"), None),
            (b"<html><script>alert(1)</script></html>", None),
            (b"", None),
        ],
    )
    def test_by_magic_bytes(self, data: bytes, expected: str | None) -> None:
        assert sniff(data) == expected


class TestPrepare:
    def test_jpeg_loses_gps_and_camera(self) -> None:
        original = photo_with_gps(GROCERY_LINES)
        assert _has_gps(original)  # the arrangement really carries a position

        stored = prepare(original)

        assert stored.content_type == JPEG
        assert not _has_gps(stored.data)
        _no_metadata_left(stored.data)

    def test_heic_is_stored_as_jpeg_without_gps(self) -> None:
        original = photo_with_gps(GROCERY_LINES, format="HEIF")
        assert sniff(original) == HEIC
        assert _has_gps(original)

        stored = prepare(original)

        assert stored.content_type == JPEG
        assert sniff(stored.data) == JPEG
        _no_metadata_left(stored.data)

    def test_png_stays_png_without_text_chunks_or_exif(self) -> None:
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", f"taken by {CAMERA_MAKE}")
        original = encode(receipt_image(GROCERY_LINES), "PNG", pnginfo=info, exif=gps_exif())
        assert _has_gps(original)

        stored = prepare(original)

        assert stored.content_type == PNG
        _no_metadata_left(stored.data)
        with Image.open(io.BytesIO(stored.data)) as image:
            assert "Comment" not in image.info

    def test_orientation_is_applied_before_it_is_dropped(self) -> None:
        # Orientation 6: the camera was turned; viewers rotate the 800-wide image upright.
        image = receipt_image(GROCERY_LINES)
        original = encode(image, "JPEG", exif=gps_exif(orientation=6))

        stored = prepare(original)

        with Image.open(io.BytesIO(stored.data)) as upright:
            assert upright.size == (image.height, image.width)

    def test_thumbnail_is_a_small_jpeg(self) -> None:
        stored = prepare(photo_with_gps(GROCERY_LINES))
        assert stored.thumbnail is not None
        assert sniff(stored.thumbnail) == JPEG
        with Image.open(io.BytesIO(stored.thumbnail)) as thumbnail:
            assert max(thumbnail.size) == THUMBNAIL_SIDE_PIXELS
        _no_metadata_left(stored.thumbnail)

    def test_huge_photos_are_scaled_down(self) -> None:
        big = Image.new("RGB", (MAX_SIDE_PIXELS * 2, 1000), "white")
        stored = prepare(encode(big, "JPEG"))
        with Image.open(io.BytesIO(stored.data)) as image:
            assert image.size == (MAX_SIDE_PIXELS, 500)

    def test_pdf_is_kept_as_is_without_thumbnail(self) -> None:
        original = receipt_pdf(GROCERY_LINES)
        stored = prepare(original)
        assert stored.data == original
        assert stored.content_type == PDF
        assert stored.thumbnail is None

    @pytest.mark.parametrize(
        "data",
        [
            b"",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            encode(receipt_image(["x"]), "GIF"),
            encode(receipt_image(["x"]), "JPEG")[:200],  # a photo cut short
            b"%PDF-1.7\nnot really a pdf",
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        ],
        ids=["empty", "svg", "gif", "truncated-jpeg", "fake-pdf", "fake-png"],
    )
    def test_refuses_what_is_not_a_readable_receipt(self, data: bytes) -> None:
        with pytest.raises(UnsupportedReceipt):
            prepare(data)

    def test_refuses_more_than_ten_megabytes(self) -> None:
        with pytest.raises(UnsupportedReceipt, match="larger"):
            prepare(b"\xff\xd8\xff" + b"\x00" * MAX_RECEIPT_BYTES)

    def test_refuses_a_decompression_bomb(self) -> None:
        # A few kilobytes that decode to 400 megapixels.
        bomb = encode(Image.new("1", (20_000, 20_000)), "PNG")
        assert len(bomb) < 100_000
        with pytest.raises(UnsupportedReceipt, match="too many pixels"):
            prepare(bomb)
