"""Run blocking calls on worker threads and hand their results back on the GUI thread.

Anki's pattern (an operation with success and failure callbacks run in the background) on a
plain `ThreadPoolExecutor`: the completion travels through a queued signal, so callbacks
always run on the thread that owns the runner. A cancelled task's callbacks never run, which
is how a product switch drops the answers for the product that is no longer shown.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

SuccessCallback = Callable[[Any], None]
FailureCallback = Callable[[Exception], None]


@dataclass(eq=False)
class Task:
    name: str
    on_success: SuccessCallback | None = None
    on_failure: FailureCallback | None = None
    _cancelled: threading.Event = field(default_factory=threading.Event, repr=False)
    future: Future[Any] | None = field(default=None, repr=False)

    def cancel(self) -> None:
        """Drop the result; a task already running finishes, but nobody hears of it."""
        self._cancelled.set()
        if self.future is not None:
            self.future.cancel()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()


@dataclass(frozen=True)
class _Completion:
    task: Task
    result: Any = None
    error: Exception | None = None


class TaskRunner(QObject):
    """A pool of `max_workers` threads. With one worker, tasks run strictly in order."""

    _completed = Signal(object)

    def __init__(self, name: str, max_workers: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._executor = ThreadPoolExecutor(max_workers, thread_name_prefix=f"pim-{name}")
        self._closed = False
        self._completed.connect(self._deliver)

    def submit(self, name: str, work: Callable[[], Any], *,
               on_success: SuccessCallback | None = None,
               on_failure: FailureCallback | None = None) -> Task:
        task = Task(name, on_success, on_failure)
        if self._closed:
            task.cancel()
            return task
        task.future = self._executor.submit(self._run, task, work)
        return task

    def _run(self, task: Task, work: Callable[[], Any]) -> None:
        if task.cancelled:
            return
        try:
            completion = _Completion(task, result=work())
        except Exception as exc:  # delivered to on_failure; nothing is swallowed silently
            log.info("%s/%s failed: %s", self._name, task.name, exc)
            completion = _Completion(task, error=exc)
        if not self._closed and not task.cancelled:
            self._completed.emit(completion)

    def _deliver(self, completion: _Completion) -> None:
        task = completion.task
        if self._closed or task.cancelled:
            return
        if completion.error is None:
            if task.on_success is not None:
                task.on_success(completion.result)
        elif task.on_failure is not None:
            task.on_failure(completion.error)
        else:
            log.warning("%s/%s failed with nobody listening: %s", self._name, task.name,
                        completion.error)

    def shutdown(self, wait: bool = False) -> None:
        """Stops delivering results and drops queued tasks; running ones end on their own."""
        self._closed = True
        self._executor.shutdown(wait=wait, cancel_futures=True)
