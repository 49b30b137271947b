"""A task's interim results reach the GUI thread before its final one, and not once the task
is cancelled (the listing shown before its page boundaries are checked)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from pytestqt.qtbot import QtBot

from app.services.tasks import TaskRunner


def test_interim_results_come_in_order_on_the_gui_thread_before_the_final_one(
        qtbot: QtBot) -> None:
    runner = TaskRunner("test", max_workers=1)
    heard: list[tuple[str, object, bool]] = []

    def on_gui_thread() -> bool:
        return threading.current_thread() is threading.main_thread()

    def work(interim: Callable[[object], None]) -> str:
        interim(1)
        interim(2)
        return "done"

    runner.submit("listing", work,
                  on_interim=lambda value: heard.append(("interim", value, on_gui_thread())),
                  on_success=lambda value: heard.append(("final", value, on_gui_thread())))
    qtbot.waitUntil(lambda: len(heard) == 3, timeout=5000)
    assert heard == [("interim", 1, True), ("interim", 2, True), ("final", "done", True)]
    runner.shutdown()


def test_a_cancelled_task_hands_over_nothing_more(qtbot: QtBot) -> None:
    runner = TaskRunner("test", max_workers=1)
    started, release, sent = threading.Event(), threading.Event(), threading.Event()
    heard: list[object] = []

    def work(interim: Callable[[object], None]) -> str:
        started.set()
        release.wait(5)
        interim("late")
        sent.set()
        return "done"

    task = runner.submit("listing", work, on_interim=heard.append, on_success=heard.append)
    assert started.wait(5)
    task.cancel()
    release.set()
    assert sent.wait(5)
    qtbot.wait(50)  # a (wrong) delivery would be through by now
    assert heard == []
    runner.shutdown()


def test_without_on_interim_the_work_takes_no_argument(qtbot: QtBot) -> None:
    runner = TaskRunner("test", max_workers=1)
    heard: list[object] = []
    runner.submit("plain", lambda: "done", on_success=heard.append)
    qtbot.waitUntil(lambda: heard == ["done"], timeout=5000)
    runner.shutdown()
