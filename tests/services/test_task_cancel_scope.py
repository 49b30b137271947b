"""Cancelling a task stops its API call where it waits on the store, not only its answer."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from app.api import OAuthCredentials, StoreClient
from app.services.tasks import TaskRunner
from tests.support.emulator_fixtures import EmulatorFactory


def test_a_cancelled_task_stops_its_request_in_flight(
        qtbot: QtBot, emulator_factory: EmulatorFactory) -> None:
    emulator = emulator_factory(catalog="demo", latency_ms=6_000)  # the store answers in 6 s
    credentials = OAuthCredentials(emulator.config.store_hash, emulator.config.access_token,
                                   api_base=emulator.oauth_api_base)
    client = StoreClient(credentials)
    runner = TaskRunner("test", max_workers=1)
    ended = threading.Event()

    def slow_read() -> object:
        try:
            return client.list_images(1)
        finally:
            ended.set()

    heard: list[object] = []
    task = runner.submit("slow", slow_read, on_success=heard.append, on_failure=heard.append)
    qtbot.waitUntil(lambda: len(emulator.requests()) == 1, timeout=5000)  # the read is waiting
    task.cancel()
    assert ended.wait(3), "the request kept its worker after the task was cancelled"
    qtbot.wait(50)  # let a (wrong) callback through the queued signal, if one were sent
    assert heard == []
    runner.shutdown()
    client.close()
