"""The image cache's cap: least recently USED out first, pinned pictures never, and a
Settings page can see what it holds and empty it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.cache.blob_cache import (
    DEFAULT_MAX_BYTES,
    PINS_DIR_NAME,
    RECENCY_RESOLUTION_S,
    BlobCache,
    CacheUsage,
)

NOW = 1_000_000_000.0
OWNER = "store-abc123/7"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def age(cache: BlobCache, key: str, mtime: float) -> None:
    os.utime(cache._path(key), (mtime, mtime))


def mtime(cache: BlobCache, key: str) -> float:
    return cache._path(key).stat().st_mtime


def present(cache: BlobCache, *keys: str) -> list[str]:
    return [key for key in keys if cache._path(key).exists()]


@pytest.fixture
def clock() -> Clock:
    return Clock()


def filled(root: Path, clock: Clock, max_bytes: int, *keys: str) -> BlobCache:
    """100 bytes under each key, each older than the one after it, none read yet."""
    cache = BlobCache(root, max_bytes=10_000_000, clock=clock)
    for n, key in enumerate(keys):
        cache.put(key, bytes(100))
        age(cache, key, NOW - 10 * RECENCY_RESOLUTION_S + n)
    cache.max_bytes = max_bytes
    return cache


def test_the_default_cap_is_a_few_gigabytes(tmp_path: Path) -> None:
    assert BlobCache(tmp_path).max_bytes == DEFAULT_MAX_BYTES == 2 * 1024 ** 3


def test_a_picture_read_lately_stays_and_a_never_read_one_goes_first(
        tmp_path: Path, clock: Clock) -> None:
    cache = filled(tmp_path, clock, 250, "oldest", "middle", "newest")
    assert cache.get("oldest") == bytes(100)  # the oldest put, but just used
    assert cache.trim() == 100
    assert present(cache, "oldest", "middle", "newest") == ["oldest", "newest"]


def test_a_read_writes_recency_at_most_once_an_hour(tmp_path: Path, clock: Clock) -> None:
    cache = BlobCache(tmp_path, clock=clock)
    cache.put("k", b"bytes")
    age(cache, "k", NOW - 60)
    assert cache.get("k") == b"bytes"
    assert mtime(cache, "k") == NOW - 60  # used a minute ago: no write for this read
    age(cache, "k", NOW - RECENCY_RESOLUTION_S - 1)
    assert cache.get("k") == b"bytes"
    assert mtime(cache, "k") == NOW


def test_the_cap_can_be_changed_and_the_next_trim_keeps_to_it(tmp_path: Path,
                                                             clock: Clock) -> None:
    cache = filled(tmp_path, clock, 10_000, "a", "b", "c", "d")
    assert cache.trim() == 0
    cache.max_bytes = 200
    cache.trim()
    assert present(cache, "a", "b", "c", "d") == ["c", "d"]


def test_pinned_pictures_are_never_evicted_even_over_the_cap(tmp_path: Path,
                                                            clock: Clock) -> None:
    cache = filled(tmp_path, clock, 10_000, "pinned-1", "pinned-2", "loose")
    cache.pin(OWNER, ["pinned-1", "pinned-2"])
    cache.max_bytes = 100  # the pinned ones alone are twice the cap
    cache.trim()
    assert present(cache, "pinned-1", "pinned-2", "loose") == ["pinned-1", "pinned-2"]
    assert cache.usage() == CacheUsage(files=2, total_bytes=200, pinned_files=2,
                                       pinned_bytes=200)
    # a put that triggers trimming does not take them either
    cache.put("new", bytes(100))
    assert present(cache, "pinned-1", "pinned-2") == ["pinned-1", "pinned-2"]


def test_pins_survive_a_restart_until_unpinned(tmp_path: Path, clock: Clock) -> None:
    cache = filled(tmp_path, clock, 10_000, "kept", "loose")
    cache.pin(OWNER, ["kept"])
    again = BlobCache(tmp_path, max_bytes=0, clock=clock)
    again.trim()
    assert present(again, "kept", "loose") == ["kept"]
    assert again.is_pinned("kept") and not again.is_pinned("loose")
    assert again.pinned() == {OWNER: frozenset({"kept"})}

    again.unpin(OWNER)
    third = BlobCache(tmp_path, max_bytes=0, clock=clock)
    assert third.pinned() == {}
    third.trim()
    assert present(third, "kept") == []


def test_pinning_again_replaces_what_the_owner_pinned(tmp_path: Path, clock: Clock) -> None:
    """A re-synced product's old renditions (a replaced picture has a new URL) are let go."""
    cache = filled(tmp_path, clock, 10_000, "old-rendition", "new-rendition", "other-product")
    cache.pin(OWNER, ["old-rendition"])
    cache.pin("store-abc123/8", ["other-product"])
    cache.pin(OWNER, ["new-rendition"])
    cache.max_bytes = 0
    cache.trim()
    assert present(cache, "old-rendition", "new-rendition", "other-product") == [
        "new-rendition", "other-product"]


