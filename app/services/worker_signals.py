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


class _Gate:
    """The open/closed state, apart from WorkerSignal: the owner's `destroyed` may fire after
    the WorkerSignal itself was collected, and must still find a whole object to close."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open = True

    def close(self) -> None:
        with self.lock:
            self.open = False


class WorkerSignal:
    """Thread-safe `emit` of `signal` (a signal of `owner`) until `close()` or `owner` dies.

    The receivers live on the GUI thread, so each emit only posts an event (a queued
    connection): holding the lock while emitting cannot block on the GUI thread."""

    def __init__(self, owner: QObject, signal: SignalInstance) -> None:
        self._signal = signal
        self._gate = gate = _Gate()
        # A closure over the gate, not a bound method: it lives as long as the connection.
        owner.destroyed.connect(lambda *_: gate.close())

    def emit(self, *args: Any) -> bool:
        """Whether it was sent; never raises for a closed or deleted owner."""
        gate = self._gate
        with gate.lock:
            if not gate.open:
                return False
            try:
                self._signal.emit(*args)
            except RuntimeError:  # deleted before `destroyed` reached us: nobody to tell
                gate.open = False
                return False
            return True

    __call__ = emit  # usable wherever a plain callback is expected

    def close(self, *_: Any) -> None:
        self._gate.close()

    @property
    def is_open(self) -> bool:
        return self._gate.open
