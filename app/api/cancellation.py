"""Cancelling calls already in flight, from the code that started them.

A task runner knows when the merchant no longer wants an answer (a product switch, a closing
window), but the call is deep inside StoreClient. `cancel_scope(event)` makes every API call
made on this thread inside the block stop soon after `event` is set: waits end at once, a body
being read stops at its next chunk, and no retry starts.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

_local = threading.local()


@contextmanager
def cancel_scope(event: threading.Event) -> Iterator[None]:
    """API calls made on this thread inside the block also stop when `event` is set."""
    outer: tuple[threading.Event, ...] = getattr(_local, "events", ())
    _local.events = (*outer, event)
    try:
        yield
    finally:
        _local.events = outer


def scoped_cancel_events() -> tuple[threading.Event, ...]:
    """The events of the cancel scopes open on this thread, innermost last."""
    return getattr(_local, "events", ())
