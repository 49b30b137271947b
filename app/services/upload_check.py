"""Checks pictures before an upload is queued (issue 9 §2), on a worker thread, without Qt.

Each file is judged by its bytes, never its name: the type is sniffed (JPEG, PNG, GIF or WebP,
the formats the store surely takes), the size must be at most 8 MB, the width and height are
read from the header and a picture over `MAX_PICTURE_PIXELS` is refused *before* any pixel is
decoded, and then it must be readable (PNG chunk checksums, a JPEG decoded at 1/8 scale, the
first frame of a GIF or WebP). The EXIF orientation is noted. A refusal names the file, says
why and what to do, in the merchant's words.

A picture over 8 MB that is otherwise fine, or one larger than the store's zoom size
(1280x1280), is accepted with `can_downscale` set (over 8 MB also `needs_downscale`: it cannot
be sent as it is), so the UI can ask one question per batch and call `upload_downscale`.

An accepted picture also carries a small `preview` (upright, at most `PREVIEW_SIDE` a side),
made from the pixels the check decoded anyway (a JPEG at a reduced scale, the first frame of
a GIF or WebP; a PNG, whose check decodes nothing, only up to `PNG_PREVIEW_PIXELS`), so its
card can show the merchant's picture at once without the file being decoded again.
"""

from __future__ import annotations

import hashlib
import io
import threading
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from app.api.image_files import EXTENSIONS, MAX_IMAGE_BYTES, sniff_image_type
from app.api.upload_search import name_key, same_name, stored_name_key
from app.services.picture_limits import MAX_PICTURE_PIXELS
from app.services.upload_gather import (
    DataCandidate,
    FileCandidate,
    Gathered,
    Source,
    UrlCandidate,
    gather,
)

#: The store's zoom rendition (reference: zoom 1280x1280; "provide an image smaller than
#: 1280x1280; otherwise, the API returns a resized image").
ZOOM_SIDE = 1280
#: The largest file read to be made smaller; beyond it the merchant saves a smaller copy.
MAX_DOWNSCALE_SOURCE_BYTES = 100 * 1024 * 1024
#: The store's GIF limits (reference: "GIFs: at most 150 frames and 5120x5120").
MAX_GIF_FRAMES = 150
MAX_GIF_SIDE = 5120

#: An upload card's preview, at most this many pixels a side (cards are 44 to 386 wide).
PREVIEW_SIDE = 256
#: A PNG is decoded for its preview only up to this size (its check only verifies chunks).
PNG_PREVIEW_PIXELS = 6_000_000

PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}
KIND_NAMES = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WebP"}
_ORIENTATION_TAG = 0x0112

# Our own cap decides (lower than Pillow's); its warning would only be noise. Pillow's own
# error above 2x its limit is still caught below. Same filter as picture_decoder sets.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)

# Formats the store does not take, recognised so the merchant hears what the file is.
_OTHER_SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"II*\x00", "TIFF", "JPEG"), (b"MM\x00*", "TIFF", "JPEG"), (b"BM", "BMP", "PNG"),
    (b"%PDF", "PDF", "JPEG"), (b"8BPS", "Photoshop (PSD)", "JPEG"),
    (b"\x00\x00\x01\x00", "ICO", "PNG"), (b"<svg", "SVG", "PNG"), (b"<?xml", "SVG", "PNG"),
]
_HEIF_BRANDS = {b"heic": "HEIC", b"heix": "HEIC", b"hevc": "HEIC", b"heim": "HEIC",
                b"heis": "HEIC", b"mif1": "HEIF", b"msf1": "HEIF", b"avif": "AVIF",
                b"avis": "AVIF"}


