"""Each card's picture is downloaded once, however often the grid repaints (issue 11)."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from tests.ui.conftest import settle_pictures


def test_each_card_of_the_first_screen_is_downloaded_once(qtbot: QtBot, emulator_factory,
                                                          open_store) -> None:
    emulator = emulator_factory(catalog="demo", cdn_latency_ms=20)
    page = open_store(emulator, product_id=1)
    for _ in range(5):  # repaints while pictures arrive ask for the missing ones again
        page.grid.viewport().repaint()
        QCoreApplication.processEvents()
    settle_pictures(qtbot, page)
    prefix = f"/bcapp/{emulator.config.store_hash}/products/1/images/"
    per_card = Counter(r.path.split("/")[6] for r in emulator.cdn_requests()
                       if r.path.startswith(prefix) and ".220.290." in r.path)
    visible = {str(image_id) for image_id in page.grid.visible_image_ids()}
    assert visible <= set(per_card)
    assert set(per_card.values()) == {1}, per_card