def test_a_key_may_be_pinned_before_its_bytes_arrive(tmp_path: Path, clock: Clock) -> None:
    cache = BlobCache(tmp_path, max_bytes=150, clock=clock)
    cache.pin(OWNER, ["later"])
    cache.put("later", bytes(100))
    cache.put("loose", bytes(100))
    cache.trim()
    assert present(cache, "later", "loose") == ["later"]


def test_clear_keeps_pinned_pictures_unless_told(tmp_path: Path, clock: Clock) -> None:
    cache = filled(tmp_path, clock, 10_000, "pinned", "a", "b")
    cache.pin(OWNER, ["pinned"])
    assert cache.usage() == CacheUsage(files=3, total_bytes=300, pinned_files=1,
                                       pinned_bytes=100)
    assert cache.clear() == 200
    assert present(cache, "pinned", "a", "b") == ["pinned"]
    assert cache.pinned() == {OWNER: frozenset({"pinned"})}

    assert cache.clear(keep_pinned=False) == 100
    assert cache.usage() == CacheUsage(0, 0, 0, 0)
    assert cache.pinned() == {} and BlobCache(tmp_path, clock=clock).pinned() == {}


def test_a_damaged_pins_file_is_skipped_and_the_others_still_hold(tmp_path: Path,
                                                                 clock: Clock) -> None:
    cache = filled(tmp_path, clock, 10_000, "kept", "was-pinned")
    cache.pin(OWNER, ["kept"])
    cache.pin("store-abc123/8", ["was-pinned"])
    (tmp_path / PINS_DIR_NAME / f"{cache._name('store-abc123/8')}.json").write_bytes(
        b'{"v": 1, "owner": "store-abc123/8", "keys": ["was-pi')
    (tmp_path / PINS_DIR_NAME / "stray.json").write_text('{"owner": 5, "keys": "x"}')
    again = BlobCache(tmp_path, max_bytes=0, clock=clock)
    assert again.pinned() == {OWNER: frozenset({"kept"})}
    again.trim()
    assert present(again, "kept", "was-pinned") == ["kept"]


def test_pins_never_reach_through_a_linked_pins_folder(tmp_path: Path, clock: Clock) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    precious = outside / "notes.json"
    precious.write_text("mine")
    root = tmp_path / "cache"
    root.mkdir()
    (root / PINS_DIR_NAME).symlink_to(outside, target_is_directory=True)
    cache = BlobCache(root, clock=clock)
    with pytest.raises(OSError):
        cache.pin(OWNER, ["k"])
    cache.clear(keep_pinned=False)
    cache.unpin(OWNER)
    assert [p.name for p in outside.iterdir()] == ["notes.json"]
    assert precious.read_text() == "mine"


def test_a_file_being_written_is_not_cleared_from_under_the_writer(tmp_path: Path,
                                                                  clock: Clock) -> None:
    cache = BlobCache(tmp_path, clock=clock)
    cache.put("k", b"x")
    in_flight = cache._path("k").parent / ".tmp-abc"
    in_flight.write_bytes(b"half")
    os.utime(in_flight, (NOW - 5, NOW - 5))
    cache.clear()
    assert in_flight.exists() and not cache._path("k").exists()
    os.utime(in_flight, (NOW - 2 * RECENCY_RESOLUTION_S,) * 2)  # left by a crash
    cache.clear()
    assert not in_flight.exists()


def test_clearing_never_follows_a_link_out_of_the_cache(tmp_path: Path, clock: Clock) -> None:
    outside = tmp_path / "my-pictures"
    outside.mkdir()
    (outside / "holiday.jpg").write_bytes(bytes(50))
    root = tmp_path / "cache"
    root.mkdir()
    (root / "zz").symlink_to(outside, target_is_directory=True)
    cache = BlobCache(root, clock=clock)
    cache.put("real", bytes(10))
    (cache._path("real").parent / "sneaky").symlink_to(outside / "holiday.jpg")
    cache.clear(keep_pinned=False)
    assert (outside / "holiday.jpg").read_bytes() == bytes(50)
    assert (cache._path("real").parent / "sneaky").is_symlink()


def test_making_a_cache_reads_nothing_from_disk(tmp_path: Path, clock: Clock,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The session makes its cache on the GUI thread: pins are read on first need, on a
    worker, never in the constructor."""
    filled(tmp_path, clock, 10_000, "kept").pin(OWNER, ["kept"])
    touched: list[object] = []
    monkeypatch.setattr(os, "scandir", lambda *a: touched.append(a) or iter(()))
    monkeypatch.setattr(Path, "glob", lambda *a: touched.append(a) or iter(()))
    monkeypatch.setattr(os, "lstat", lambda *a: touched.append(a) or os.stat_result((0,) * 10))
    BlobCache(tmp_path, clock=clock)
    assert touched == []
