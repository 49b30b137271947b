"""Run blocking calls on worker threads and hand their results back on the GUI thread.

Anki's pattern (an operation with success and failure callbacks run in the background): the
completion travels through a queued signal, so callbacks always run on the thread that owns
the runner. A cancelled task's callbacks never run, which is how a product switch drops the
answers for the product that is no longer shown.

The workers are daemon threads, not a `ThreadPoolExecutor`: the executor's threads are joined
when Python exits, so a request stuck on a slow store would keep the process alive for up to
its timeout after the merchant closed the window.
"""

from __future__ import annotations

import enum
import functools
import itertools
import logging
import queue
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, TypeVar

from PySide6.QtCore import QObject, Signal

from app.api.cancellation import cancel_scope
from app.services.worker_signals import WorkerSignal

log = logging.getLogger(__name__)

T = TypeVar("T")
SuccessCallback = Callable[[Any], None]
FailureCallback = Callable[[Exception], None]


class Priority(enum.IntEnum):
    """Lower runs first."""

    URGENT = 0       # the merchant is waiting for it, e.g. the product they clicked
    NORMAL = 1
    BACKGROUND = 2   # nice to have, e.g. image counts in the product list


@dataclass(eq=False)
class Task:
    name: str
    on_success: SuccessCallback | None = None
    on_failure: FailureCallback | None = None
    _cancelled: threading.Event = field(default_factory=threading.Event, repr=False)

    def cancel(self) -> None:
        """Drop the result. A task already running is stopped where it waits on the store
        (its API calls run in a cancel scope: waits end, a read stops within 0.2 s, no retry
        starts); whatever it still returns, nobody hears of it."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()


@dataclass(frozen=True)
class Completion:
    """What a worker hands back to the GUI thread: the result, or the error."""

    task: Task
    result: Any = None
    error: Exception | None = None


def deliver(completion: Completion, runner: str) -> None:
    """Runs the task's callback for its outcome (on the runner's thread), unless cancelled."""
    task = completion.task
    if task.cancelled:
        return
    if completion.error is None:
        if task.on_success is not None:
            task.on_success(completion.result)
    elif task.on_failure is not None:
        task.on_failure(completion.error)
    else:
        log.warning("%s/%s failed with nobody listening: %s", runner, task.name,
                    completion.error)


class Relay(Generic[T]):
    """One value handed from a worker to a function that may be attached before or after it
    arrives: whichever comes second calls the function, on its own thread (so the function
    must be thread-safe). For a listing sent before the screen that uses its first page is
    built: the page attaches its picture prefetch when it can."""

    _NOTHING: Any = object()

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: Any = self._NOTHING
        self._receiver: Callable[[T], None] | None = None

    def deliver(self, value: T) -> None:
        with self._lock:
            receiver, self._value = self._receiver, value
        if receiver is not None:
            receiver(value)

    def attach(self, receiver: Callable[[T], None]) -> None:
        with self._lock:
            value, self._receiver = self._value, receiver
        if value is not self._NOTHING:
            receiver(value)


_STOP = object()
_STOP_PRIORITY = -1  # ahead of everything: a closed runner runs nothing more


class TaskRunner(QObject):
    """`max_workers` daemon threads. With one worker, tasks run strictly in order."""

    _completed = Signal(object)

    def __init__(self, name: str, max_workers: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._max_workers = max_workers
        # (priority, submission number, task, work): the number keeps equal priorities FIFO
        # and spares comparing tasks.
        self._queue: queue.PriorityQueue[tuple[int, int, Any, Any]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._completed.connect(self._deliver)
        # Workers report through this: closed by shutdown() or by the runner's deletion, so
        # a worker never emits on a deleted runner.
        self._completion = WorkerSignal(self, self._completed)
        # Deleted without shutdown() (its parent went): the workers stop too. A plain
        # function, not a method: the runner's wrapper is already gone when it runs.
        self.destroyed.connect(_stopper(self._queue, self._order, self._threads))

    def submit(self, name: str, work: Callable[..., Any], *,
               on_success: SuccessCallback | None = None,
               on_failure: FailureCallback | None = None,
               priority: Priority = Priority.NORMAL,
               on_interim: SuccessCallback | None = None) -> Task:
        """Runs `work()` on a worker. With `on_interim`, `work` takes one argument: a
        thread-safe function that hands a partial result to `on_interim`, on this runner's
        thread and before the final one, unless the task is cancelled by then."""
        task = Task(name, on_success, on_failure)
        if self._closed:
            task.cancel()
            return task
        if on_interim is not None:
            work = functools.partial(work, self._interim_sender(task, on_interim))
        self._queue.put((int(priority), next(self._order), task, work))
        if len(self._threads) < self._max_workers:
            thread = threading.Thread(target=self._work, daemon=True,
                                      name=f"pim-{self._name}-{len(self._threads)}")
            self._threads.append(thread)
            thread.start()
        return task

    def _work(self) -> None:
        while (item := self._queue.get())[2] is not _STOP:
            _, _, task, work = item
            if task.cancelled or self._closed:
                continue
            try:
                with cancel_scope(task._cancelled):
                    completion = Completion(task, result=work())
            except Exception as exc:  # delivered to on_failure; nothing is swallowed silently
                log.info("%s/%s failed: %s", self._name, task.name, exc)
                completion = Completion(task, error=exc)
            if not self._closed and not task.cancelled:
                self._completion.emit(completion)

    def _interim_sender(self, task: Task, on_interim: SuccessCallback
                        ) -> Callable[[Any], None]:
        # Shares the task's cancel flag: cancelling the task drops its interim results too.
        courier = Task(f"{task.name} (interim)", on_interim, None, task._cancelled)

        def send(value: Any) -> None:
            if not self._closed and not courier.cancelled:
                self._completion.emit(Completion(courier, result=value))

        return send

    def _deliver(self, completion: Completion) -> None:
        if not self._closed:
            deliver(completion, self._name)

    def shutdown(self) -> None:
        """Stops delivering results and drops queued tasks; running ones end on their own."""
        self._closed = True
        self._completion.close()
        _stop_workers(self._queue, self._order, self._threads)

    def waiting(self) -> int:
        """How many tasks wait for a worker (not counting those running)."""
        return self._queue.qsize()


def _stop_workers(work: queue.PriorityQueue[tuple[int, int, Any, Any]],
                  order: itertools.count[int], threads: list[threading.Thread]) -> None:
    for _ in threads:
        work.put((_STOP_PRIORITY, next(order), _STOP, None))


def _stopper(work: queue.PriorityQueue[tuple[int, int, Any, Any]],
             order: itertools.count[int], threads: list[threading.Thread]
             ) -> Callable[..., None]:
    return lambda *_: _stop_workers(work, order, threads)
