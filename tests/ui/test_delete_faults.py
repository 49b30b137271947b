"""A delete while the store fails: dropped connections and 500s are retried until the images
are gone; a delete the store keeps refusing brings its card back with the reason, and the
Undo bar steps aside for it."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.services.image_state import Badge
from app.store_emulator import Faults
from app.ui import image_editor
from app.ui.image_model import ImageRoles
from tests.support.image_verbs import (delete_requests, select_rows, shown_ids, store_order,
                                       wait_until_sent)

PRODUCT = 6
ONLY_DELETES = frozenset({"DELETE"})


def _open(qtbot: QtBot, open_store, emulator, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(image_editor, "DELETE_HOLD_S", 0.5)
    page = open_store(emulator, PRODUCT)
    qtbot.waitUntil(lambda: page.image_model.rowCount() == 11, timeout=15000)
    page.verbs.delete_flow.confirm = lambda question: True
    page.window().ask = lambda *args: True  # closing with a failed change: close anyway
    return page


def test_dropped_connections_and_500s_on_deletes_are_retried_until_gone(
        qtbot: QtBot, emulator, open_store, monkeypatch: pytest.MonkeyPatch) -> None:
    page = _open(qtbot, open_store, emulator, monkeypatch)
    before = shown_ids(page)
    emulator.clear_requests()
    emulator.faults = Faults(drop_rate=0.3, error_rate=0.5, only_methods=ONLY_DELETES)
    select_rows(page, [2, 5])
    assert page.verbs.delete_selected()
    qtbot.waitUntil(lambda: len(shown_ids(page)) == 9, timeout=5000)
    wait_until_sent(qtbot, page, timeout=30000)
    emulator.faults = Faults()
    expected = [image for n, image in enumerate(before) if n not in (2, 5)]
    assert shown_ids(page) == expected
    assert store_order(emulator, PRODUCT) == expected
    assert len(delete_requests(emulator, PRODUCT)) > 2  # some were sent again


def test_a_refused_delete_brings_the_card_back_with_the_reason(
        qtbot: QtBot, emulator, open_store, monkeypatch: pytest.MonkeyPatch) -> None:
    page = _open(qtbot, open_store, emulator, monkeypatch)
    before = shown_ids(page)
    emulator.faults = Faults(error_rate=1.0, only_methods=ONLY_DELETES)
    select_rows(page, [3])
    assert page.verbs.delete_selected()
    bar = page.verbs.undo_bar
    assert bar.isVisible()
    model = page.image_model
    qtbot.waitUntil(lambda: page.session.queue.counts()[2] == 1, timeout=30000)
    qtbot.waitUntil(lambda: shown_ids(page) == before, timeout=5000)  # the card is back
    index = model.index(3)
    assert index.data(ImageRoles.SyncBadge) is Badge.FAILED
    assert index.data(ImageRoles.SyncReason)
    assert not bar.isVisible()  # the card speaks now, with Retry and Discard in its menu
    assert store_order(emulator, PRODUCT) == before
