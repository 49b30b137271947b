"""Writes to the store: one ordered lane per product, lanes side by side.

A product's writes run one at a time in the order they were submitted (a reorder must not
overtake the upload it moves); different products' lanes run in parallel, at most
`max_parallel` at once (the rate limiter in the client paces them all). A lane's thread exists
only while the lane has work, so a thousand products cost no threads.

Results come back on the GUI thread like TaskRunner's (a cancelled task's callbacks never
run). Unlike reads, writes are not dropped when the window closes: `drain()` gives them a
bounded time to finish first, running the event loop meanwhile so their answers are still
delivered. What is left when the time is up stays in the journal (issue 9 §1).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, QTimer, Signal

from app.services.tasks import Completion, FailureCallback, SuccessCallback, Task, deliver
from app.services.worker_signals import WorkerSignal

log = logging.getLogger(__name__)


class WriteLanes(QObject):
    #: Nothing queued or running any more (emitted on the GUI thread).
    drained = Signal()
    _completed = Signal(object)
    _settled = Signal()

    def __init__(self, max_parallel: int = 2, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._lanes: dict[Hashable, deque[tuple[Task, Callable[[], Any]]]] = {}
        self._running: set[Hashable] = set()    # lanes that have a thread
        self._outstanding = 0                   # queued + running, all lanes
        self._slots = threading.BoundedSemaphore(max_parallel)
        self._closed = False
        self._completed.connect(self._deliver)
        self._settled.connect(self._on_settled)
        self._completion = WorkerSignal(self, self._completed)
        self._settled_news = WorkerSignal(self, self._settled)

    # ---- GUI thread -----------------------------------------------------------------------

    def submit(self, lane: Hashable, name: str, work: Callable[[], Any], *,
               on_success: SuccessCallback | None = None,
               on_failure: FailureCallback | None = None) -> Task:
        """Queues `work` at the end of `lane` (e.g. a product id)."""
        task = Task(name, on_success, on_failure)
        with self._lock:
            if self._closed:
                task.cancel()
                return task
            self._lanes.setdefault(lane, deque()).append((task, work))
            self._outstanding += 1
            start = lane not in self._running
            if start:
                self._running.add(lane)
        if start:
            threading.Thread(target=self._work, args=(lane,), daemon=True,
                             name=f"pim-write-{lane}").start()
        return task

    def outstanding(self) -> int:
        """Writes queued or under way, in every lane."""
        with self._lock:
            return self._outstanding

    def drain(self, timeout_s: float) -> bool:
        """Waits up to `timeout_s` for every queued and running write to finish, handling
        events meanwhile (but not the merchant's input), so answers are delivered and the
        window repaints. True when nothing is left. New writes are still accepted."""
        if self.outstanding() == 0:
            return True
        loop = QEventLoop()
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        self.drained.connect(loop.quit)
        try:
            timer.start(max(0, int(timeout_s * 1000)))
            if self.outstanding() > 0:  # again: the last one may have ended meanwhile
                loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        finally:
            timer.stop()
            self.drained.disconnect(loop.quit)
        left = self.outstanding()
        if left:
            log.warning("%d write(s) still under way after %.1f s; they stay queued", left,
                        timeout_s)
        return left == 0

    def shutdown(self) -> None:
        """Starts nothing more and delivers nothing more; a write under way ends on its own."""
        with self._lock:
            self._closed = True
            for queued in self._lanes.values():
                for task, _ in queued:
                    task.cancel()
        self._completion.close()
        self._settled_news.close()

    def _deliver(self, completion: Completion) -> None:
        if not self._closed:
            deliver(completion, "writes")

    def _on_settled(self) -> None:
        if self.outstanding() == 0:
            self.drained.emit()

    # ---- lane threads ---------------------------------------------------------------------

    def _next(self, lane: Hashable) -> tuple[Task, Callable[[], Any]] | None:
        with self._lock:
            queued = self._lanes.get(lane)
            if not queued:
                self._lanes.pop(lane, None)
                self._running.discard(lane)
                return None
            return queued.popleft()

    def _work(self, lane: Hashable) -> None:
        while (item := self._next(lane)) is not None:
            task, work = item
            try:
                if not task.cancelled and not self._closed:
                    with self._slots:
                        self._run(task, work)
            finally:
                with self._lock:
                    self._outstanding -= 1
                    settled = self._outstanding == 0
                if settled:
                    self._settled_news.emit()

    def _run(self, task: Task, work: Callable[[], Any]) -> None:
        started = time.monotonic()
        try:
            completion = Completion(task, result=work())
        except Exception as exc:  # noqa: BLE001 - delivered to on_failure, not swallowed
            log.info("write %s failed after %.1f s: %s", task.name,
                     time.monotonic() - started, exc)
            completion = Completion(task, error=exc)
        if not task.cancelled:
            self._completion.emit(completion)
