"""Client-side pacing from the store's rate-limit headers.

OAuth responses carry X-Rate-Limit-{Requests-Quota, Requests-Left, Time-Window-Ms,
Time-Reset-Ms}; legacy Basic responses carry X-BC-ApiLimit-Remaining (a rolling hour). We slow
down *before* the quota runs out, so a 429 is the exception rather than the pacing mechanism.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Mapping


@dataclass(frozen=True)
class RateLimitSnapshot:
    quota: int | None
    left: int | None
    window_ms: int | None
    reset_ms: int | None
    observed_at: float  # time.monotonic()

    @property
    def resets_at(self) -> float | None:
        return None if self.reset_ms is None else self.observed_at + self.reset_ms / 1000


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def snapshot_from_headers(headers: Mapping[str, str], now: float) -> RateLimitSnapshot | None:
    left = _header_int(headers, "X-Rate-Limit-Requests-Left")
    if left is None:
        left = _header_int(headers, "X-BC-ApiLimit-Remaining")
        if left is None:
            return None
        return RateLimitSnapshot(None, left, None, None, now)
    return RateLimitSnapshot(
        quota=_header_int(headers, "X-Rate-Limit-Requests-Quota"),
        left=left,
        window_ms=_header_int(headers, "X-Rate-Limit-Time-Window-Ms"),
        reset_ms=_header_int(headers, "X-Rate-Limit-Time-Reset-Ms"),
        observed_at=now,
    )


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """How long a 429 asks us to wait: X-Retry-After (s), else the window's reset (ms)."""
    seconds = headers.get("X-Retry-After") or headers.get("Retry-After")
    if seconds is not None:
        try:
            return max(0.0, float(seconds))
        except ValueError:
            pass
    reset_ms = _header_int(headers, "X-Rate-Limit-Time-Reset-Ms")
    return None if reset_ms is None else max(0.0, reset_ms / 1000)


class RateLimiter:
    """Keeps a little of the quota in reserve, shared by every thread using one client.

    The quota is per store and shared with other apps, so the headers are the truth; between
    responses we count our own requests down so parallel senders do not overshoot together.
    """

    def __init__(self, reserve: int = 2, clock: Callable[[], float] = time.monotonic) -> None:
        self._reserve = reserve
        self._clock = clock
        self._lock = threading.Lock()
        self._snapshot: RateLimitSnapshot | None = None
        self._estimated_left: int | None = None
        self._resets_at: float | None = None  # of the window being counted down

    @property
    def snapshot(self) -> RateLimitSnapshot | None:
        with self._lock:
            return self._snapshot

    def observe(self, headers: Mapping[str, str]) -> RateLimitSnapshot | None:
        snapshot = snapshot_from_headers(headers, self._clock())
        if snapshot is not None:
            with self._lock:
                self._snapshot = snapshot
                self._estimated_left = snapshot.left
                self._resets_at = snapshot.resets_at
        return snapshot

    def delay_before_request(self) -> float:
        """Seconds to wait before the next request; 0 when budget remains (and reserves it)."""
        with self._lock:
            snapshot = self._snapshot
            if snapshot is None or self._estimated_left is None:
                return 0.0
            resets_at = self._resets_at
            now = self._clock()
            if resets_at is not None and now >= resets_at:
                # A new window has begun since the last response: the quota is full again.
                # Count this request against it, and keep counting until a response says
                # more, so parallel senders do not overshoot the fresh window together.
                if snapshot.quota is None:
                    self._estimated_left = None
                    return 0.0
                self._estimated_left = snapshot.quota - 1
                self._resets_at = (now + snapshot.window_ms / 1000
                                   if snapshot.window_ms else None)
                return 0.0
            if self._estimated_left > self._reserve or resets_at is None:
                self._estimated_left -= 1
                return 0.0
            return resets_at - now

    def forget_window(self) -> None:
        """After waiting out a window, count afresh from the next response."""
        with self._lock:
            self._estimated_left = None
