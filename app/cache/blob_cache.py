"""Image bytes on disk, keyed by URL.

CDN URLs are versioned (a replaced picture gets a new URL), so an entry never goes stale and
needs no revalidation. Files are sharded by the first two hex digits of the key's hash (as
calibre's cover cache does) and written atomically, so a crash leaves no torn file behind.

Only real folders and regular files inside the cache are read, written or trimmed: a symbolic
link in it (a shard folder pointing at the merchant's pictures, say) is never followed, so
trimming can never delete anything outside the cache.
"""

from __future__ import annotations

import hashlib
import os
import stat
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

    def _shard_is_real(self, shard: Path) -> bool:
        """False for a shard that is a symbolic link (or not a folder): never used."""
        try:
            return stat.S_ISDIR(os.lstat(shard).st_mode)
        except FileNotFoundError:
            return True  # not made yet: `put` makes a real one
        except OSError:
            return False

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        if not self._shard_is_real(path.parent) or path.is_symlink():
            return None
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
        if not self._shard_is_real(path.parent):
            raise OSError(f"cache folder {path.parent.name} is a link, not a folder; not used")
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
        entries = list(self._entries())
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size

    def _entries(self) -> list[tuple[float, int, Path]]:
        """(mtime, size, path) of each regular file in a real shard folder, links skipped."""
        found: list[tuple[float, int, Path]] = []
        try:
            with os.scandir(self.root) as top:
                shards = [e for e in top if len(e.name) == 2 and e.is_dir(follow_symlinks=False)]
        except OSError:
            return found
        for shard in shards:
            try:
                with os.scandir(shard.path) as files:
                    for entry in files:
                        if not entry.is_file(follow_symlinks=False):
                            continue
                        info = entry.stat(follow_symlinks=False)
                        found.append((info.st_mtime, info.st_size, Path(entry.path)))
            except OSError:
                continue
        return found
