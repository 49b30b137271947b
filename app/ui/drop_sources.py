"""What a drop or a paste hands over, read from its `QMimeData` as pictures to add.

A file manager gives file URLs (files and folders); a web browser gives the picture's address
in several forms (`text/uri-list`, `text/x-moz-url`, `<img src>` in `text/html`, plain text)
and sometimes the picture's bytes (`image/png`, `image/jpeg`…, or Qt's `application/x-qt-image`
within one process); a screenshot tool gives only the bytes. This module turns all of that into
one ordered list of sources for the upload check: local paths, web addresses, picture data.
Everything else is left out, and `ignored` says so in the merchant's words.

It only reads the mime data (no file is opened, nothing is decoded or fetched), so it is safe
on the GUI thread; a picture handed over as a `QImage` is carried as is and encoded to PNG by
`encode_picture` on a worker.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

from PySide6.QtCore import QMimeData, QUrl
from PySide6.QtGui import QImage

#: Picture data a drag may carry, best first (the bytes as the source had them).
PICTURE_FORMATS: tuple[tuple[str, str], ...] = (
    ("image/png", ".png"), ("image/jpeg", ".jpg"), ("image/jpg", ".jpg"),
    ("image/webp", ".webp"), ("image/gif", ".gif"), ("image/bmp", ".bmp"),
    ("image/tiff", ".tiff"), ("image/heic", ".heic"), ("image/avif", ".avif"),
)
#: Qt's in-process picture (QMimeData.setImageData).
QT_IMAGE_FORMAT = "application/x-qt-image"
#: Mime data this large is not looked at (a drag of a huge text; a picture is judged later).
MAX_TEXT_BYTES = 1024 * 1024
#: Picture data taken from one drop, at most; the upload check refuses what is too large.
MAX_PICTURE_BYTES = 100 * 1024 * 1024
#: Addresses and paths taken from one drop's text, at most.
MAX_TEXT_SOURCES = 2_000
#: `data:` URLs in a browser's `<img src>` are pictures carried inline.
_DATA_URL = re.compile(r"^data:(image/[\w.+-]+)?(;[\w=.+-]+)*;base64,", re.IGNORECASE)
_WEB_ADDRESS = re.compile(r"^https?://\S+$", re.IGNORECASE)


@dataclass(frozen=True)
class PictureData:
    """A picture without a file: its bytes (as dragged), or a `QImage` to encode on a worker."""

    name: str
    data: bytes = field(default=b"", repr=False)
    image: QImage | None = field(default=None, repr=False, compare=False)


#: A local file or folder, a web address, or picture data.
DropItem = Path | str | PictureData


@dataclass
class DropSources:
    items: list[DropItem] = field(default_factory=list)
    #: What was handed over but cannot become a picture, one merchant sentence each.
    ignored: list[str] = field(default_factory=list)

    @property
    def files(self) -> list[DropItem]:
        """Items that are uploaded as files (paths and picture data), not by address."""
        return [item for item in self.items if not isinstance(item, str)]

    @property
    def urls(self) -> list[str]:
        return [item for item in self.items if isinstance(item, str)]

    def __bool__(self) -> bool:
        return bool(self.items)


def may_hold_pictures(mime: QMimeData | None) -> bool:
    """Cheap, for a drag entering: whether `sources_from_mime` may find anything."""
    if mime is None:
        return False
    if mime.hasUrls() or mime.hasImage() or mime.hasFormat(QT_IMAGE_FORMAT):
        return True
    formats = set(mime.formats())
    if any(fmt in formats for fmt, _ in PICTURE_FORMATS) or "text/x-moz-url" in formats:
        return True
    if mime.hasHtml() and "<img" in mime.html()[:MAX_TEXT_BYTES].lower():
        return True
    return mime.hasText() and any(_WEB_ADDRESS.match(line.strip())
                                  for line in mime.text()[:MAX_TEXT_BYTES].splitlines()[:50])


def sources_from_mime(mime: QMimeData | None) -> DropSources:
    """The pictures in a drop or paste, in the order given.

    Files and folders come from the file URLs. From a browser, the `<img src>` of its HTML is
    the picture itself (the plain URL may be the link around it), then the addresses in
    `text/uri-list`, `text/x-moz-url` or the text. Picture data is taken only when no address
    came with it: the store fetches the original from the address, while the data is a copy
    (a browser's may be re-encoded, or a Qt image re-encoded here)."""
    found = DropSources()
    if mime is None:
        return found
    seen: set[str] = set()

    def add_url(url: str) -> None:
        if url not in seen and len(found.items) < MAX_TEXT_SOURCES:
            seen.add(url)
            found.items.append(url)

    other_schemes: list[str] = []
    listed: list[DropItem] = []    # what the URL list holds, in its order
    for url in mime.urls():
        scheme = url.scheme().lower()
        if url.isLocalFile():
            if url.toLocalFile():
                listed.append(Path(url.toLocalFile()))
        elif scheme in ("http", "https"):
            listed.append(url.toString(QUrl.ComponentFormattingOption.FullyEncoded))
        elif scheme == "data":
            picture = _data_url_picture(url.toString(QUrl.ComponentFormattingOption.FullyEncoded))
            if picture is not None:
                listed.append(picture)
        elif not url.isEmpty():
            other_schemes.append(scheme)
    web = [item for item in listed if isinstance(item, str)]

    if any(isinstance(item, Path) for item in listed):
        # A file manager's drop: its files and folders (and anything listed beside them).
        for item in listed:
            if isinstance(item, PictureData):
                found.items.append(item)
            elif str(item) not in seen:
                seen.add(str(item))
                found.items.append(item)
    else:
        for src in _img_sources(mime):
            if _DATA_URL.match(src):
                picture = _data_url_picture(src)
                if picture is not None:
                    found.items.append(picture)
            else:
                add_url(src)
        for item in listed:
            if isinstance(item, PictureData) and not found.items:
                found.items.append(item)
        if not found.items:
            for url in web + _moz_urls(mime):
                add_url(url)
        if not found.items and mime.hasText():
            _add_text(found, mime, add_url, seen)
        if not found.items:
            picture = _picture_data(mime)
            if picture is not None:
                found.items.append(picture)

    if other_schemes:
        names = ", ".join(sorted({f"{scheme}:" for scheme in other_schemes}))
        found.ignored.append(f"Addresses starting with {names} cannot be added: only files, "
                             "folders and web addresses (http or https) of pictures can.")
    if not found.items and not found.ignored and mime.formats():
        found.ignored.append("What was dropped holds no picture, file or web address, so "
                             "nothing was added.")
    return found


def _add_text(found: DropSources, mime: QMimeData, add_url: Callable[[str], None],
              seen: set[str]) -> None:
    """Addresses and file URLs written as text, one a line (a copied address)."""
    lines = [line.strip() for line in mime.text()[:MAX_TEXT_BYTES].splitlines() if line.strip()]
    taken = False
    for line in lines[:MAX_TEXT_SOURCES]:
        if _WEB_ADDRESS.match(line):
            add_url(line)
            taken = True
        elif line.lower().startswith("file://"):
            path = QUrl(line).toLocalFile()
            if path and path not in seen:
                seen.add(path)
                found.items.append(Path(path))
            taken = True
    # (A URL list also sets the text: its addresses are judged above, not as words.)
    if lines and not taken and not mime.hasUrls() and not _has_picture_data(mime):
        found.ignored.append("The dropped text is not a picture or a picture's web address, "
                             "so it was left out.")


def _has_picture_data(mime: QMimeData) -> bool:
    formats = set(mime.formats())
    return mime.hasImage() or any(fmt in formats for fmt, _ in PICTURE_FORMATS)


def _picture_data(mime: QMimeData) -> PictureData | None:
    formats = set(mime.formats())
    for fmt, suffix in PICTURE_FORMATS:
        if fmt in formats:
            data = mime.data(fmt)
            if 0 < data.size() <= MAX_PICTURE_BYTES:
                return PictureData(f"dropped image{suffix}", bytes(data.data()))
    if mime.hasImage():
        image = mime.imageData()
        if isinstance(image, QImage) and not image.isNull():
            # An implicitly shared copy: encoding it happens on a worker (encode_picture).
            return PictureData("pasted image.png", image=QImage(image))
    return None


def _data_url_picture(url: str) -> PictureData | None:
    """A `data:image/png;base64,…` address as picture data (what an inline <img> holds)."""
    import base64
    import binascii

    match = _DATA_URL.match(url)
    if match is None or len(url) > MAX_PICTURE_BYTES * 4 // 3 + 100:
        return None
    kind = (match.group(1) or "image/png").lower()
    suffix = dict(PICTURE_FORMATS).get(kind, ".png")
    try:
        data = base64.b64decode(unquote(url[match.end():]), validate=False)
    except (binascii.Error, ValueError):
        return None
    return PictureData(f"dropped image{suffix}", data) if data else None


def _moz_urls(mime: QMimeData) -> list[str]:
    """Firefox's `text/x-moz-url`: UTF-16 lines, address then title, repeated."""
    if not mime.hasFormat("text/x-moz-url"):
        return []
    raw = bytes(mime.data("text/x-moz-url").data()[:MAX_TEXT_BYTES])
    text = raw.decode("utf-16", errors="replace") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") \
        or b"\x00" in raw[:4] else raw.decode("utf-8", errors="replace")
    lines = [line.strip().strip("\x00") for line in text.splitlines()]
    return [line for line in lines[::2] if _WEB_ADDRESS.match(line)]


class _ImgSources(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.lower() == "img":
            for name, value in attrs:
                if name.lower() == "src" and value:
                    self.sources.append(value.strip())


def _img_sources(mime: QMimeData) -> list[str]:
    """The `src` of every `<img>` in the drag's HTML, in order (absolute ones only: a relative
    address means nothing without the page)."""
    if not mime.hasHtml():
        return []
    parser = _ImgSources()
    try:
        parser.feed(mime.html()[:MAX_TEXT_BYTES])
        parser.close()
    except (ValueError, AssertionError):  # malformed markup from another program
        pass
    return [src for src in parser.sources[:MAX_TEXT_SOURCES]
            if _WEB_ADDRESS.match(src) or _DATA_URL.match(src)]


def encode_picture(picture: PictureData) -> bytes:
    """The picture's bytes; a `QImage` is encoded as PNG by Pillow (worker thread only: Pillow
    releases the GIL while it encodes, Qt's own encoder would not)."""
    if picture.image is None:
        return picture.data
    import io

    from PIL import Image

    image = picture.image.convertToFormat(QImage.Format.Format_RGBA8888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    pixels = bytes(image.constBits())
    frame = Image.frombuffer("RGBA", (width, height), pixels, "raw", "RGBA", stride, 1)
    out = io.BytesIO()
    frame.save(out, "PNG", compress_level=6)
    return out.getvalue()
