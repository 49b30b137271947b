"""A bounded LRU of decoded pictures, bounded in bytes, sized to a few screens of cards.

`QPixmapCache` is global and 10 MB by default; this one is per view, keyed by the picture's
rendition URL. CDN URLs are versioned, so a picture replaced on the store has a new URL and can
never be answered with the old pixels (an image id would be). Each entry remembers the width
of the box it was scaled for, so the view can keep showing a smaller rendition while a bigger
one loads.

The bound is in bytes (width x height x 4), not entries: 800 pictures of 386 px are ~600 MB,
800 of 110 px ~40 MB. When the card size changes, pictures of other sizes go before any of
the size now asked for (the newest entry's), least recently used first, so the screen being
filled never evicts its own pictures for ones it has stopped showing.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from itertools import count
from typing import Hashable

from PySide6.QtGui import QPixmap

DEFAULT_MAX_BYTES = 96 * 1024 * 1024


@dataclass(frozen=True)
class CachedPicture:
    pixmap: QPixmap
    url: str
    box_width: int  # the width of the box it was scaled for, in device pixels

    @property
    def cost(self) -> int:
        """Bytes of pixels it holds (32 bits each)."""
        return self.pixmap.width() * self.pixmap.height() * 4


class PixmapCache:
    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.bytes_used = 0
        #: How many pictures were dropped to stay within max_bytes (for tests and benchmarks).
        self.evictions = 0
        # Per box width, key -> (last use, picture) in use order, least recent first.
        self._by_width: dict[int, OrderedDict[Hashable, tuple[int, CachedPicture]]] = {}
        self._width_of: dict[Hashable, int] = {}
        self._clock = count()
        self._current_width = 0  # the box width most recently put: the size on screen

    def peek(self, key: Hashable) -> CachedPicture | None:
        """Like `get`, without counting as a use (for looking around)."""
        width = self._width_of.get(key)
        return None if width is None else self._by_width[width][key][1]

    def get(self, key: Hashable) -> CachedPicture | None:
        width = self._width_of.get(key)
        if width is None:
            return None
        group = self._by_width[width]
        picture = group[key][1]
        group[key] = (next(self._clock), picture)
        group.move_to_end(key)
        return picture

    def put(self, key: Hashable, picture: CachedPicture) -> None:
        self.discard(key)
        self._current_width = picture.box_width
        self._by_width.setdefault(picture.box_width, OrderedDict())[key] = (
            next(self._clock), picture)
        self._width_of[key] = picture.box_width
        self.bytes_used += picture.cost
        while self.bytes_used > self.max_bytes and len(self._width_of) > 1:
            self._evict_one()

    def _evict_one(self) -> None:
        """The least recently used picture of another size, or of this size if none."""
        others = [(next(iter(group.values()))[0], width)
                  for width, group in self._by_width.items()
                  if width != self._current_width and group]
        width = min(others)[1] if others else self._current_width
        key = next(iter(self._by_width[width]))
        self.discard(key)
        self.evictions += 1

    def discard(self, key: Hashable) -> None:
        width = self._width_of.pop(key, None)
        if width is None:
            return
        group = self._by_width[width]
        self.bytes_used -= group.pop(key)[1].cost
        if not group:
            del self._by_width[width]

    def clear(self) -> None:
        self._by_width.clear()
        self._width_of.clear()
        self.bytes_used = 0

    def __len__(self) -> int:
        return len(self._width_of)
