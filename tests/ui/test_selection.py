"""Selection: the status bar counts it, the details pane summarises it, Esc clears it, and
the card menu (right-click, Menu key, Shift+F10) copies addresses and ids."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QContextMenuEvent, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QPushButton
from pytestqt.qtbot import QtBot

from app.ui.store_page import StorePage


def select_rows(page: StorePage, rows: list[int]) -> None:
    selection = QItemSelection()
    for row in rows:
        index = page.image_model.index(row)
        selection.select(index, index)
    page.grid.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)


def menu_entries(menu: QMenu) -> dict[str, object]:
    entries: dict[str, object] = {}
    for action in menu.actions():
        if action.menu() is not None:
            entries[action.text()] = menu_entries(action.menu())
        elif not action.isSeparator():
            entries[action.text()] = action
    return entries


def test_opening_a_product_selects_nothing_and_the_details_show_the_product(
        qtbot: QtBot, emulator, open_store, gui_thread_guard) -> None:
    page = open_store(emulator, product_id=1)
    status = page.window().status
    assert not page.grid.selectionModel().hasSelection()
    assert page.grid.currentIndex().row() == 0  # the keyboard starts on the first card
    # What is current-but-unselected is not described as if it were chosen.
    assert page.details.image is None
    assert page.details.title.text() == "300 images"
    missing = sum(1 for image in page.image_model.images() if not image.description)
    assert page.details.fields["missing_alt"].text() == f"{missing} of 300"
    assert status.selection_label.text() == ""


def test_status_bar_and_details_summarise_a_multi_selection(qtbot: QtBot, emulator,
                                                            open_store,
                                                            gui_thread_guard) -> None:
    page = open_store(emulator, product_id=1)
    status = page.window().status
    rows = list(range(12))
    select_rows(page, rows)
    assert status.selection_label.text() == "12 of 300 selected"
    details = page.details
    assert details.image is None
    assert details.title.text() == "12 of 300 images selected"
    missing = sum(1 for row in rows if not page.image_model.image_at(row).description)
    assert details.fields["missing_alt"].text() == f"{missing} of 12"
    assert not details.fields["image_id"].isVisibleTo(details)
    # A strip of the first few pictures, as they arrive.
    qtbot.waitUntil(lambda: len(details.preview.picture_rects()) == 4, timeout=10000)
    # One selected image is described as itself.
    select_rows(page, [4])
    assert status.selection_label.text() == "1 of 300 selected"
    assert details.image == page.image_model.image_at(4)
    assert details.title.text() == "Position 5 of 300"


def test_escape_clears_the_selection(qtbot: QtBot, emulator, open_store,
                                     gui_thread_guard) -> None:
    page = open_store(emulator, product_id=1)
    grid = page.grid
    grid.setFocus()
    select_rows(page, [1, 2, 3])
    QTest.keyClick(grid, Qt.Key.Key_Escape)
    assert not grid.selectionModel().hasSelection()
    assert page.window().status.selection_label.text() == ""
    assert page.details.title.text() == "300 images"


def test_the_card_menu_copies_picture_addresses_and_the_image_id(
        qtbot: QtBot, emulator, open_store, gui_thread_guard) -> None:
    page = open_store(emulator, product_id=1)
    grid = page.grid
    image = page.image_model.image_at(4)
    card = grid.card_rect(page.image_model.index(4))
    # Right-click on a card that is not selected: it becomes the selection, its menu opens.
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, card.center(),
                              grid.viewport().mapToGlobal(card.center()))
    QApplication.sendEvent(grid.viewport(), event)
    menu = grid.context_menu.last_menu
    assert menu is not None and menu.isVisible()
    assert grid.selected_images() == [image]
    entries = menu_entries(menu)
    # The viewing entries (editing screens add their own sections after them).
    assert {"Open large preview", "Copy picture address", "Copy image id"} <= set(entries)
    addresses = entries["Copy picture address"]
    for label, url in [("Largest (zoom)", image.zoom_url), ("Thumbnail", image.thumbnail_url),
                       ("Standard", image.standard_url), ("Tiny", image.tiny_url)]:
        addresses[label].trigger()
        assert QGuiApplication.clipboard().text() == url
    entries["Copy image id"].trigger()
    assert QGuiApplication.clipboard().text() == str(image.id)
    menu.close()
    # The copy buttons left the details pane: the menu is the one place for them.
    assert [button.text() for button in page.details.findChildren(QPushButton)
            if "copy" in button.text().lower()] == []


def test_menu_key_and_shift_f10_open_the_menu_for_the_selection(
        qtbot: QtBot, emulator, open_store, gui_thread_guard) -> None:
    page = open_store(emulator, product_id=1)
    grid = page.grid
    grid.setFocus()
    select_rows(page, [0, 1, 2])
    grid.selectionModel().setCurrentIndex(page.image_model.index(2),
                                          QItemSelectionModel.SelectionFlag.NoUpdate)
    QTest.keyClick(grid, Qt.Key.Key_Menu)
    menu = grid.context_menu.last_menu
    assert menu is not None and menu.isVisible()
    entries = menu_entries(menu)
    # For several cards: no single preview or address, but all their ids.
    assert "Open large preview" not in entries
    entries["Copy 3 image ids"].trigger()
    ids = [str(page.image_model.image_at(row).id) for row in range(3)]
    assert QGuiApplication.clipboard().text().split("\n") == ids
    menu.close()
    grid.context_menu.last_menu = None
    QTest.keyClick(grid, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    assert grid.context_menu.last_menu is not None and grid.context_menu.last_menu.isVisible()
    grid.context_menu.last_menu.close()


def test_editing_screens_can_add_their_actions_to_the_card_menu(
        qtbot: QtBot, emulator, open_store, gui_thread_guard) -> None:
    from PySide6.QtGui import QAction

    page = open_store(emulator, product_id=1)
    grid = page.grid
    delete = QAction("Delete", grid)
    grid.context_menu.add_actions([delete])
    seen = []
    grid.context_menu.add_section(lambda menu, images: seen.append([i.id for i in images]))
    menu = grid.context_menu.build([page.image_model.image_at(0)], grid)
    assert delete in menu.actions()
    assert seen == [[page.image_model.image_at(0).id]]
