"""Undo and redo through the window: Ctrl+Z / Ctrl+Shift+Z, Edit menu entries that name the
change, the history view; the store ends where the merchant last left it."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from app.api import StoreClient
from app.ui.image_model import ImageRoles
from app.ui.main_window import MainWindow
from tests.ui.conftest import oauth_for


def _store_text(emulator, image_id: int) -> str:  # type: ignore[no-untyped-def]
    client = StoreClient(oauth_for(emulator))
    try:
        return client.get_image(1, image_id).description or ""
    finally:
        client.close()


def test_ctrl_z_takes_an_alt_text_back_and_ctrl_shift_z_makes_it_again(
        qtbot: QtBot, emulator, open_store) -> None:
    page = open_store(emulator, 1)
    window = page.window()
    assert isinstance(window, MainWindow)
    model = page.image_model
    qtbot.waitUntil(lambda: model.rowCount() > 2, timeout=15000)
    index = model.index(2)
    image_id = index.data(ImageRoles.ImageId)
    before = model.image_at(2).description or ""
    page.grid.selectionModel().setCurrentIndex(index,
                                               QItemSelectionModel.SelectionFlag.ClearAndSelect)
    editor = page.details.alt_editor
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, "Green tote on a chair")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _store_text(emulator, image_id) == "Green tote on a chair",
                    timeout=15000)
    assert window.undo_action.isEnabled()
    assert window.undo_action.text() == "Undo Change alt text"
    assert window.undo_action in window.edit_menu.actions()

    window.activateWindow()
    page.grid.setFocus()
    qtbot.keyClick(page.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: (model.index_of(image_id).data(ImageRoles.Image).description
                             or "") == before, timeout=5000)
    qtbot.waitUntil(lambda: _store_text(emulator, image_id) == before, timeout=15000)
    assert window.redo_action.text() == "Redo Change alt text"
    assert editor.text() == before  # the details pane follows the card

    qtbot.keyClick(page.grid, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: _store_text(emulator, image_id) == "Green tote on a chair",
                    timeout=15000)
    history = window.history_view.model()
    assert history.rowCount() == 2  # "Opened the store", then the edit
    assert history.index(1, 0).data() == "Change alt text"


def test_the_history_view_opens_from_the_edit_menu(qtbot: QtBot, emulator, open_store) -> None:
    page = open_store(emulator, 1)
    window = page.window()
    assert isinstance(window, MainWindow)
    assert window.history_dock.isHidden()
    window.history_action.trigger()
    assert window.history_dock.isVisible()
    assert window.history_view.model().index(0, 0).data() == "Opened the store"
