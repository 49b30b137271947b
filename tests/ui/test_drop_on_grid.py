"""A real drop of files between two cards: the insertion line shows where, the cards appear
there at once, and the store ends with the files' bytes in that place (the whole path: grid
drag events -> upload flow -> checks -> editor -> queue -> store)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QMimeData, QUrl
from pytestqt.qtbot import QtBot

from tests.api.conftest import picture_bytes
from tests.support.image_verbs import (drag_over, drop_at, gutter_before, shown_keys,
                                       store_order, wait_until_sent)

PRODUCT = 6  # 11 images


def test_files_dropped_between_two_cards_land_there_on_the_store(
        qtbot: QtBot, emulator, open_store, tmp_path: Path) -> None:
    page = open_store(emulator, PRODUCT)
    qtbot.waitUntil(lambda: page.image_model.rowCount() == 11, timeout=15000)
    files = []
    for n in range(2):
        files.append(tmp_path / f"new angle {n}.png")
        files[-1].write_bytes(picture_bytes("png", (40 + n, 30)))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in files])
    before = list(store_order(emulator, PRODUCT))
    drag_over(page, mime, [gutter_before(page, 4)])
    assert page.grid.dragging.indicator.row == 4
    drop_at(page, mime, gutter_before(page, 4))
    qtbot.waitUntil(lambda: page.image_model.rowCount() == 13, timeout=15000)
    keys = shown_keys(page)
    assert all(key.startswith("new:") for key in keys[4:6])  # at once, where the line was
    wait_until_sent(qtbot, page, timeout=30000)
    after = store_order(emulator, PRODUCT)
    assert after[:4] + after[6:] == before
    store = emulator._running_store()
    assert [hashlib.sha256(store.original(image_id)).hexdigest() for image_id in after[4:6]] \
        == [hashlib.sha256(path.read_bytes()).hexdigest() for path in files]
