"""Image bytes on disk, keyed by URL, within a size cap, least recently used first out.

CDN URLs are versioned (a replaced picture gets a new URL), so an entry never goes stale and
needs no revalidation. Files are sharded by the first two hex digits of the key's hash (as
calibre's cover cache does) and written atomically, so a crash leaves no torn file behind.

Size cap and eviction: `max_bytes` bounds the whole cache (the caller passes it; Settings
changes it). Every tenth of it written, `trim` deletes the least recently USED files until
the cache fits. Recency is the file's mtime: `put` sets it, and `get` moves it to "now" when
it is older than `RECENCY_RESOLUTION_S` (an hour). So a picture read every day stays while a
never-read one goes first, at the cost of at most one metadata write per file per hour
(not one per paint), with no second record that could disagree with the files, no lock
shared by the loader threads, and nothing to rebuild when the folder is emptied by hand.
(atime would need no write at all, but `noatime`/`relatime` mounts make it unreliable.)

Pins: `pin(owner, keys)` keeps keys (the renditions of a product kept for offline use) out
of every eviction, even over the cap, and out of `clear(keep_pinned=True)`. Each owner's
keys are one small JSON file in `pins/` (so pinning one product of a 10,000-product sync
rewrites a few hundred bytes, not the whole list); they are read on first need, never in the
constructor (which the GUI thread may call). Not fsynced: after a power cut the last pins
may be missing, and the offline sync pins its products again from the metadata database.

Only real folders and regular files inside the cache are read, written or trimmed: a symbolic
link in it (a shard folder pointing at the merchant's pictures, say) is never followed, so
trimming can never delete anything outside the cache.

Threads: every method may be called from any thread (the thumbnail loader's workers share one
cache); none is meant for the GUI thread, since all of them touch the disk.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

log = logging.getLogger(__name__)

#: The default cap: room for the tiny and standard renditions of a few thousand products.
DEFAULT_MAX_BYTES = 2 * 1024 * 1024 * 1024
#: A read refreshes a file's recency at most this often.
RECENCY_RESOLUTION_S = 3600.0
PINS_DIR_NAME = "pins"
TEMP_PREFIX = ".tmp-"
PINS_FORMAT_VERSION = 1


class CacheUsage(NamedTuple):
    files: int
    total_bytes: int
    pinned_files: int
    pinned_bytes: int   # part of total_bytes: kept even when over the cap


class _Entry(NamedTuple):
    mtime: float
    size: int
    path: Path

    @property
    def name(self) -> str:
        """The key's hash: shard folder name + file name."""
        return self.path.parent.name + self.path.name