@dataclass(frozen=True)
class Accepted:
    """A picture the store will take (perhaps after `downscale`, see the flags)."""
    candidate: FileCandidate | DataCandidate
    name: str              # the file name to upload under
    kind: str              # "jpeg", "png", "gif" or "webp", from the bytes
    size: int              # bytes
    width: int             # as shown: after the EXIF orientation
    height: int
    sha256: str            # of the bytes checked; the queue can compare before it copies
    orientation: int = 1   # the EXIF orientation tag, 1 = upright (2-8: flipped/rotated)
    frames: int = 1
    #: Over 8 MB: cannot be sent as it is, only made smaller first.
    needs_downscale: bool = False
    #: Over 8 MB or larger than the zoom size, and a still picture: `downscale` can shrink it.
    can_downscale: bool = False
    #: A small upright copy for the card (JPEG, or PNG when it has transparency), or None.
    preview: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def oriented(self) -> bool:
        """The file is stored sideways or flipped and shown upright through its EXIF tag."""
        return self.orientation != 1

    @property
    def path(self) -> Path | None:
        return self.candidate.path if isinstance(self.candidate, FileCandidate) else None

    @property
    def data(self) -> bytes | None:
        return self.candidate.data if isinstance(self.candidate, DataCandidate) else None

    @property
    def shown_as(self) -> str:
        return self.candidate.shown_as

    @property
    def downscale_note(self) -> str | None:
        """Why this picture could be made smaller, for its line in the batch's list."""
        if self.needs_downscale:
            return (f"{self.shown_as}: {_megabytes(self.size)} is more than the store's "
                    f"{MAX_IMAGE_BYTES // 1048576} MB limit. It can be made smaller for you.")
        if self.can_downscale:
            return (f"{self.shown_as}: {self.width}x{self.height} pixels is larger than the "
                    f"{ZOOM_SIDE}x{ZOOM_SIDE} the store shows. It can be made smaller for you.")
        return None

    def read_bytes(self) -> bytes:
        """The picture's bytes (read again for a file: the queue copies them to its journal)."""
        if isinstance(self.candidate, DataCandidate):
            return self.candidate.data
        return self.candidate.path.read_bytes()


@dataclass(frozen=True)
class Rejected:
    name: str              # how the merchant knows the file (its path below a dropped folder)
    reason: str            # what is wrong, in plain words
    fix: str               # what to do about it

    @property
    def message(self) -> str:
        return f"{self.name}: {self.reason} {self.fix}"


@dataclass(frozen=True)
class UploadWarning:
    """Something to point out that does not stop the upload."""
    name: str
    kind: str              # "duplicate" (same bytes in this batch) or "name_clash" (on product)
    message: str
    other: str             # the other file in the batch, or the product's image_file


@dataclass
class BatchReport:
    accepted: list[Accepted] = field(default_factory=list)
    urls: list[UrlCandidate] = field(default_factory=list)  # valid addresses; the store fetches
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[UploadWarning] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)          # about the batch, not one file
    cancelled: bool = False
    checked: int = 0       # candidates judged (fewer than gathered when cancelled)
    total: int = 0         # candidates gathered

    @property
    def needs_downscale(self) -> int:
        """Pictures that can only be sent after `downscale` (over 8 MB)."""
        return sum(1 for item in self.accepted if item.needs_downscale)

    @property
    def can_downscale(self) -> int:
        return sum(1 for item in self.accepted if item.can_downscale)

    def split(self, make_smaller: bool) -> tuple[list[Accepted], list[Accepted],
                                                  list[Accepted]]:
        """Once the merchant answered `downscale_question`: (send as they are, `downscale`
        first, left out). Declined, pictures over 8 MB are left out and larger ones sent."""
        as_they_are = [a for a in self.accepted if not (a.can_downscale and make_smaller)
                       and not a.needs_downscale]
        smaller = [a for a in self.accepted if a.can_downscale and make_smaller]
        left_out = [a for a in self.accepted if a.needs_downscale and not make_smaller]
        return as_they_are, smaller, left_out

    def downscale_question(self) -> str | None:
        """The one question to ask for this batch, or None when nothing can be made smaller."""
        over = self.needs_downscale
        larger = self.can_downscale - over
        if not over and not larger:
            return None
        parts = []
        if over:
            parts.append(f"{_count(over, 'picture is', 'pictures are')} over the store's "
                         f"{MAX_IMAGE_BYTES // 1048576} MB limit")
        if larger:
            parts.append(f"{_count(larger, 'picture is', 'pictures are')} larger than the "
                         f"{ZOOM_SIDE}x{ZOOM_SIDE} pixels the store shows")
        question = " and ".join(parts) + (
            f". Make {'it' if self.can_downscale == 1 else 'them'} smaller before adding "
            f"(at most {ZOOM_SIDE} pixels a side)?")
        if over:
            question += (" Without that, the pictures over "
                         f"{MAX_IMAGE_BYTES // 1048576} MB are left out.")
        return question[0].upper() + question[1:]


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


