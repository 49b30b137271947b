"""The large preview: Space or double-click opens the largest picture over the grid, the
arrows move, Esc or Space closes; the big picture loads on a worker."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from tests.ui.conftest import settle_pictures


def test_space_opens_the_largest_picture_and_the_arrows_move(qtbot: QtBot, emulator,
                                                             open_store,
                                                             gui_thread_guard) -> None:
    page = open_store(emulator, product_id=1)
    settle_pictures(qtbot, page)
    grid, model = page.grid, page.image_model
    grid.setFocus()
    grid.setCurrentIndex(model.index(2))
    grid_picture = model.index(2).data(Qt.ItemDataRole.DecorationRole)
    QTest.keyClick(grid, Qt.Key.Key_Space)
    loupe = grid.preview
    assert grid.preview_is_open() and loupe.hasFocus()
    assert loupe.geometry() == grid.geometry() and loupe.parentWidget() is grid.parentWidget()
    # At once: the grid's picture, scaled up, with the position and the alt text.
    assert loupe.row == 2 and loupe.position_text == "3 of 300"
    assert loupe.shown_url == "" and not loupe.picture_rect().isEmpty()
    assert loupe._picture.cacheKey() == grid_picture.cacheKey()
    image = model.image_at(2)
    assert loupe.caption == (image.description or "No alt text")
    # Then the largest rendition, loaded off the GUI thread (the guard would fail the test).
    qtbot.waitUntil(lambda: loupe.shown_url == image.zoom_url, timeout=10000)
    assert loupe.picture_rect().height() > grid.card_rect(model.index(2)).height()
    # Arrows move; the grid's selection and the details pane follow.
    QTest.keyClick(loupe, Qt.Key.Key_Right)
    assert loupe.row == 3 and loupe.position_text == "4 of 300"
    assert grid.selected_images() == [model.image_at(3)]
    assert page.details.image == model.image_at(3)
    qtbot.waitUntil(lambda: loupe.shown_url == model.image_at(3).zoom_url, timeout=10000)
    QTest.keyClick(loupe, Qt.Key.Key_Left)
    QTest.keyClick(loupe, Qt.Key.Key_Left)
    assert loupe.row == 1
    QTest.keyClick(loupe, Qt.Key.Key_Escape)
    assert not grid.preview_is_open() and grid.hasFocus()
    assert grid.currentIndex().row() == 1
    # Space closes it too.
    QTest.keyClick(grid, Qt.Key.Key_Space)
    assert grid.preview_is_open()
    QTest.keyClick(loupe, Qt.Key.Key_Space)
    assert not grid.preview_is_open()


def test_double_click_and_the_menu_open_the_preview(qtbot: QtBot, emulator, open_store,
                                                    gui_thread_guard) -> None:
    page = open_store(emulator, product_id=1)
    grid, model = page.grid, page.image_model
    card = grid.card_rect(model.index(5))
    QTest.mouseDClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=card.center())
    assert grid.preview_is_open() and grid.preview.row == 5
    QTest.mouseDClick(grid.preview, Qt.MouseButton.LeftButton)
    assert not grid.preview_is_open()
    menu = grid.context_menu.build([model.image_at(7)], grid)
    [open_preview] = [a for a in menu.actions() if a.text() == "Open large preview"]
    open_preview.trigger()
    assert grid.preview_is_open() and grid.preview.row == 7
    # A product switch closes it: its rows are gone.
    page.open_product_id(4)
    assert not grid.preview_is_open()


def test_the_preview_follows_the_grid_size_and_says_when_a_picture_fails(
        qtbot: QtBot, emulator, open_store, gui_thread_guard) -> None:
    page = open_store(emulator, product_id=1)
    settle_pictures(qtbot, page)
    grid = page.grid
    emulator.cdn_faults.error_rate = 1.0
    grid.open_preview(page.image_model.index(0))
    loupe = grid.preview
    qtbot.waitUntil(lambda: loupe.load_error != "", timeout=10000)
    assert loupe.load_error.startswith("The large picture could not be loaded.")
    # The grid's smaller picture stays on screen meanwhile.
    assert not loupe.picture_rect().isEmpty()
    page.window().resize(1100, 760)
    qtbot.waitUntil(lambda: loupe.geometry() == grid.geometry(), timeout=5000)
