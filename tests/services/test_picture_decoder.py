"""Decoding untrusted picture bytes: only the store's formats, size read first, decoded small."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.services.picture_decoder import (MAX_PICTURE_PIXELS, PictureRefused, _draft_box,
                                          decode_picture, read_header, to_qimage)
from tests.hostile.hostile_images import (SVG, jpeg_bytes, other_format_bytes, png_bytes,
                                          png_pixel_bomb)


@pytest.mark.parametrize("data, named", [
    (SVG, "SVG"), (other_format_bytes("TIFF"), "TIFF"), (other_format_bytes("BMP"), "BMP"),
    (other_format_bytes("ICO"), "ICO"), (b"<!DOCTYPE html><p>gone</p>", "HTML"),
    (b"\x00\x00\x00\x18ftypheic" + bytes(40), "HEIC"), (b"", "empty"),
], ids=["svg", "tiff", "bmp", "ico", "html", "heic", "empty"])
def test_only_jpeg_png_gif_and_webp_are_decoded(data: bytes, named: str) -> None:
    with pytest.raises(PictureRefused) as refused:
        decode_picture(data, 100, 100)
    assert named in refused.value.message


def test_the_size_is_read_from_the_header_and_a_bomb_refused_before_decoding() -> None:
    bomb = png_pixel_bomb(7000, 7000)  # 49 MP in ~50 KB
    assert len(bomb) < 200_000 and 7000 * 7000 > MAX_PICTURE_PIXELS
    with pytest.raises(PictureRefused, match="7000x7000 pixels"):
        read_header(bomb)
    with pytest.raises(PictureRefused, match="megapixels"):
        decode_picture(bomb, 220, 220)


def test_a_picture_just_under_the_cap_is_decoded_scaled() -> None:
    picture = decode_picture(png_pixel_bomb(2000, 2000), 110, 143)
    assert picture.size == (110, 110)


def test_a_jpeg_is_decoded_in_draft_mode_and_fitted_to_the_box() -> None:
    picture = decode_picture(jpeg_bytes(2000, 1000), 110, 143)
    assert picture.size == (110, 55)


def test_small_pictures_are_never_upscaled() -> None:
    assert decode_picture(png_bytes(40, 30), 220, 220).size == (40, 30)


def test_jpeg_exif_orientation_is_respected() -> None:
    """Orientation 6 (a phone held upright): stored 64x32, shown 32x64."""
    assert decode_picture(jpeg_bytes(64, 32, orientation=6), 200, 200).size == (32, 64)


def test_a_card_rendition_is_drafted_at_half_size_for_its_box() -> None:
    """220x290 into a 110x143 card: half size (110x145) covers the box, so the decoder draws
    a quarter of the pixels; a sideways phone picture is drafted for its upright box."""
    def draft_of(data: bytes, width: int, height: int) -> tuple[int, int]:
        with Image.open(io.BytesIO(data)) as picture:
            picture.draft("RGB", _draft_box(picture, width, height))
            return picture.size

    assert draft_of(jpeg_bytes(220, 290), 110, 143) == (110, 145)
    assert draft_of(jpeg_bytes(290, 220, orientation=6), 110, 143) == (145, 110)
    assert decode_picture(jpeg_bytes(220, 290), 110, 143).size == (108, 143)
    assert decode_picture(jpeg_bytes(290, 220, orientation=6), 110, 143).size == (108, 143)


@pytest.mark.parametrize("data", [png_bytes(300, 300), jpeg_bytes(300, 300)],
                         ids=["png", "jpeg"])
def test_a_picture_cut_short_is_refused(data: bytes) -> None:
    with pytest.raises(PictureRefused, match="damaged"):
        decode_picture(data[: len(data) // 2], 100, 100)


def test_the_qimage_owns_the_pixels_and_keeps_colour_and_transparency() -> None:
    from PIL import Image
    import io

    out = io.BytesIO()
    Image.new("RGBA", (8, 4), (255, 0, 0, 128)).save(out, "PNG")
    image = to_qimage(decode_picture(out.getvalue(), 100, 100))
    assert (image.width(), image.height()) == (8, 4)
    colour = image.pixelColor(3, 2)
    assert (colour.red(), colour.green(), colour.blue()) == (255, 0, 0)
    assert 126 <= colour.alpha() <= 130
    opaque = to_qimage(decode_picture(png_bytes(6, 6, (10, 200, 30)), 100, 100))
    colour = opaque.pixelColor(5, 5)
    assert (colour.red(), colour.green(), colour.blue(), colour.alpha()) == (10, 200, 30, 255)


@pytest.mark.parametrize("mode", ["L", "LA", "P", "1", "I;16", "RGBA", "CMYK"])
def test_every_pixel_mode_comes_out_paintable(mode: str) -> None:
    from PIL import Image
    import io

    out = io.BytesIO()
    picture = Image.new("RGB", (300, 200), (120, 60, 30)).convert(mode)
    picture.save(out, "JPEG" if mode == "CMYK" else "PNG")
    decoded = decode_picture(out.getvalue(), 150, 150)
    assert decoded.mode in ("RGB", "RGBa") and decoded.size == (150, 100)
    assert not to_qimage(decoded).isNull()


def _gif_claiming(width: int, height: int) -> bytes:
    """A small real GIF whose logical screen (what the header says) is width x height."""
    from PIL import Image
    import io
    import struct

    out = io.BytesIO()
    Image.new("P", (16, 16)).save(out, "GIF")
    data = bytearray(out.getvalue())
    data[6:10] = struct.pack("<HH", width, height)
    return bytes(data)


def _jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) claims width x height."""
    import struct

    data = bytearray(jpeg_bytes(16, 16))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.mark.parametrize("make", [_gif_claiming, _jpeg_claiming], ids=["gif", "jpeg"])
def test_every_format_is_refused_by_its_header_size(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PictureRefused, match="9000x8000 pixels"):
        decode_picture(make(9000, 8000), 100, 100)


def test_an_opaque_picture_keeps_its_padding_byte_at_0xff() -> None:
    """RGB32's contract: the byte Qt ignores must be 0xff, or the picture vanishes when drawn
    onto a transparent surface (a drag picture)."""
    from PIL import Image as PilImage
    from PySide6.QtGui import QColor, QImage, QPainter

    from app.services.picture_decoder import to_qimage

    image = to_qimage(PilImage.new("RGB", (4, 3), (10, 200, 30)))
    assert image.format() == QImage.Format.Format_RGB32
    assert all(image.constBits().tobytes()[3::4][n] == 0xFF for n in range(12))
    target = QImage(4, 3, QImage.Format.Format_ARGB32_Premultiplied)
    target.fill(0)
    painter = QPainter(target)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
    painter.drawImage(0, 0, image)
    painter.end()
    assert QColor(target.pixel(1, 1)).alpha() == 255
