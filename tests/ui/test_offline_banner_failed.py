"""The offline banner counts only what going online will send: a failed change waits for Retry
on its card, so the banner must not promise it "waits to be sent" (it said so beside
"1 change failed" in the status bar and "Failed" in Pending changes)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.store_emulator import Faults
from tests.support.image_verbs import select_rows

PRODUCT = 6


def test_a_failed_change_is_named_as_failed_not_as_waiting_to_be_sent(
        qtbot: QtBot, emulator, open_store) -> None:
    page = open_store(emulator, PRODUCT)
    qtbot.waitUntil(lambda: page.image_model.rowCount() > 3, timeout=15000)
    page.window().ask = lambda *args: True  # closing with a failed change: close anyway
    queue = page.session.queue
    emulator.faults = Faults(error_rate=1.0, only_methods=frozenset({"PUT"}))
    select_rows(page, [3])
    page.verbs.thumbnail_action.trigger()
    qtbot.waitUntil(lambda: queue.counts() == (0, 0, 1), timeout=30000)
    emulator.faults = Faults()

    page.window().offline_action.setChecked(True)
    qtbot.waitUntil(page.offline_banner.isVisible, timeout=5000)
    text = page.offline_banner.text
    assert "1 change failed: Retry or Discard on its card" in text
    assert "wait" not in text
