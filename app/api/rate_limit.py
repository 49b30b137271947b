"""Client-side pacing from the store's rate-limit headers.

OAuth responses carry X-Rate-Limit-{Requests-Quota, Requests-Left, Time-Window-Ms,
Time-Reset-Ms}; legacy Basic responses carry X-BC-ApiLimit-Remaining (a rolling hour). We slow
down *before* the quota runs out, so a 429 is the exception rather than the pacing mechanism.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Mapping

#: No header value is believed beyond this (about 11.5 days in ms): larger numbers are lies,
#: and would overflow a float or a sleep.
_MAX_HEADER_VALUE = 10**9
#: Longest pause the client makes on its own for pacing; a window is 30 s (DOCS-RL).
DEFAULT_MAX_PACING_WAIT_S = 30.0


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
    if value is None:
        return None
    value = value.strip()
    # Digits only, and few enough that int() is cheap and the value fits a float.
    if not value.isascii() or not value.isdigit():
        return None
    return min(int(value[:12]) if len(value) <= 12 else _MAX_HEADER_VALUE, _MAX_HEADER_VALUE)


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
            value = float(seconds[:40])
        except ValueError:
            value = math.nan
        if math.isfinite(value):
            return min(max(0.0, value), float(_MAX_HEADER_VALUE))
        if value == math.inf:
            return float(_MAX_HEADER_VALUE)
    reset_ms = _header_int(headers, "X-Rate-Limit-Time-Reset-Ms")
    return None if reset_ms is None else max(0.0, reset_ms / 1000)


def describe_wait(seconds: float, now: datetime | None = None) -> str:
    """When to try again, in merchant words: "in 20 s", "in about 3 hours (around 14:05)"."""
    if seconds < 90:
        return f"in {max(1, math.ceil(seconds))} s"
    if seconds < 90 * 60:
        return f"in about {round(seconds / 60)} minutes"
    if seconds > 2 * 24 * 3600:
        return (f"in {round(seconds / 86400)} days, which is not normal (check the store's API "
                "account)")
    at = (now or datetime.now()) + timedelta(seconds=seconds)
    hours = seconds / 3600
    amount = "about 1 hour" if hours < 1.5 else f"about {round(hours)} hours"
    return f"in {amount} (around {at:%H:%M})"


class RateLimiter:
    """Keeps a little of the quota in reserve, shared by every thread using one client.

    The quota is per store and shared with other apps, so the headers are the truth; between
    responses we count our own requests down so parallel senders do not overshoot together.
    """

    def __init__(self, reserve: int = 2, clock: Callable[[], float] = time.monotonic,
                 max_wait: float = DEFAULT_MAX_PACING_WAIT_S) -> None:
        self._reserve = reserve
        #: A reset further away than this is not believed: pacing never stalls longer.
        self._max_wait = max_wait
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
                resets_at = snapshot.resets_at
                self._resets_at = None if resets_at is None \
                    else min(resets_at, snapshot.observed_at + self._max_wait)
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
                self._resets_at = (now + min(snapshot.window_ms / 1000, self._max_wait)
                                   if snapshot.window_ms else None)
                return 0.0
            if self._estimated_left > self._reserve or resets_at is None:
                self._estimated_left -= 1
                return 0.0
            return min(resets_at - now, self._max_wait)

    def forget_window(self) -> None:
        """After waiting out a window, count afresh from the next response."""
        with self._lock:
            self._estimated_left = None
