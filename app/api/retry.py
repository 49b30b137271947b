"""Capped exponential backoff with jitter, for requests that are safe to repeat."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from app.api.errors import IDEMPOTENT_METHODS

__all__ = ["IDEMPOTENT_METHODS", "NO_RETRIES", "RetryPolicy"]


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4          # for 5xx, dropped connections and garbage bodies
    max_rate_limit_waits: int = 6  # 429s waited out before giving up
    base_delay: float = 0.5
    max_delay: float = 30.0
    # Longest wait for one 429 (one 30 s OAuth window): a store asking for more gets an error
    # at once that says when to retry, instead of holding a worker.
    max_rate_limit_wait: float = 30.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def backoff(self, attempt: int) -> float:
        """Delay before retry `attempt` (1-based): uniform in [c/2, c] where
        c = min(max_delay, base_delay * 2^(attempt-1))."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return self.rng.uniform(ceiling / 2, ceiling)


NO_RETRIES = RetryPolicy(max_attempts=1, max_rate_limit_waits=0)
