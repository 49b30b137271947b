"""What the store accepts as an image file, checked before anything is sent.

The type comes from the bytes, never the file name (a renamed .png is still a PNG, and a
.jpg that is really an HTML page is not an image).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.api.errors import InvalidImageFile

MAX_IMAGE_BYTES = 8 * 1024 * 1024
MIME_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}
EXTENSIONS = {"jpeg": ".jpg", "png": ".png", "gif": ".gif", "webp": ".webp"}


def sniff_image_type(head: bytes) -> str | None:
    """'jpeg', 'png', 'gif' or 'webp' from the first bytes of a file, else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


@dataclass(frozen=True)
class ImageUpload:
    file_name: str
    content: bytes
    image_type: str

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.image_type]


def read_image_upload(path: Path, max_bytes: int = MAX_IMAGE_BYTES) -> ImageUpload:
    """Reads and checks a local file; the error says which file and what to do about it."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InvalidImageFile(f"'{path.name}' cannot be read: {exc.strerror}.") from None
    if size == 0:
        raise InvalidImageFile(f"'{path.name}' is empty. Choose the picture file itself.")
    if size > max_bytes:
        raise InvalidImageFile(
            f"'{path.name}' is {size / 1048576:.1f} MB; the store takes at most "
            f"{max_bytes / 1048576:.0f} MB per image. Save it smaller (e.g. as JPEG at 2000 px).")
    try:
        content = path.read_bytes()
    except OSError as exc:  # a folder, or a file that went away or is locked
        raise InvalidImageFile(f"'{path.name}' cannot be read: {exc.strerror}.") from None
    image_type = sniff_image_type(content[:16])
    if image_type is None:
        raise InvalidImageFile(
            f"'{path.name}' is not a JPEG, PNG, GIF or WebP picture (judging by its content), "
            "which are the types the store takes. Convert it, e.g. export it as JPEG.")
    return ImageUpload(path.name, content, image_type)
