"""A signal that worker threads may emit whatever becomes of the object that owns it.

A worker can outlive the QObject it reports to: the merchant closes a store while a request is
under way, and `deleteLater` destroys the session before the request returns. Emitting a
deleted object's signal raises "Internal C++ object already deleted" in the worker, which
turned a request the store had completed into a failure. `WorkerSignal` checks a closed flag
under a lock, is closed by its owner's `destroyed` (so no emit can start once the C++ object
is going), and takes the emit's RuntimeError for what it means: nobody is left to tell.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, SignalInstance


class WorkerSignal:
    """Thread-safe `emit` of `signal` (a signal of `owner`) until `close()` or `owner` dies.

    The receivers live on the GUI thread, so each emit only posts an event (a queued
    connection): holding the lock while emitting cannot block on the GUI thread."""

    def __init__(self, owner: QObject, signal: SignalInstance) -> None:
        self._signal = signal
        self._lock = threading.Lock()
        self._open = True
        owner.destroyed.connect(self.close)

    def emit(self, *args: Any) -> bool:
        """Whether it was sent; never raises for a closed or deleted owner."""
        with self._lock:
            if not self._open:
                return False
            try:
                self._signal.emit(*args)
            except RuntimeError:  # deleted before `destroyed` reached us: nobody to tell
                self._open = False
                return False
            return True

    __call__ = emit  # usable wherever a plain callback is expected

    def close(self, *_: Any) -> None:
        with self._lock:
            self._open = False

    @property
    def is_open(self) -> bool:
        return self._open
