"""The disk cache of picture bytes: keyed by URL, trimmed, and never reaching outside itself."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from app.cache.blob_cache import BlobCache


def shard_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:2]


def test_a_replaced_picture_has_its_own_entry(tmp_path: Path) -> None:
    """Keyed by the versioned URL: a new version of an image is a new entry, not a hit."""
    cache = BlobCache(tmp_path / "cache")
    cache.put("https://cdn.example/p/1/images/7/a.1001.220.290.jpg?c=1", b"old")
    assert cache.get("https://cdn.example/p/1/images/7/a.1002.220.290.jpg?c=1") is None
    assert cache.get("https://cdn.example/p/1/images/7/a.1001.220.290.jpg?c=1") == b"old"


def test_trimming_removes_the_least_recently_used(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path / "cache", max_bytes=250)
    for n in range(3):
        cache.put(f"k{n}", bytes(100))
        path = cache._path(f"k{n}")
        os.utime(path, (1000 + n, 1000 + n))
    cache.trim()
    assert cache.get("k0") is None
    assert cache.get("k1") == bytes(100) and cache.get("k2") == bytes(100)


def test_trimming_never_follows_a_link_out_of_the_cache(tmp_path: Path) -> None:
    """A shard folder that is a symlink to the merchant's pictures: nothing there is deleted,
    and a symlinked file inside a shard is not followed either."""
    outside = tmp_path / "my-pictures"
    outside.mkdir()
    precious = outside / "holiday.jpg"
    precious.write_bytes(bytes(5000))
    linked_file = tmp_path / "linked.jpg"
    linked_file.write_bytes(bytes(5000))

    cache = BlobCache(tmp_path / "cache", max_bytes=100)
    cache.root.mkdir()
    (cache.root / "zz").symlink_to(outside, target_is_directory=True)
    cache.put("real", bytes(50))
    (cache._path("real").parent / "sneaky").symlink_to(linked_file)
    cache.put("bigger", bytes(80))  # over the cap: trims
    cache.trim()

    assert precious.read_bytes() == bytes(5000)
    assert linked_file.read_bytes() == bytes(5000)
    assert (cache.root / "zz").is_symlink()


def test_a_symlinked_shard_is_neither_read_nor_written(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    cache = BlobCache(tmp_path / "cache")
    cache.root.mkdir()
    key = "https://cdn.example/a.jpg"
    (cache.root / shard_of(key)).symlink_to(outside, target_is_directory=True)
    (outside / cache._path(key).name).write_bytes(b"planted")
    assert cache.get(key) is None
    try:
        cache.put(key, b"fresh")
    except OSError:
        pass  # refused: the loader logs it and carries on
    assert (outside / cache._path(key).name).read_bytes() == b"planted"
