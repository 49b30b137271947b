"""The product the merchant opens goes ahead of the product list's background requests."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from app.services.session import StoreInfo
from app.services.tasks import Priority, TaskRunner
from tests.ui.conftest import oauth_for


def test_urgent_tasks_jump_the_queue_and_equal_ones_keep_their_order(qtbot: QtBot) -> None:
    runner = TaskRunner("test", max_workers=1)
    gate = threading.Event()
    ran: list[str] = []
    runner.submit("blocker", lambda: gate.wait(10))
    for name in ("count-1", "count-2", "count-3"):
        runner.submit(name, lambda name=name: ran.append(name), priority=Priority.BACKGROUND)
    runner.submit("page", lambda: ran.append("page"))
    runner.submit("images", lambda: ran.append("images"), priority=Priority.URGENT)
    assert runner.waiting() == 5
    gate.set()
    qtbot.waitUntil(lambda: len(ran) == 5, timeout=5000)
    assert ran == ["images", "page", "count-1", "count-2", "count-3"]
    runner.shutdown()


def test_opening_a_product_is_served_before_the_queued_image_counts(
        qtbot: QtBot, emulator_factory, make_window, gui_thread_guard) -> None:
    # Latency keeps the list rows' count requests waiting in the pool when the product opens.
    with gui_thread_guard.paused():
        emulator = emulator_factory(catalog="demo", latency_ms=150)
    window = make_window()
    page = window.open_store(StoreInfo("Slow store", oauth_for(emulator)))
    qtbot.waitUntil(lambda: page.session.reads.waiting() >= 6, timeout=15000)
    queued = page.session.reads.waiting()
    sent_before = len(emulator.requests())
    page.open_product_id(7)
    qtbot.waitUntil(lambda: page.images_ready and page.image_model.product_id == 7,
                    timeout=20000)
    paths = [request.path for request in emulator.requests()]
    opened = paths.index(f"/stores/{emulator.config.store_hash}/v2/products/7/images")
    # Only what was already under way (three workers; product 1's second page) may reach the
    # store between the click and the product's request; the queued counts wait for it.
    assert opened - sent_before <= 4 < queued, (queued, paths[sent_before:])
    assert any(path.endswith("/images/count") for path in paths[opened:])
