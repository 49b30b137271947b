"""Client-side pacing: the client waits for the window instead of running into 429s."""

from __future__ import annotations

import logging
import threading

import pytest

from app.api import errors
from app.api.rate_limit import RateLimiter
from tests.api.conftest import ClientFactory

QUOTA = 5
WINDOW_MS = 500


class RecordingRateLimiter(RateLimiter):
    """The real limiter, remembering each delay it asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.delays: list[float] = []
        self._delays_lock = threading.Lock()

    def delay_before_request(self) -> float:
        delay = super().delay_before_request()
        with self._delays_lock:
            self.delays.append(delay)
        return delay


def rate_limited_lines(caplog: pytest.LogCaptureFixture) -> int:
    return sum("rate limited on" in r.getMessage() for r in caplog.records)


def test_a_loop_of_gets_waits_for_the_window_instead_of_hitting_429(
        emulator_factory, make_client: ClientFactory, caplog: pytest.LogCaptureFixture) -> None:
    emu = emulator_factory(catalog="empty", rate_limit_quota=QUOTA,
                           rate_limit_window_ms=WINDOW_MS)
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    limiter = RecordingRateLimiter()
    client = make_client(emu, rate_limiter=limiter)
    with caplog.at_level(logging.INFO, logger="app.api.transport"):
        counts = [client.count_images(pid) for _ in range(12)]  # no 429 reaches the caller
    assert counts == [2] * 12
    assert rate_limited_lines(caplog) == 0  # ideally none at all...
    assert len(emu.requests()) == 12        # ...so the store saw no extra (429'd) requests
    # It did pace itself: 12 requests cannot fit in one window of 5.
    waits = [d for d in limiter.delays if d > 0]
    assert waits and all(d <= WINDOW_MS / 1000 + 0.05 for d in waits)


def test_parallel_senders_share_the_budget(emulator_factory, make_client: ClientFactory,
                                           caplog: pytest.LogCaptureFixture) -> None:
    """Worker threads share one client: more of them than the quota must not burst into a
    fresh window together when it opens."""
    threads, per_thread = 8, 2
    emu = emulator_factory(catalog="empty", rate_limit_quota=QUOTA, rate_limit_window_ms=300)
    pid = emu.add_product("Mug", "MUG-1", image_count=2)
    client = make_client(emu, rate_limiter=RecordingRateLimiter())
    failures: list[BaseException] = []
    results: list[int] = []

    def worker() -> None:
        try:
            for _ in range(per_thread):
                results.append(client.count_images(pid))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    with caplog.at_level(logging.INFO, logger="app.api.transport"):
        client.count_images(pid)  # learn the window first
        workers = [threading.Thread(target=worker) for _ in range(threads)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(timeout=30)
    assert not failures
    assert results == [2] * (per_thread * threads)
    assert rate_limited_lines(caplog) <= 2
    assert len(emu.requests()) <= 1 + per_thread * threads + 2


def test_rate_limited_never_reaches_the_caller_when_waits_remain(
        emulator_factory, make_client: ClientFactory) -> None:
    """Even with no pacing at all (reserve below zero), 429s are waited out, not raised."""
    emu = emulator_factory(catalog="empty", rate_limit_quota=3, rate_limit_window_ms=300)
    pid = emu.add_product("Mug", "MUG-1", image_count=1)
    client = make_client(emu, rate_limiter=RateLimiter(reserve=-10**6))
    try:
        assert [client.count_images(pid) for _ in range(5)] == [1] * 5
    except errors.RateLimited as exc:  # pragma: no cover - the failure being tested for
        pytest.fail(f"a 429 reached the caller: {exc}")
    assert len(emu.requests()) > 5  # the store did answer 429s; the client absorbed them