class _Refused(Exception):
    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(reason)
        self.reason, self.fix = reason, fix


def _megabytes(size: int) -> str:
    return f"{size / 1048576:.1f} MB"


def _describe_other(head: bytes, name: str) -> tuple[str, str]:
    """(reason, fix) for bytes that are not JPEG, PNG, GIF or WebP."""
    if head[4:8] == b"ftyp":
        what = _HEIF_BRANDS.get(head[8:12])
        if what is not None:
            return (f"{what} pictures are not accepted by the store.",
                    "Save it as JPEG and add it again.")
    stripped = head.lstrip().lower()
    for signature, what, better in _OTHER_SIGNATURES:
        if stripped.startswith(signature.lower()):
            return (f"{what} pictures are not accepted by the store.",
                    f"Save it as {better} and add it again.")
    if stripped.startswith((b"<!doctype html", b"<html")):
        return ("This is a web page, not a picture.",
                "Open it in the browser and save the picture itself.")
    suffix = Path(name).suffix
    named = f", although its name ends in {suffix}" if suffix else ""
    return (f"This file is not a picture the store accepts (JPEG, PNG, GIF or WebP){named}.",
            "Choose the picture file itself, or export it as JPEG.")


def _read(candidate: FileCandidate | DataCandidate) -> bytes:
    if isinstance(candidate, DataCandidate):
        data = candidate.data
        if len(data) > MAX_DOWNSCALE_SOURCE_BYTES:
            raise _too_big_to_shrink(len(data))
        return data
    try:
        size = candidate.path.stat().st_size
        if size > MAX_DOWNSCALE_SOURCE_BYTES:
            raise _too_big_to_shrink(size)
        with candidate.path.open("rb") as file:
            return file.read(MAX_DOWNSCALE_SOURCE_BYTES + 1)
    except OSError as exc:
        raise _Refused(f"The file cannot be read ({exc.strerror or 'it went away'}).",
                       "Check that it was not moved, deleted or locked, and add it again."
                       ) from None


def _too_big_to_shrink(size: int) -> _Refused:
    return _Refused(
        f"{_megabytes(size)} is far more than the store's {MAX_IMAGE_BYTES // 1048576} MB "
        "limit, too much for the app to make it smaller.",
        "Save a smaller copy (e.g. as JPEG at 2000 pixels) and add that.")


def check_candidate(candidate: FileCandidate | DataCandidate, *,
                    max_pixels: int = MAX_PICTURE_PIXELS) -> Accepted | Rejected:
    """Judges one file or one piece of picture data; never raises for a bad picture."""
    try:
        return _check(candidate, _read(candidate), max_pixels)
    except _Refused as refused:
        return Rejected(candidate.shown_as, refused.reason, refused.fix)
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - Pillow's parsers raise IndexError, struct.error...
        # ...on hostile bytes; one such file must not end the batch.
        return Rejected(candidate.shown_as, "This file is damaged: it cannot be read as a "
                        "picture.", "Open it in a picture editor, save it again and add the "
                        "new file.")


