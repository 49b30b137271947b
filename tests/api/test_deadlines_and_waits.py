"""Every call ends: a deadline for the whole call, cancel that stops a read in progress, and
waits the store asks for capped (or refused at once, saying when to retry)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from app.api import OAuthCredentials, StoreClient, errors
from app.api.cancellation import cancel_scope
from app.api.rate_limit import RateLimiter, describe_wait
from app.api.retry import RetryPolicy
from tests.hostile.hostile_api import HostileApiServer

QUICK_RETRY = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.05)
STUCK_AFTER_S = 15.0


def client_for(server: HostileApiServer, answer: str, **options: Any) -> StoreClient:
    options.setdefault("retry", QUICK_RETRY)
    return StoreClient(OAuthCredentials("hostile", "token", api_base=server.api_base(answer)),
                       **options)


def run_in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["result"] = call()
        except BaseException as exc:  # noqa: BLE001 - judged by the test
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


def finish(thread: threading.Thread, outcome: dict[str, Any]) -> dict[str, Any]:
    thread.join(STUCK_AFTER_S)
    assert not thread.is_alive(), "the call is stuck"
    return outcome


@pytest.mark.parametrize("answer", ["drip-body", "drip-status-line", "drip-headers",
                                    "endless-100-continue"])
def test_a_dripping_store_ends_at_the_deadline(hostile_api: HostileApiServer,
                                               answer: str) -> None:
    client = client_for(hostile_api, answer, deadline_s=1.0)
    outcome = finish(*run_in_thread(lambda: client.list_images(1)))
    assert isinstance(outcome.get("error"), errors.TimedOut), outcome
    assert "too long" in outcome["error"].message or "too slowly" in outcome["error"].message


@pytest.mark.parametrize("answer", ["silent", "silent-after-headers", "drip-body"])
def test_cancel_stops_a_read_in_progress(hostile_api: HostileApiServer, answer: str) -> None:
    """As a task runner does it: a cancel scope around the work, set from another thread."""
    client = client_for(hostile_api, answer)  # the app's own 90 s deadline
    cancel = threading.Event()
    hostile_api.requests.clear()

    def work() -> Any:
        with cancel_scope(cancel):
            return client.list_images(1)

    thread, outcome = run_in_thread(work)
    while not hostile_api.requests and thread.is_alive():
        thread.join(0.01)  # until the request is on the wire
    cancel.set()
    assert isinstance(finish(thread, outcome).get("error"), errors.Cancelled), outcome


def test_cancel_through_the_clients_own_event(hostile_api: HostileApiServer) -> None:
    cancel = threading.Event()
    client = client_for(hostile_api, "silent", cancel=cancel)
    hostile_api.requests.clear()
    thread, outcome = run_in_thread(lambda: client.list_images(1))
    while not hostile_api.requests and thread.is_alive():
        thread.join(0.01)
    cancel.set()
    assert isinstance(finish(thread, outcome).get("error"), errors.Cancelled), outcome


def test_absurd_rate_limit_headers_on_a_200_do_not_stall_later_calls(
        hostile_api: HostileApiServer) -> None:
    """Requests-Left 0 with a 4000-digit reset: no OverflowError, and the next call waits at
    most the cap (here 0.2 s) instead of for ever."""
    client = client_for(hostile_api, "absurd-rate-headers",
                        retry=RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.05,
                                          max_rate_limit_wait=0.2))
    outcome = finish(*run_in_thread(lambda: [client.list_images(1) for _ in range(3)]))
    assert "error" not in outcome, outcome
    assert [len(images) for images in outcome["result"]] == [1, 1, 1]


@pytest.mark.parametrize("answer", ["retry-after-years", "retry-after-infinite"])
def test_a_429_asking_for_an_enormous_wait_fails_at_once_saying_when(
        hostile_api: HostileApiServer, answer: str) -> None:
    client = client_for(hostile_api, answer, retry=RetryPolicy())  # the app's own policy
    hostile_api.requests.clear()
    outcome = finish(*run_in_thread(lambda: client.list_images(1)))
    error = outcome.get("error")
    assert isinstance(error, errors.RateLimited), outcome
    assert error.retry_after is not None and error.retry_after > 30
    assert "days" in error.message and "try again" in error.message
    assert len(hostile_api.requests) == 1  # no worker held, nothing sent again


def test_waits_are_said_in_merchant_words() -> None:
    noon = datetime(2026, 11, 30, 12, 0)
    assert describe_wait(20.2) == "in 21 s"
    assert describe_wait(600) == "in about 10 minutes"
    assert describe_wait(3 * 3600, now=noon) == "in about 3 hours (around 15:00)"
    assert describe_wait(1e12).startswith("in 11574074 days")


def test_the_pacer_never_waits_longer_than_its_cap() -> None:
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0], max_wait=30.0)
    limiter.observe({"X-Rate-Limit-Requests-Left": "0", "X-Rate-Limit-Requests-Quota": "9" * 4000,
                     "X-Rate-Limit-Time-Reset-Ms": "9" * 4000,
                     "X-Rate-Limit-Time-Window-Ms": "9" * 4000})
    assert limiter.delay_before_request() == 30.0
    now[0] = 30.0  # the capped window has passed: a fresh one, whose length is capped too
    assert limiter.delay_before_request() == 0.0
