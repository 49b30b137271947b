"""RateLimiter and the header parsing behind it, on an injected fake clock (no sleeping)."""

from __future__ import annotations

import pytest

from app.api.rate_limit import RateLimiter, retry_after_seconds, snapshot_from_headers


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def oauth_headers(quota: int, left: int, window_ms: int, reset_ms: int) -> dict[str, str]:
    return {
        "X-Rate-Limit-Requests-Quota": str(quota),
        "X-Rate-Limit-Requests-Left": str(left),
        "X-Rate-Limit-Time-Window-Ms": str(window_ms),
        "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
    }


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_no_information_means_no_delay(clock: FakeClock) -> None:
    limiter = RateLimiter(reserve=2, clock=clock)
    assert limiter.snapshot is None
    assert [limiter.delay_before_request() for _ in range(50)] == [0.0] * 50


def test_headers_without_rate_information_are_ignored(clock: FakeClock) -> None:
    limiter = RateLimiter(reserve=2, clock=clock)
    assert limiter.observe({"Content-Type": "application/json"}) is None
    assert limiter.snapshot is None
    assert limiter.delay_before_request() == 0.0


def test_observe_parses_all_four_oauth_headers(clock: FakeClock) -> None:
    limiter = RateLimiter(clock=clock)
    snapshot = limiter.observe(oauth_headers(quota=150, left=149, window_ms=30_000,
                                             reset_ms=29_500))
    assert snapshot is not None
    assert (snapshot.quota, snapshot.left, snapshot.window_ms, snapshot.reset_ms) == \
        (150, 149, 30_000, 29_500)
    assert snapshot.observed_at == clock.now
    assert snapshot.resets_at == pytest.approx(clock.now + 29.5)
    assert limiter.snapshot == snapshot


def test_delay_reserves_budget_down_to_the_reserve_then_waits_for_the_reset(
        clock: FakeClock) -> None:
    limiter = RateLimiter(reserve=2, clock=clock)
    limiter.observe(oauth_headers(quota=10, left=5, window_ms=1000, reset_ms=800))
    # 5 left, 2 kept in reserve: three requests may go at once without another response.
    assert [limiter.delay_before_request() for _ in range(3)] == [0.0, 0.0, 0.0]
    clock.advance(0.3)
    delay = limiter.delay_before_request()
    assert delay == pytest.approx(0.5)  # the rest of the window, not a guess
    # Waiting does not spend budget: asking again still says wait (for what is left).
    clock.advance(0.1)
    assert limiter.delay_before_request() == pytest.approx(0.4)


def test_at_the_reserve_it_waits_immediately(clock: FakeClock) -> None:
    limiter = RateLimiter(reserve=2, clock=clock)
    limiter.observe(oauth_headers(quota=10, left=2, window_ms=1000, reset_ms=1000))
    assert limiter.delay_before_request() == pytest.approx(1.0)


def test_refills_after_the_window_resets(clock: FakeClock) -> None:
    limiter = RateLimiter(reserve=2, clock=clock)
    limiter.observe(oauth_headers(quota=4, left=2, window_ms=1000, reset_ms=1000))
    assert limiter.delay_before_request() > 0
    clock.advance(1.0)  # the window has rolled over: the quota is full again
    assert limiter.delay_before_request() == 0.0
    # A full quota of 4 with 2 in reserve: this request and one more go, then wait again,
    # even before any new response is observed (parallel senders must not overshoot).
    assert limiter.delay_before_request() == 0.0
    delay = limiter.delay_before_request()
    assert 0 < delay <= 1.0


def test_a_new_response_replaces_the_estimate(clock: FakeClock) -> None:
    limiter = RateLimiter(reserve=2, clock=clock)
    limiter.observe(oauth_headers(quota=10, left=3, window_ms=1000, reset_ms=1000))
    assert limiter.delay_before_request() == 0.0
    assert limiter.delay_before_request() > 0
    # Another app used the store too; the server's count is the truth.
    limiter.observe(oauth_headers(quota=10, left=9, window_ms=1000, reset_ms=900))
    assert [limiter.delay_before_request() for _ in range(7)] == [0.0] * 7
    assert limiter.delay_before_request() > 0


def test_forget_window_counts_afresh(clock: FakeClock) -> None:
    limiter = RateLimiter(reserve=2, clock=clock)
    limiter.observe(oauth_headers(quota=10, left=0, window_ms=1000, reset_ms=1000))
    assert limiter.delay_before_request() > 0
    limiter.forget_window()
    assert limiter.delay_before_request() == 0.0


def test_basic_auth_hourly_header_never_blocks_on_a_window(clock: FakeClock) -> None:
    """X-BC-ApiLimit-Remaining is a rolling hour with no reset time: count, never wait."""
    limiter = RateLimiter(reserve=2, clock=clock)
    snapshot = limiter.observe({"X-BC-ApiLimit-Remaining": "1"})
    assert snapshot is not None and snapshot.left == 1 and snapshot.resets_at is None
    assert limiter.delay_before_request() == 0.0


def test_reserve_zero_spends_the_whole_quota(clock: FakeClock) -> None:
    limiter = RateLimiter(reserve=0, clock=clock)
    limiter.observe(oauth_headers(quota=3, left=3, window_ms=1000, reset_ms=1000))
    assert [limiter.delay_before_request() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.delay_before_request() == pytest.approx(1.0)


@pytest.mark.parametrize("bad", ["", "abc", "1.5", "  "])
def test_unparseable_header_values_are_ignored(bad: str) -> None:
    snapshot = snapshot_from_headers(
        {"X-Rate-Limit-Requests-Left": "5", "X-Rate-Limit-Time-Reset-Ms": bad}, now=0.0)
    assert snapshot is not None and snapshot.left == 5 and snapshot.reset_ms is None
    assert snapshot_from_headers({"X-Rate-Limit-Requests-Left": bad}, now=0.0) is None


def test_retry_after_prefers_seconds_then_reset_ms() -> None:
    assert retry_after_seconds({"X-Retry-After": "3"}) == 3.0
    assert retry_after_seconds({"Retry-After": "2.5"}) == 2.5
    assert retry_after_seconds({"X-Retry-After": "soon", "X-Rate-Limit-Time-Reset-Ms": "1500"}) \
        == 1.5
    assert retry_after_seconds({"X-Retry-After": "-4"}) == 0.0
    assert retry_after_seconds({}) is None