def _check(candidate: FileCandidate | DataCandidate, data: bytes, max_pixels: int) -> Accepted:
    if not data:
        raise _Refused("The file is empty.", "Choose the picture file itself.")
    kind = sniff_image_type(data[:16])
    if kind is None:
        raise _Refused(*_describe_other(data[:64], candidate.name))
    named = KIND_NAMES[kind]
    damaged = _Refused(f"This {named} picture is damaged or incomplete.",
                       "Open it in a picture editor, save it again and add the new file.")
    # The header only: Image.open reads the size and decodes no pixel.
    try:
        picture = Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[kind]])
    except Image.DecompressionBombError:
        raise _too_many_pixels(None, max_pixels) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise damaged from None
    with picture:
        width, height = picture.size
        if width <= 0 or height <= 0:
            raise damaged
        if width * height > max_pixels:
            raise _too_many_pixels((width, height), max_pixels)
        frames = _frames(picture, damaged)
        if kind == "gif" and (frames > MAX_GIF_FRAMES or max(width, height) > MAX_GIF_SIDE):
            raise _Refused(
                f"This GIF has {frames} frames of {width}x{height} pixels; the store takes at "
                f"most {MAX_GIF_FRAMES} frames of {MAX_GIF_SIDE}x{MAX_GIF_SIDE}.",
                "Save a shorter or smaller animation and add it again.")
        orientation = _orientation(picture) if kind in ("jpeg", "png", "webp") else 1
        _prove_readable(picture, kind, data, damaged)
        preview = _preview(picture, kind, orientation)
    if orientation in (5, 6, 7, 8):  # a quarter turn: shown with width and height swapped
        width, height = height, width
    size = len(data)
    still = frames == 1
    over = size > MAX_IMAGE_BYTES
    if over and not still:
        raise _Refused(
            f"{_megabytes(size)} is more than the store's {MAX_IMAGE_BYTES // 1048576} MB "
            "limit, and the app does not make animations smaller.",
            "Save a shorter or smaller animation and add it again.")
    larger = width > ZOOM_SIDE or height > ZOOM_SIDE
    name = candidate.name if Path(candidate.name).suffix else candidate.name + EXTENSIONS[kind]
    return Accepted(candidate, name, kind, size, width, height,
                    hashlib.sha256(data).hexdigest(), orientation, frames,
                    needs_downscale=over, can_downscale=still and (over or larger),
                    preview=preview)


def _too_many_pixels(size: tuple[int, int] | None, max_pixels: int) -> _Refused:
    what = f"{size[0]}x{size[1]} pixels" if size else "far too many pixels"
    return _Refused(
        f"This picture is {what}, more than the {max_pixels // 1_000_000} megapixels a "
        "product photo needs (it may be a damaged or booby-trapped file).",
        f"Save it at most {ZOOM_SIDE * 2} pixels wide as JPEG and add it again.")


def _frames(picture: Image.Image, damaged: _Refused) -> int:
    try:
        # Counting GIF/WebP frames walks their headers; no frame beyond the first is decoded.
        count = int(getattr(picture, "n_frames", 1))
        picture.seek(0)
    except (OSError, ValueError, SyntaxError, EOFError):
        raise damaged from None
    return count


def _orientation(picture: Image.Image) -> int:
    try:
        value = picture.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # noqa: BLE001 - Pillow raises assorted errors for malformed EXIF
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _prove_readable(picture: Image.Image, kind: str, data: bytes, damaged: _Refused) -> None:
    """Raises `damaged` unless the picture reads to its end. Bounded: a JPEG is decoded at
    1/8 scale, a PNG's chunks are checked (checksums, to the end) without decoding, a GIF's
    or WebP's first frame is decoded (at most `MAX_PICTURE_PIXELS`)."""
    try:
        if kind == "png":
            with Image.open(io.BytesIO(data), formats=["PNG"]) as fresh:
                fresh.verify()  # must come straight after open; the header was read already
        else:
            if kind == "jpeg":
                # At most 1/8 scale, but no smaller than the preview needs.
                side = max(picture.width, picture.height)
                share = min(1.0, max(1 / 8, PREVIEW_SIDE / side))
                picture.draft("RGB", (max(1, int(picture.width * share)),
                                      max(1, int(picture.height * share))))
            picture.load()  # a cut-short file is an error (Pillow's default)
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
        raise damaged from None


