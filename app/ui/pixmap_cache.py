"""A bounded LRU of decoded pictures, sized to a few screens of cards.

`QPixmapCache` is global and 10 MB by default; this one is per view, keyed by the picture's
rendition URL. CDN URLs are versioned, so a picture replaced on the store has a new URL and can
never be answered with the old pixels (an image id would be). Each entry remembers the width
of the box it was scaled for, so the view can keep showing a smaller rendition while a bigger
one loads.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Hashable

from PySide6.QtGui import QPixmap


@dataclass(frozen=True)
class CachedPicture:
    pixmap: QPixmap
    url: str
    box_width: int  # the width of the box it was scaled for, in device pixels


class PixmapCache:
    def __init__(self, capacity: int = 800) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, CachedPicture] = OrderedDict()

    def peek(self, key: Hashable) -> CachedPicture | None:
        """Like `get`, without counting as a use (for looking around)."""
        return self._entries.get(key)

    def get(self, key: Hashable) -> CachedPicture | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: Hashable, picture: CachedPicture) -> None:
        self._entries[key] = picture
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def discard(self, key: Hashable) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
