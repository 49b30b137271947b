"""Resize originals into the CDN's renditions, and keep recent results in a bounded LRU."""

from __future__ import annotations

import io
import threading
from collections import OrderedDict

from PIL import Image, ImageOps

from .imagetypes import PIL_FORMATS


def render(original: bytes, box: tuple[int, int], extension: str) -> bytes:
    """Fit inside `box` keeping the aspect ratio, never upscaling; encode as `extension`."""
    with Image.open(io.BytesIO(original)) as source:
        if source.format == "JPEG":
            source.draft("RGB", box)  # decode at a reduced scale: much faster for small boxes
        image = ImageOps.exif_transpose(source)
        image.thumbnail(box, Image.Resampling.LANCZOS)
        pil_format = PIL_FORMATS[extension]
        if pil_format == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        buffer = io.BytesIO()
        if pil_format == "JPEG":
            image.save(buffer, pil_format, quality=85)
        else:
            image.save(buffer, pil_format)
        return buffer.getvalue()


class RenditionCache:
    """Thread-safe LRU bounded by the total size of the bytes it holds."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self._max_bytes = max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            data = self._entries.get(key)
            if data is not None:
                self._entries.move_to_end(key)
            return data

    def put(self, key: str, data: bytes) -> None:
        if len(data) > self._max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._size -= len(previous)
            self._entries[key] = data
            self._size += len(data)
            while self._size > self._max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
