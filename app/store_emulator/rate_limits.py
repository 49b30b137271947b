"""The two rate limits: OAuth's fixed window per store, and legacy Basic auth's rolling hour."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class WindowState:
    quota: int
    left: int
    window_ms: int
    reset_ms: int  # until the window refreshes

    def headers(self) -> dict[str, str]:
        # The official Python client int()s all four whenever one is present: send all four.
        return {
            "X-Rate-Limit-Time-Window-Ms": str(self.window_ms),
            "X-Rate-Limit-Time-Reset-Ms": str(self.reset_ms),
            "X-Rate-Limit-Requests-Quota": str(self.quota),
            "X-Rate-Limit-Requests-Left": str(self.left),
        }

    @property
    def retry_after_s(self) -> int:
        return max(1, math.ceil(self.reset_ms / 1000))


class FixedWindowLimiter:
    """One quota per store, shared by every client: a window opens at the first request."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._opened_at: float | None = None
        self._used = 0

    def consume(self, quota: int, window_ms: int) -> tuple[bool, WindowState]:
        """Count one request; False (and nothing counted) when the quota is spent."""
        with self._lock:
            now = self._roll(window_ms)
            allowed = self._used < quota
            if allowed:
                self._used += 1
            return allowed, self._state(now, quota, window_ms)

    def peek(self, quota: int, window_ms: int) -> WindowState:
        with self._lock:
            return self._state(self._roll(window_ms), quota, window_ms)

    def reset(self) -> None:
        with self._lock:
            self._opened_at = None
            self._used = 0

    def _roll(self, window_ms: int) -> float:
        now = self._clock()
        if self._opened_at is None or (now - self._opened_at) * 1000 >= window_ms:
            self._opened_at = now
            self._used = 0
        return now

    def _state(self, now: float, quota: int, window_ms: int) -> WindowState:
        assert self._opened_at is not None
        reset_ms = math.ceil(self._opened_at * 1000 + window_ms - now * 1000)
        return WindowState(quota, max(0, quota - self._used), window_ms, max(0, reset_ms))


class RollingHourLimiter:
    """Legacy Basic auth: N requests in any rolling hour, then 509."""

    HOUR_S = 3600.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._times: deque[float] = deque()

    def consume(self, limit: int) -> tuple[bool, int]:
        with self._lock:
            now = self._expire()
            allowed = len(self._times) < limit
            if allowed:
                self._times.append(now)
            return allowed, max(0, limit - len(self._times))

    def remaining(self, limit: int) -> int:
        with self._lock:
            self._expire()
            return max(0, limit - len(self._times))

    def reset(self) -> None:
        with self._lock:
            self._times.clear()

    def _expire(self) -> float:
        now = self._clock()
        while self._times and now - self._times[0] >= self.HOUR_S:
            self._times.popleft()
        return now
