"""No signal from a worker may reach a deleted object, and none may fail the worker's work."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from app.api.rate_limit import RateLimitSnapshot
from app.services.session import StoreInfo, StoreSession
from app.services.tasks import TaskRunner
from app.services.worker_signals import WorkerSignal
from tests.ui.conftest import oauth_for


class _Worker:
    """Runs `work` on a plain thread and keeps what it returned or raised."""

    def __init__(self, work: Callable[[], Any]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], Any]) -> None:
        try:
            self.result = work()
        except BaseException as exc:  # noqa: BLE001 - the test looks at it
            self.error = exc

    def join(self) -> None:
        self._thread.join(15)
        assert not self._thread.is_alive()


def _hold_after_headers(session: StoreSession, monkeypatch: pytest.MonkeyPatch
                        ) -> tuple[threading.Event, threading.Event]:
    """Stops the request between reading the answer's rate-limit headers and reporting
    them (where the session's signal is emitted), until the test lets it go on."""
    limiter = session.client.transport.rate_limiter
    original = limiter.observe
    reached, go_on = threading.Event(), threading.Event()

    def observe(headers):  # type: ignore[no-untyped-def]
        snapshot = original(headers)
        reached.set()
        go_on.wait(15)
        return snapshot

    monkeypatch.setattr(limiter, "observe", observe)
    return reached, go_on


@pytest.mark.parametrize("closed_first", [False, True], ids=["deleted", "closed-and-deleted"])
def test_a_session_deleted_mid_request_does_not_fail_the_request(
        qtbot: QtBot, empty_emulator, monkeypatch: pytest.MonkeyPatch,
        closed_first: bool) -> None:
    product = empty_emulator.add_product("Mug", "MUG-1", image_count=2)
    session = StoreSession(StoreInfo("Demo", oauth_for(empty_emulator)), cache_dir=None)
    client = session.client
    seen: list[RateLimitSnapshot] = []
    session.rateLimitChanged.connect(seen.append)
    reached, go_on = _hold_after_headers(session, monkeypatch)
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)

    worker = _Worker(lambda: client.list_images(product))
    assert reached.wait(15)
    if closed_first:
        session.close()
    shiboken6.delete(session)      # what deleteLater does once the event loop runs
    assert not shiboken6.isValid(session)
    go_on.set()
    worker.join()

    assert worker.error is None, repr(worker.error)
    assert [image.product_id for image in worker.result] == [product, product]
    qtbot.wait(50)  # let anything queued arrive: nothing may, the receiver is gone
    assert not seen and not unraisable
    client.close()


def test_rate_limit_news_still_reaches_a_live_session(qtbot: QtBot, empty_emulator) -> None:
    product = empty_emulator.add_product("Mug", "MUG-1", image_count=1)
    session = StoreSession(StoreInfo("Demo", oauth_for(empty_emulator)), cache_dir=None)
    try:
        with qtbot.waitSignal(session.rateLimitChanged, timeout=15000) as blocker:
            worker = _Worker(lambda: session.client.list_images(product))
        worker.join()
        assert isinstance(blocker.args[0], RateLimitSnapshot) and worker.error is None
    finally:
        session.close()


class _Receiver(QObject):
    fired = Signal(object)


def test_a_worker_signal_stops_at_close_and_at_deletion(qtbot: QtBot) -> None:
    receiver = _Receiver()
    heard: list[object] = []
    receiver.fired.connect(heard.append)
    relay = WorkerSignal(receiver, receiver.fired)
    worker = _Worker(lambda: relay.emit(1))
    worker.join()
    qtbot.waitUntil(lambda: heard == [1])
    relay.close()
    _Worker(lambda: relay.emit(2)).join()
    shiboken6.delete(receiver)
    other = WorkerSignal(_Receiver(), _Receiver().fired)
    worker = _Worker(lambda: other.emit(3))  # its receiver died at once: dropped quietly
    worker.join()
    assert worker.error is None and heard == [1]


def test_a_task_runner_deleted_mid_task_does_not_raise_in_its_worker(
        qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    errors: list[Any] = []
    monkeypatch.setattr(threading, "excepthook", errors.append)
    runner = TaskRunner("t", max_workers=1)
    started, finish = threading.Event(), threading.Event()

    def work() -> int:
        started.set()
        finish.wait(15)
        return 1

    runner.submit("slow", work)
    assert started.wait(15)
    threads = list(runner._threads)
    shiboken6.delete(runner)       # e.g. its session was deleted with the window
    finish.set()
    for thread in threads:         # a deleted runner's workers end instead of waiting on
        thread.join(15)
        assert not thread.is_alive()
    assert not errors


def test_a_thumbnail_loader_deleted_mid_download_does_not_raise_in_its_worker(
        qtbot: QtBot, emulator_factory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checked, not changed: the loader's workers already take a deleted loader quietly."""
    from PySide6.QtCore import QSize

    from app.api import ImageDownloader, StoreClient
    from app.services.thumbnails import ThumbnailLoader

    emulator = emulator_factory(catalog="empty", cdn_latency_ms=300)
    product = emulator.add_product("Mug", "MUG-1", image_count=1)
    url = StoreClient(oauth_for(emulator)).list_images(product)[0].tiny_url
    errors: list[Any] = []
    monkeypatch.setattr(threading, "excepthook", errors.append)
    downloader = ImageDownloader()
    loader = ThumbnailLoader(downloader, cache=None, workers=1)
    threads = list(loader._threads)
    loader.request(1, url, QSize(44, 44))
    qtbot.waitUntil(lambda: bool(emulator.cdn_requests()), timeout=15000)
    shiboken6.delete(loader)
    for thread in threads:  # its one worker finished the download, found nobody, and ended
        thread.join(15)
        assert not thread.is_alive()
    assert not errors
    downloader.close()


def test_a_thumbnail_loader_deleted_while_idle_ends_its_workers(qtbot: QtBot) -> None:
    """Its session deleted without shutdown() (a window closed in a hurry): the workers waiting
    for pictures to load end instead of waiting for ever."""
    from app.api import ImageDownloader
    from app.services.thumbnails import ThumbnailLoader

    downloader = ImageDownloader()
    loader = ThumbnailLoader(downloader, cache=None, workers=3)
    threads = list(loader._threads)
    shiboken6.delete(loader)
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive()
    downloader.close()
