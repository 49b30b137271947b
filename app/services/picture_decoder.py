"""Turns untrusted picture bytes into a small `QImage`, on a worker thread, safely.

Everything here runs on worker threads and decodes with Pillow, never Qt: in PySide6 6.11
`QImage.fromData` and `QImage.scaled` hold Python's GIL for their whole run, so a worker
decoding with them freezes the GUI thread (67 ms for a 1280x1600 PNG, 274 ms to scale it).
Pillow releases the GIL while it decodes and resizes.

The bytes come from the network, so before any pixel is decoded:
- the type is sniffed from the bytes (JPEG, PNG, GIF, WebP: what the store serves); vector and
  other formats (SVG, TIFF, BMP, ICO, HEIC...) are refused, whatever the server calls them;
- the size is read from the header and anything over `MAX_PICTURE_PIXELS` is refused;
- a JPEG is decoded at the smallest power-of-two scale that still covers the box (draft mode),
  and only the first frame of an animation is decoded;
- a picture cut short is an error (Pillow's default), never a half-grey thumbnail.
"""

from __future__ import annotations

import io
import sys
import threading
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps
from PySide6.QtGui import QImage

from app.api.image_files import sniff_image_type
from app.services.picture_limits import MAX_PICTURE_PIXELS

# Pillow imports its format plugins at the first decode. Imports made after PySide6 is loaded
# go through PySide's import hook, which reads each module's source: done in a worker while the
# grid scrolls, that held the GIL and stalled the GUI thread for 100 ms and more. Load them
# now, with this module (when a store opens), instead.
Image.preinit()

#: Formats whose full-size decode above this many pixels is serialised (one at a time), so six
#: workers meeting six 40 MP PNGs peak at ~160 MB of pixels, not ~1 GB. JPEG decodes scaled.
LARGE_DECODE_PIXELS = 4_000_000
_large_decodes = threading.BoundedSemaphore(1)

# Pillow warns above 89 MP (and refuses above 179 MP); our own, lower cap decides, so its
# warning would only be noise. Set once here: `catch_warnings` is not thread-safe.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)

# Modes Pillow resizes smoothly as they are; any other is converted first.
_RESIZABLE_MODES = frozenset({"RGB", "RGBA", "L", "LA"})
_PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}
_NAMES = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WebP"}
# Raster formats a server might send instead, named so the merchant's tooltip says what it was.
_OTHER_SIGNATURES: list[tuple[bytes, str]] = [
    (b"<svg", "SVG"), (b"<?xml", "SVG or XML"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"), (b"\x00\x00\x01\x00", "ICO"), (b"<!doctype html", "HTML"), (b"<html", "HTML"),
]


class PictureRefused(Exception):
    """Picture bytes that are not decoded; the message says why, in the merchant's words."""

    @property
    def message(self) -> str:
        return str(self)


@dataclass(frozen=True)
class PictureHeader:
    image_type: str   # "jpeg", "png", "gif" or "webp"
    width: int
    height: int


def _describe_unknown(head: bytes) -> str:
    text = head.lstrip().lower()
    for signature, name in _OTHER_SIGNATURES:
        if text.startswith(signature.lower()):
            return name
    if head[4:8] == b"ftyp":
        return "HEIC/AVIF"
    return "an unknown type"


def read_header(data: bytes) -> tuple[PictureHeader, Image.Image]:
    """The type and size of `data`, from its first bytes and header only (nothing decoded)."""
    if not data:
        raise PictureRefused("The image server sent an empty picture.")
    image_type = sniff_image_type(data[:16])
    if image_type is None:
        raise PictureRefused(
            f"The image server sent {_describe_unknown(data[:64])}, not a JPEG, PNG, GIF or "
            "WebP picture; it is not shown.")
    try:
        picture = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[image_type]])
    except Image.DecompressionBombError:
        raise _too_large(None) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise PictureRefused(f"The image server sent a damaged {_NAMES[image_type]} picture."
                             ) from None
    width, height = picture.size
    if width <= 0 or height <= 0:
        raise PictureRefused(f"The image server sent a damaged {_NAMES[image_type]} picture.")
    if width * height > MAX_PICTURE_PIXELS:
        picture.close()
        raise _too_large((width, height))
    return PictureHeader(image_type, width, height), picture


def _too_large(size: tuple[int, int] | None) -> PictureRefused:
    what = f"{size[0]}x{size[1]} pixels" if size else "too many pixels"
    return PictureRefused(
        f"The picture is {what}, more than the {MAX_PICTURE_PIXELS // 1_000_000} megapixels "
        "the app shows; it is not shown.")


