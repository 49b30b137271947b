"""Ids beyond 2**31 pass through the window's signals whole (an `int` signal truncates them)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.ui.image_model import ImageRoles, PictureState
from tests.ui.conftest import settle_pictures

BIG = 2**40


def start_ids_at(emulator, first_id: int) -> None:  # type: ignore[no-untyped-def]
    """The emulator's next product and image ids (SQLite AUTOINCREMENT continues from here)."""
    with emulator._running_store()._transaction() as db:
        for table in ("products", "images"):
            db.execute("DELETE FROM sqlite_sequence WHERE name = ?", (table,))
            db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                       (table, first_id - 1))


def test_a_product_and_images_with_ids_past_2_to_the_31(qtbot: QtBot, empty_emulator,
                                                         open_store) -> None:
    start_ids_at(empty_emulator, BIG)
    product_id = empty_emulator.add_product("Huge ids", "BIG-1", image_count=3)
    assert product_id == BIG
    page = open_store(empty_emulator)  # opens the first (only) product
    qtbot.waitUntil(lambda: page.image_model.product_id == BIG, timeout=15000)
    with qtbot.waitSignal(page.imagesLoaded, timeout=15000) as loaded:
        page.reload_images()
    assert loaded.args == [BIG, 3]
    status = page.window().status
    assert (status.product_label.text(), status.images_label.text()) == ("Huge ids", "3 images")
    settle_pictures(qtbot, page)
    for row in range(3):
        index = page.image_model.index(row)
        assert index.data(ImageRoles.ImageId) >= BIG
        assert index.data(ImageRoles.PictureState) == PictureState.LOADED
        assert index.data(Qt.ItemDataRole.DecorationRole) is not None
