"""The RAM picture cache is bounded in bytes, and card sizes do not evict each other
pointlessly (issue 11). Counts bytes and evictions."""

from __future__ import annotations

from PySide6.QtGui import QPixmap

from app.ui.pixmap_cache import DEFAULT_MAX_BYTES, CachedPicture, PixmapCache


def _picture(width: int, name: str) -> CachedPicture:
    pixmap = QPixmap(width, round(width * 1.3))
    pixmap.fill()
    return CachedPicture(pixmap, f"https://cdn.example/{name}.jpg", width)


def test_a_screenful_of_the_largest_pictures_is_bounded_in_bytes_not_entries(qapp) -> None:
    cache = PixmapCache()
    for n in range(300):  # a 300-image product scrolled end to end at the largest size
        cache.put(n, _picture(386, str(n)))
    one = 386 * 502 * 4
    assert cache.bytes_used <= DEFAULT_MAX_BYTES
    assert len(cache) == DEFAULT_MAX_BYTES // one
    assert cache.evictions == 300 - len(cache)
    assert cache.peek(299) is not None and cache.peek(0) is None  # the oldest went


def test_small_pictures_fit_many_more(qapp) -> None:
    cache = PixmapCache(max_bytes=10 * 110 * 143 * 4)
    for n in range(10):
        cache.put(n, _picture(110, str(n)))
    assert len(cache) == 10 and cache.evictions == 0
    assert cache.bytes_used == 10 * 110 * 143 * 4


def test_least_recently_used_goes_first(qapp) -> None:
    cache = PixmapCache(max_bytes=3 * 100 * 130 * 4)
    for key in "abc":
        cache.put(key, _picture(100, key))
    cache.get("a")  # a is on screen again
    cache.put("d", _picture(100, "d"))
    assert cache.peek("b") is None and cache.peek("a") is not None
    assert cache.evictions == 1


def test_pictures_of_the_size_on_screen_outlive_those_of_the_previous_size(qapp) -> None:
    cache = PixmapCache(max_bytes=6 * 200 * 260 * 4)
    for n in range(3):  # the big size, shown a while ago
        cache.put(f"big{n}", _picture(200, f"big{n}"))
    for n in range(6):  # zoomed out, then used again and again
        cache.put(f"small{n}", _picture(100, f"small{n}"))
        cache.get(f"small{n}")
    # Zoomed in again: the big pictures arriving push out the small ones, not each other,
    # though the small ones were used more recently.
    for n in range(3, 6):
        cache.put(f"big{n}", _picture(200, f"big{n}"))
    assert all(cache.peek(f"big{n}") is not None for n in range(6))
    assert all(cache.peek(f"small{n}") is None for n in range(6))
    assert cache.bytes_used == 6 * 200 * 260 * 4


def test_replacing_and_discarding_keep_the_byte_count_right(qapp) -> None:
    cache = PixmapCache()
    cache.put("a", _picture(100, "a"))
    cache.put("a", _picture(200, "a"))
    assert len(cache) == 1 and cache.bytes_used == 200 * 260 * 4
    cache.discard("a")
    assert len(cache) == 0 and cache.bytes_used == 0
    cache.put("b", _picture(100, "b"))
    cache.clear()
    assert cache.bytes_used == 0 and cache.peek("b") is None