def decode_picture(data: bytes, max_width: int, max_height: int) -> Image.Image:
    """Decodes `data` to fit in max_width x max_height (never upscaled), upright (EXIF), as
    an "RGBa" (premultiplied) or "RGB" Pillow image. Raises PictureRefused."""
    header, picture = read_header(data)
    with picture:
        if header.image_type == "jpeg":
            # Decode at 1/2, 1/4 or 1/8 scale when that still covers the box, as the EXIF
            # orientation will turn it (a card's 220x290 rendition: 1/2, 1.0 -> 0.37 ms).
            picture.draft("RGB", _draft_box(picture, max_width, max_height))
        drafted = picture.size[0] * picture.size[1]
        large = drafted > LARGE_DECODE_PIXELS
        if large:
            _large_decodes.acquire()
        try:
            try:
                picture.load()  # first frame only for GIF and animated WebP
            except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
                raise PictureRefused(f"The image server sent a damaged or incomplete "
                                     f"{_NAMES[header.image_type]} picture.") from None
            if header.image_type == "jpeg":
                picture = _upright(picture)
            has_alpha = picture.mode in ("RGBA", "LA", "PA") or (
                picture.mode == "P" and "transparency" in picture.info)
            if picture.mode not in _RESIZABLE_MODES:
                # Palette, 1-bit, 16-bit or CMYK: converted first to resize smoothly. This
                # holds the GIL, so only these few (mostly small) pictures pay it at full size.
                picture = picture.convert("RGBA" if has_alpha else "RGB")
            if picture.width > max_width or picture.height > max_height:
                picture.thumbnail((max(max_width, 1), max(max_height, 1)),
                                  Image.Resampling.LANCZOS, reducing_gap=3.0)
        finally:
            if large:
                _large_decodes.release()
    # At the box's size now, so these conversions are cheap.
    if has_alpha:
        return (picture if picture.mode == "RGBA" else picture.convert("RGBA")).convert("RGBa")
    return picture.convert("RGB")


#: EXIF orientations that turn a picture by 90 or 270 degrees (width and height swap).
_TURNING_ORIENTATIONS = frozenset({5, 6, 7, 8})
_ORIENTATION_TAG = 0x0112


def _draft_box(picture: Image.Image, max_width: int, max_height: int) -> tuple[int, int]:
    """The size a JPEG's draft must cover so that, once upright, it still covers the box."""
    try:
        turned = picture.getexif().get(_ORIENTATION_TAG, 1) in _TURNING_ORIENTATIONS
    except Exception:  # a broken EXIF block: `_upright` will leave the picture as it is
        turned = False
    box = (max(max_width, 1), max(max_height, 1))
    return (box[1], box[0]) if turned else box


def _upright(picture: Image.Image) -> Image.Image:
    """Applies the EXIF orientation (phones store pictures sideways); a broken EXIF block
    leaves the picture as it is rather than losing it."""
    try:
        return ImageOps.exif_transpose(picture) or picture
    except Exception:  # Pillow raises assorted errors for malformed EXIF
        return picture


def to_qimage(picture: Image.Image) -> QImage:
    """A QImage owning a copy of the pixels, in the format the raster engine paints fastest;
    cheap (one memcpy of a thumbnail-sized buffer), so it may run anywhere."""
    premultiplied = picture.mode == "RGBa"
    if not premultiplied:
        # RGB32 wants its padding byte 0xff (Pillow's "X" packers write 0): with 0 the picture
        # vanishes when drawn onto anything transparent (a drag picture, a translucent layer).
        picture = picture.convert("RGBA")
    if sys.byteorder == "little":
        # ARGB32 is stored B, G, R, A in memory on little-endian machines.
        raw = picture.tobytes("raw", "BGRa" if premultiplied else "BGRA")
        fmt = (QImage.Format.Format_ARGB32_Premultiplied if premultiplied
               else QImage.Format.Format_RGB32)
    else:
        raw = picture.tobytes("raw", "RGBa" if premultiplied else "RGBA")
        fmt = (QImage.Format.Format_RGBA8888_Premultiplied if premultiplied
               else QImage.Format.Format_RGBX8888)
    image = QImage(raw, picture.width, picture.height, picture.width * 4, fmt)
    return image.copy()  # the QImage above only borrows `raw`; the copy owns its pixels
