"""Image bytes on disk, keyed by URL.

CDN URLs are versioned (a replaced picture gets a new URL), so an entry never goes stale and
needs no revalidation. Files are sharded by the first two hex digits of the key's hash (as
calibre's cover cache does) and written atomically, so a crash leaves no torn file behind.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from pathlib import Path


class BlobCache:
    def __init__(self, root: Path, max_bytes: int = 512 * 1024 * 1024) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._bytes_since_trim = 0

    def _path(self, key: str) -> Path:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self.root / digest[:2] / digest[2:]

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError:
            return None  # an unreadable entry is a miss, not an error: it is fetched again
        try:
            os.utime(path)  # recency for trimming
        except OSError:
            pass
        return data

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        with self._lock:
            self._bytes_since_trim += len(data)
            due = self._bytes_since_trim > self.max_bytes // 10
            if due:
                self._bytes_since_trim = 0
        if due:
            self.trim()

    def trim(self) -> None:
        """Deletes the least recently used files until the cache is under `max_bytes`."""
        entries = []
        for path in self.root.glob("??/*"):
            try:
                stat = path.stat()
            except OSError:
                continue
            entries.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