#: EXIF orientation -> the turns that make the picture upright (as ImageOps.exif_transpose).
_UPRIGHT = {2: (Image.Transpose.FLIP_LEFT_RIGHT,), 3: (Image.Transpose.ROTATE_180,),
            4: (Image.Transpose.FLIP_TOP_BOTTOM,), 5: (Image.Transpose.TRANSPOSE,),
            6: (Image.Transpose.ROTATE_270,), 7: (Image.Transpose.TRANSVERSE,),
            8: (Image.Transpose.ROTATE_90,)}


def _preview(picture: Image.Image, kind: str, orientation: int) -> bytes | None:
    """The card's preview from the pixels the check decoded; None when none can be had
    cheaply (a large PNG) or at all. Never refuses a picture."""
    try:
        if kind == "png":
            if picture.width * picture.height > PNG_PREVIEW_PIXELS:
                return None
            picture.load()
        transparent = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
        small = picture.convert("RGBA" if transparent else "RGB")
        small.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
        for turn in _UPRIGHT.get(orientation, ()):
            small = small.transpose(turn)
        out = io.BytesIO()
        if transparent:
            small.save(out, "PNG", compress_level=1)
        else:
            small.save(out, "JPEG", quality=80)
        return out.getvalue()
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - the picture passed its check; a preview is a nicety
        return None


def name_clashes(name: str, existing_image_files: Iterable[str]) -> str | None:
    """The product's `image_file` whose name matches `name` as the store files names
    ("Red Mug.JPG" matches "r/123/red-mug__45678.jpg"), or None."""
    wanted = name_key(name)
    if not wanted:
        return None
    for image_file in existing_image_files:
        if same_name(stored_name_key(image_file), wanted):
            return image_file
    return None


Progress = Callable[[int, int], None]


def check_batch(sources: Iterable[Source] | Gathered, existing_image_files: Iterable[str] = (),
                *, cancel: threading.Event | None = None,
                progress: Progress | None = None) -> BatchReport:
    """Gathers `sources` (or takes a `gather` result) and judges every candidate, in order.

    `existing_image_files`: the product's `image_file` values, for the name-clash warning.
    `progress(done, total)` is called after each candidate (on this, the worker thread);
    `cancel` is looked at between candidates: the report then holds what was judged so far,
    with `cancelled` set.
    """
    gathered = sources if isinstance(sources, Gathered) else gather(sources, cancel=cancel)
    existing = list(existing_image_files)
    report = BatchReport(notes=list(gathered.notes), total=len(gathered.candidates),
                         cancelled=gathered.cancelled)
    report.rejected.extend(Rejected(r.shown_as, r.reason, r.fix) for r in gathered.refused)
    first_by_hash: dict[str, str] = {}
    first_by_url: dict[str, str] = {}
    for done, candidate in enumerate(gathered.candidates, start=1):
        if cancel is not None and cancel.is_set():
            report.cancelled = True
            break
        if isinstance(candidate, UrlCandidate):
            report.urls.append(candidate)
            _note_duplicate(report, first_by_url, candidate.url, candidate.shown_as,
                            "the same web address as")
            usable = True
        else:
            judged = check_candidate(candidate)
            usable = isinstance(judged, Accepted)
            if isinstance(judged, Accepted):
                report.accepted.append(judged)
                _note_duplicate(report, first_by_hash, judged.sha256, judged.shown_as,
                                "the same picture, byte for byte, as")
            else:
                report.rejected.append(judged)
        clash = name_clashes(candidate.name, existing) if usable and existing else None
        if clash is not None:
            report.warnings.append(UploadWarning(
                candidate.shown_as, "name_clash",
                f"{candidate.shown_as}: the product already has a picture with this name "
                f"({clash}). Both will be kept; delete one afterwards if it is the same.",
                clash))
        report.checked = done
        if progress is not None:
            progress(done, report.total)
    return report


def _note_duplicate(report: BatchReport, first: dict[str, str], key: str, name: str,
                    same: str) -> None:
    earlier = first.get(key)
    if earlier is None:
        first[key] = name
        return
    report.warnings.append(UploadWarning(
        name, "duplicate", f"{name} is {same} {earlier}; it would be added twice.", earlier))
