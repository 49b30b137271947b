"""The app's settings (Edit ▸ Settings…), kept in an ini file through QSettings.

First of them: the picture cache's size cap. The file sits in the config folder beside
window.ini (`for_window_state`), so the portable build keeps it in its own folder and a test
window keeps it in its temporary folder. `load` and `save` touch the disk: call them on a
worker (each call uses its own QSettings object, so any thread will do); the values in memory
may be read from any thread. Until `load` has run, the defaults hold.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QSettings

from app.cache.blob_cache import DEFAULT_MAX_BYTES
from app.services.sizes import GB

CACHE_MAX_BYTES = "cache/max_bytes"     # int: the picture cache's cap, in bytes
#: What the cap may be set to: below a few hundred MB the grid's own pictures would be evicted
#: while they are on screen; above 1 TB is surely a typing slip.
MIN_CACHE_BYTES = GB // 4
MAX_CACHE_BYTES = 1024 * GB
SETTINGS_FILE = "settings.ini"


def clamp_cache_bytes(value: int) -> int:
    return max(MIN_CACHE_BYTES, min(MAX_CACHE_BYTES, int(value)))


class AppSettings:
    def __init__(self, path: Path | None) -> None:
        """`path`: the ini file; None keeps the settings in memory only (a window without a
        config folder, e.g. a screenshot run)."""
        self.path = path
        self._lock = threading.Lock()
        self._cache_max_bytes = DEFAULT_MAX_BYTES

    @classmethod
    def beside(cls, sibling: Path | None) -> AppSettings:
        """The settings of a window whose other config file is `sibling` (window.ini)."""
        return cls(sibling.parent / SETTINGS_FILE if sibling is not None else None)

    def _settings(self) -> QSettings | None:
        if self.path is None:
            return None
        return QSettings(str(self.path), QSettings.Format.IniFormat)

    @property
    def cache_max_bytes(self) -> int:
        with self._lock:
            return self._cache_max_bytes

    @cache_max_bytes.setter
    def cache_max_bytes(self, value: int) -> None:
        """As given (the dialog keeps to the range; a test may want a few KB)."""
        with self._lock:
            self._cache_max_bytes = max(1, int(value))

    def load(self) -> AppSettings:
        """Reads the file (a worker's job). A value that is missing or not a number keeps the
        default; one out of range is brought into it."""
        settings = self._settings()
        if settings is not None:
            raw = settings.value(CACHE_MAX_BYTES, None)
            try:
                value = int(str(raw)) if raw is not None else DEFAULT_MAX_BYTES
            except ValueError:
                value = DEFAULT_MAX_BYTES
            self.cache_max_bytes = clamp_cache_bytes(value)
        return self

    def save(self) -> None:
        """Writes the values in memory (a worker's job). Raises OSError when the file cannot
        be written, so the caller can say so."""
        settings = self._settings()
        if settings is None:
            return
        settings.setValue(CACHE_MAX_BYTES, self.cache_max_bytes)
        settings.sync()
        if settings.status() != QSettings.Status.NoError:
            raise OSError(f"the settings could not be written to {self.path}")
