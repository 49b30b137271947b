"""Byte counts in the merchant's words (Qt-free): one way for every screen, so the sync's
estimate and the Settings page's cache limit and usage count a gigabyte alike."""

from __future__ import annotations

KB = 1024
MB = 1024 ** 2
GB = 1024 ** 3


def describe_bytes(size: float) -> str:
    """"1.4 GB", "350 MB", "12 KB", "800 bytes" (powers of 1024, as the cache limit's GB)."""
    for unit, factor in (("GB", GB), ("MB", MB), ("KB", KB)):
        if size >= factor:
            value = size / factor
            return f"{value:,.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"
    return f"{int(size):,} bytes"
