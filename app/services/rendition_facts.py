"""What a merchant wants to know about a picture file: its pixel size, format and weight.

Read from the rendition's own bytes (the disk cache's copy, else a download with the
credential-free CDN client) on a worker: only the header is parsed, nothing is decoded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImageReader

from app.api.cdn import ImageDownloader
from app.cache.blob_cache import BlobCache

log = logging.getLogger(__name__)

#: Qt's format names, as a merchant knows them.
FORMAT_NAMES = {"jpeg": "JPEG", "jpg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WebP"}


@dataclass(frozen=True)
class RenditionFacts:
    width: int
    height: int
    byte_size: int
    format: str | None  # None: a format the store does not serve (then it is not named)


def read_facts(data: bytes) -> RenditionFacts | None:
    """The header's facts, or None when the bytes are not a picture we can read."""
    array = QByteArray(data)
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setDecideFormatFromContent(True)
    size = reader.size()  # reads the header only
    if not size.isValid() or size.isEmpty():
        return None
    name = bytes(reader.format().data()).decode("ascii", "replace").lower()
    return RenditionFacts(size.width(), size.height(), len(data), FORMAT_NAMES.get(name))


class RenditionInspector:
    """Blocking: call `inspect` from a worker thread only."""

    def __init__(self, cache: BlobCache | None, downloader: ImageDownloader) -> None:
        self._cache = cache
        self._downloader = downloader

    def inspect(self, url: str) -> RenditionFacts | None:
        data = self._cache.get(url) if self._cache is not None else None
        if data is None:
            data = self._downloader.fetch(url)
            if self._cache is not None:
                try:
                    self._cache.put(url, data)  # the loupe will want the same file
                except OSError as exc:
                    log.warning("image cache not written (%s): %s", exc.strerror, url)
        return read_facts(data)
