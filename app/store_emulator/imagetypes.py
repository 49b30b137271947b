"""Recognise an image by its bytes, never by its name: jpeg, png, gif and webp only."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

# The safe set from the reference; BMP and friends are contested, so they are refused.
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}
PIL_FORMATS = {ext: fmt for fmt, ext in EXTENSIONS.items()}


@dataclass(frozen=True)
class ImageInfo:
    extension: str  # "jpg", "png", "gif" or "webp"
    width: int
    height: int


def _magic_format(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def sniff_image(data: bytes) -> ImageInfo | None:
    """The image's type and size, or None when the bytes are not a usable supported image."""
    expected = _magic_format(data)
    if expected is None:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != expected:
                return None
            width, height = image.size
            image.verify()  # checksums (PNG); a no-op for some formats, hence the decode below
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (max(1, width // 8), max(1, height // 8)))  # JPEG: cheap decode
            image.load()  # truncated files fail here, not at open()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return ImageInfo(EXTENSIONS[expected], width, height)
