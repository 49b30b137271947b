"""Makes an accepted picture smaller before it is uploaded, when the merchant agreed.

Upright first (the EXIF orientation applied, so the store cannot show it sideways), then fitted
within `max_side` (the store's zoom size) and written again in its own format until it fits in
`max_bytes`: JPEG and WebP at quality 90 stepping down, PNG optimised (and smaller still if it
must). The colour profile is kept. Animations are refused, not flattened. Pure Pillow, on a
worker thread: Pillow releases the GIL while it decodes, resizes and encodes.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

from PIL import Image, ImageOps

from app.api.image_files import EXTENSIONS, MAX_IMAGE_BYTES
from app.services.upload_check import PILLOW_FORMATS, ZOOM_SIDE, Accepted
from app.services.upload_gather import FileCandidate

_JPEG_QUALITIES = (90, 85, 80, 75, 70, 60, 50)
_SHRINK_STEP = 0.8      # each further try when the lowest quality is still too large
_SMALLEST_SIDE = 256    # below this a product photo is useless: give up instead


class DownscaleRefused(Exception):
    """The picture is not made smaller; the message says why and what to do."""


def downscale(accepted: Accepted, staging_dir: Path, *, max_side: int = ZOOM_SIDE,
              max_bytes: int = MAX_IMAGE_BYTES) -> Accepted:
    """A smaller copy of `accepted`, written into `staging_dir` (which the caller owns and
    cleans), as a new `Accepted` whose candidate is that file; the upload name stays the same."""
    if accepted.frames > 1:
        raise DownscaleRefused(
            f"{accepted.shown_as}: the app does not make animations smaller. Save a smaller "
            "animation and add it again.")
    try:
        data = accepted.read_bytes()
    except OSError as exc:
        raise DownscaleRefused(
            f"{accepted.shown_as}: the file cannot be read any more ({exc.strerror}). Check "
            "that it was not moved or deleted, and add it again.") from None
    if hashlib.sha256(data).hexdigest() != accepted.sha256:
        raise DownscaleRefused(
            f"{accepted.shown_as}: the file changed after it was checked. Add it again.")
    try:
        upright, icc = _decoded(data, accepted.kind, max_side)
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - Pillow's assorted errors on a damaged file
        raise DownscaleRefused(
            f"{accepted.shown_as}: the picture could not be read to make it smaller. Open it "
            "in a picture editor, save it again and add the new file.") from None
    side = max_side
    while True:
        fitted = upright.copy()
        fitted.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=3.0)
        data = _smallest_encoding(fitted, accepted.kind, icc, max_bytes)
        if data is not None:
            break
        side = int(side * _SHRINK_STEP)
        if side < _SMALLEST_SIDE:
            raise DownscaleRefused(
                f"{accepted.shown_as}: even at {_SMALLEST_SIDE} pixels it is more than "
                f"{max_bytes // 1048576} MB. Save it as JPEG and add it again.")
    return _staged(accepted, data, fitted.size, staging_dir)


def _decoded(data: bytes, kind: str, max_side: int) -> tuple[Image.Image, bytes | None]:
    """The picture upright, in a mode to resize and write back, and its colour profile."""
    with Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[kind]]) as picture:
        if kind == "jpeg":
            # Decodes at 1/2, 1/4 or 1/8 when that still covers the box: a fraction of the work.
            picture.draft(picture.mode, (max_side, max_side))
        picture.load()
        icc = picture.info.get("icc_profile")
        upright = _upright(picture)
    return _resizable(upright, kind), icc


def _upright(picture: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(picture) or picture
    except Exception:  # noqa: BLE001 - a malformed EXIF block: keep the picture as it is
        return picture


def _resizable(picture: Image.Image, kind: str) -> Image.Image:
    """A mode Pillow resizes smoothly and the format can write back."""
    has_alpha = picture.mode in ("RGBA", "LA", "PA", "RGBa") or (
        picture.mode == "P" and "transparency" in picture.info)
    if picture.mode in ("I", "I;16", "I;16B", "I;16L"):  # 16-bit grey: scaled, not clipped
        picture = picture.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if kind == "jpeg":
        return picture if picture.mode in ("RGB", "L", "CMYK") else picture.convert("RGB")
    if picture.mode in ("RGB", "RGBA", "L", "LA"):
        return picture
    return picture.convert("RGBA" if has_alpha else "RGB")


def _smallest_encoding(picture: Image.Image, kind: str, icc: bytes | None,
                       max_bytes: int) -> bytes | None:
    """The picture written in `kind` at the best quality that fits, or None."""
    extra = {"icc_profile": icc} if icc else {}
    if kind in ("png", "gif"):
        out = io.BytesIO()
        if kind == "png":
            picture.save(out, "PNG", optimize=True, **extra)
        else:
            palette = picture.convert("RGBA").quantize(256) if picture.mode in (
                "RGBA", "LA") else picture.convert("RGB").quantize(256)
            palette.save(out, "GIF", optimize=True)
        return out.getvalue() if out.tell() <= max_bytes else None
    for quality in _JPEG_QUALITIES:
        out = io.BytesIO()
        if kind == "jpeg":
            picture.save(out, "JPEG", quality=quality, optimize=True, progressive=True, **extra)
        else:
            picture.save(out, "WEBP", quality=quality, method=4, **extra)
        if out.tell() <= max_bytes:
            return out.getvalue()
    return None


def write_staged(data: bytes, suffix: str, folder: Path, sha256: str = "") -> Path:
    """A picture made here (downscaled, pasted, recovered) as a file to upload: named by its
    content, written whole under another name first, so a crash never leaves half a picture
    to upload; a file already there with these bytes' name and size is kept."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{(sha256 or hashlib.sha256(data).hexdigest())[:32]}{suffix}"
    if target.is_file() and target.stat().st_size == len(data):
        return target
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _staged(accepted: Accepted, data: bytes, size: tuple[int, int],
            staging_dir: Path) -> Accepted:
    digest = hashlib.sha256(data).hexdigest()
    target = write_staged(data, EXTENSIONS[accepted.kind], staging_dir, digest)
    name = Path(accepted.name).stem + EXTENSIONS[accepted.kind]
    return Accepted(FileCandidate(target, name, accepted.shown_as), name, accepted.kind,
                    len(data), size[0], size[1], digest, orientation=1, frames=1)