class BlobCache:
    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_BYTES, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.root = root
        #: The cap in bytes; may be changed at any time (the next `trim` keeps to it).
        self.max_bytes = max_bytes
        self._clock = clock
        self._lock = threading.Lock()
        self._bytes_since_trim = 0
        self._pins: dict[str, frozenset[str]] | None = None  # owner -> keys; None: not read
        self._pinned_names: frozenset[str] = frozenset()     # hashes of every pinned key

    @staticmethod
    def _name(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        digest = self._name(key)
        return self.root / digest[:2] / digest[2:]

    def _shard_is_real(self, shard: Path) -> bool:
        """False for a shard that is a symbolic link (or not a folder): never used."""
        try:
            return stat.S_ISDIR(os.lstat(shard).st_mode)
        except FileNotFoundError:
            return True  # not made yet: `put` makes a real one
        except OSError:
            return False

    # -- bytes -----------------------------------------------------------------------------

    def get(self, key: str) -> bytes | None:
        """The bytes stored under `key`, or None (missing, unreadable, or not a regular
        file). A hit counts as a use for eviction."""
        path = self._path(key)
        if not self._shard_is_real(path.parent):
            return None
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                return None  # a link or anything else planted in the cache
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                         | getattr(os, "O_BINARY", 0))
        except OSError:
            return None  # missing or unreadable: a miss, fetched again
        try:
            with os.fdopen(fd, "rb") as handle:
                info = os.fstat(handle.fileno())
                if not stat.S_ISREG(info.st_mode):
                    return None
                data = handle.read()
                self._note_use(handle.fileno(), path, info.st_mtime)
        except OSError:
            return None
        return data

    def _note_use(self, fd: int, path: Path, mtime: float) -> None:
        now = self._clock()
        if now - mtime < RECENCY_RESOLUTION_S:
            return  # used recently enough: no write for this read
        try:
            if os.utime in os.supports_fd:
                os.utime(fd, (now, now))
            else:
                os.utime(path, (now, now))
        except OSError:
            pass  # a read-only cache still serves; it only evicts less well

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not self._shard_is_real(path.parent):
            raise OSError(f"cache folder {path.parent.name} is a link, not a folder; not used")
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)
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

    # -- eviction --------------------------------------------------------------------------

    def trim(self) -> int:
        """Deletes the least recently used files that are not pinned until the cache is
        under `max_bytes` (pinned files stay even when they alone are over it). Returns the
        bytes freed."""
        entries = self._entries()
        total = sum(entry.size for entry in entries)
        if total <= self.max_bytes:
            return 0
        freed = 0
        for entry in sorted(entries):
            if total <= self.max_bytes:
                break
            if self._delete_unless_pinned(entry):
                total -= entry.size
                freed += entry.size
        return freed

    def clear(self, keep_pinned: bool = True) -> int:
        """Empties the cache: every file, or every file not pinned (and then the pins are
        kept too). Returns the bytes freed."""
        if not keep_pinned:
            self._drop_all_pins()
        return sum(entry.size for entry in self._entries() if self._delete_unless_pinned(entry))

    def usage(self) -> CacheUsage:
        """What the cache holds now (a scan of the folder: call it off the GUI thread)."""
        entries = self._entries()
        self._load_pins()
        with self._lock:
            pinned_names = self._pinned_names
        pinned = [entry for entry in entries if entry.name in pinned_names]
        return CacheUsage(files=len(entries), total_bytes=sum(e.size for e in entries),
                          pinned_files=len(pinned), pinned_bytes=sum(e.size for e in pinned))

    def _delete_unless_pinned(self, entry: _Entry) -> bool:
        if entry.path.name.startswith(TEMP_PREFIX) and \
                self._clock() - entry.mtime < RECENCY_RESOLUTION_S:
            return False  # a `put` may be writing it right now
        self._load_pins()
        with self._lock:  # held across the unlink: a key pinned meanwhile is never lost
            if entry.name in self._pinned_names:
                return False
            try:
                entry.path.unlink()
            except FileNotFoundError:
                return False
            except OSError:
                return False  # locked (Windows) or read-only: next time
        return True

    def _entries(self) -> list[_Entry]:
        """Each regular file in a real shard folder, links skipped."""
        found: list[_Entry] = []
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
                        found.append(_Entry(info.st_mtime, info.st_size, Path(entry.path)))
            except OSError:
                continue
        return found

    # -- pins ------------------------------------------------------------------------------

    @property
    def _pins_dir(self) -> Path:
        return self.root / PINS_DIR_NAME

    def _pins_dir_is_real(self) -> bool:
        try:
            return stat.S_ISDIR(os.lstat(self._pins_dir).st_mode)
        except OSError:
            return False

    def _pin_file(self, owner: str) -> Path:
        return self._pins_dir / f"{self._name(owner)}.json"

    def pin(self, owner: str, keys: Iterable[str]) -> None:
        """Keeps `keys` whatever the cap, on behalf of `owner` (e.g. "<store>/<product id>"),
        replacing what `owner` pinned before (a re-synced product's old renditions are no
        longer kept). A key may be pinned before its bytes are `put`. Survives a restart."""
        wanted = frozenset(keys)
        if not wanted:
            self.unpin(owner)
            return
        self._load_pins()
        folder = self._pins_dir
        folder.mkdir(parents=True, exist_ok=True)
        if not self._pins_dir_is_real():
            raise OSError("the cache's pins folder is a link, not a folder; not used")
        body = json.dumps({"v": PINS_FORMAT_VERSION, "owner": owner, "keys": sorted(wanted)},
                          ensure_ascii=False)
        with self._lock:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIX)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(body)
                os.replace(tmp, self._pin_file(owner))
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            assert self._pins is not None
            self._pins[owner] = wanted
            self._pinned_names = self._names_of(self._pins)

    def unpin(self, owner: str) -> None:
        """Lets `owner`'s keys be evicted again (they stay until the cap needs the room)."""
        self._load_pins()
        with self._lock:
            assert self._pins is not None
            if self._pins_dir_is_real():
                self._pin_file(owner).unlink(missing_ok=True)
            self._pins.pop(owner, None)
            self._pinned_names = self._names_of(self._pins)

    def pinned(self) -> dict[str, frozenset[str]]:
        """owner -> the keys it pinned."""
        self._load_pins()
        with self._lock:
            return dict(self._pins or {})

    def is_pinned(self, key: str) -> bool:
        self._load_pins()
        with self._lock:
            return self._name(key) in self._pinned_names

    def _drop_all_pins(self) -> None:
        self._load_pins()
        with self._lock:
            if self._pins_dir_is_real():
                for path in self._pins_dir.iterdir():
                    try:
                        path.unlink()
                    except OSError:
                        continue
            self._pins = {}
            self._pinned_names = frozenset()

    def _names_of(self, pins: dict[str, frozenset[str]]) -> frozenset[str]:
        return frozenset(self._name(key) for keys in pins.values() for key in keys)

    def _load_pins(self) -> None:
        """Reads the pins from disk once. A file that cannot be read is skipped (logged):
        its keys can be evicted until the offline sync pins them again."""
        with self._lock:
            if self._pins is not None:
                return
            pins: dict[str, frozenset[str]] = {}
            if self._pins_dir_is_real():
                for path in self._pins_dir.glob("*.json"):
                    owner_keys = _read_pin_file(path)
                    if owner_keys is None:
                        log.warning("image cache: a pins file could not be read: %s", path.name)
                        continue
                    owner, keys = owner_keys
                    pins[owner] = keys
            self._pins = pins
            self._pinned_names = self._names_of(pins)


def _read_pin_file(path: Path) -> tuple[str, frozenset[str]] | None:
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        body = json.loads(path.read_text(encoding="utf-8"))
        owner, keys = body["owner"], body["keys"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(owner, str) or not isinstance(keys, list) \
            or not all(isinstance(key, str) for key in keys):
        return None
    return owner, frozenset(keys)
