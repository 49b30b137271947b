"""RetryPolicy: bounded, growing, jittered backoff; NO_RETRIES really means one attempt."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.api import errors
from app.api.retry import IDEMPOTENT_METHODS, NO_RETRIES, RetryPolicy
from app.store_emulator import StoreEmulator
from tests.api.conftest import ClientFactory


def ceiling(policy: RetryPolicy, attempt: int) -> float:
    return min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))


@given(base=st.floats(0.001, 5.0), cap=st.floats(0.01, 120.0), attempt=st.integers(1, 200),
       seed=st.integers(0, 2**32))
def test_backoff_stays_within_its_bounds(base: float, cap: float, attempt: int,
                                         seed: int) -> None:
    policy = RetryPolicy(base_delay=base, max_delay=cap, rng=random.Random(seed))
    delay = policy.backoff(attempt)
    top = ceiling(policy, attempt)
    assert top / 2 <= delay <= top  # jittered, yet never less than half the step
    assert 0 < delay <= cap


def test_backoff_grows_then_caps() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=30.0, rng=random.Random(7))
    tops = [ceiling(policy, n) for n in range(1, 10)]
    assert tops == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    for attempt in range(1, 10):
        samples = [policy.backoff(attempt) for _ in range(50)]
        assert max(samples) <= tops[attempt - 1]
        assert min(samples) >= tops[attempt - 1] / 2
        assert len(set(samples)) > 1  # really jittered: parallel clients do not march in step


def test_backoff_is_reproducible_with_a_seeded_rng() -> None:
    first = RetryPolicy(rng=random.Random(42))
    second = RetryPolicy(rng=random.Random(42))
    assert [first.backoff(n) for n in range(1, 8)] == [second.backoff(n) for n in range(1, 8)]


def test_defaults_and_idempotent_methods() -> None:
    policy = RetryPolicy()
    assert policy.max_attempts >= 2 and policy.max_rate_limit_waits >= 1
    assert policy.backoff(1) <= policy.base_delay
    assert IDEMPOTENT_METHODS >= {"GET", "PUT", "DELETE"}
    assert "POST" not in IDEMPOTENT_METHODS and "PATCH" not in IDEMPOTENT_METHODS
    assert NO_RETRIES.max_attempts == 1 and NO_RETRIES.max_rate_limit_waits == 0


def test_no_retries_sends_once(empty_emulator: StoreEmulator,
                               make_client: ClientFactory) -> None:
    emu = empty_emulator
    emu.faults.error_rate = 1.0
    with pytest.raises(errors.ServerError):
        make_client(emu, retry=NO_RETRIES).count_products()
    assert len(emu.requests()) == 1
