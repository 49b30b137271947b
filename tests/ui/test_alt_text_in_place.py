"""Alt text written on the card itself: F2, Enter or a double-click on the caption opens an
editor over the caption; Enter or leaving saves through the page's editor (undoable, queued),
Esc cancels, Tab goes on to the next card. Nothing typed is lost when rows change under it."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from pytestqt.qtbot import QtBot

from app.api import StoreClient
from app.services.alt_text_batch import MAX_ALT_TEXT
from app.services.edit_verbs import add_edit, thumbnail_edit
from app.ui.card_editor import CaptionEditor
from app.ui.image_model import ImageRoles
from app.ui.main_window import MainWindow
from app.ui.plain_text import tooltip
from app.ui.store_page import StorePage
from tests.ui.conftest import oauth_for


def store_texts(emulator, image_ids: list[int], product_id: int = 1) -> list[str]:  # type: ignore[no-untyped-def]
    client = StoreClient(oauth_for(emulator))
    try:
        return [client.get_image(product_id, image_id).description or ""
                for image_id in image_ids]
    finally:
        client.close()


def puts(emulator) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for request in emulator.requests() if request.method == "PUT")


def ready(qtbot: QtBot, page: StorePage, rows: int = 6) -> MainWindow:
    window = page.window()
    assert isinstance(window, MainWindow)
    qtbot.waitUntil(lambda: page.image_model.rowCount() >= rows, timeout=15000)
    # Its name and SKU ({product}, {sku}) come a moment after its images, at times.
    qtbot.waitUntil(lambda: page.current_product is not None, timeout=15000)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    page.grid.setFocus()
    return window


def make_current(page: StorePage, row: int) -> None:
    page.grid.selectionModel().setCurrentIndex(
        page.image_model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)


def open_editor(page: StorePage) -> CaptionEditor | None:
    return page.card_text.editor()


def test_f2_opens_the_card_editor_and_enter_saves_to_the_store(qtbot: QtBot, emulator,
                                                              open_store) -> None:
    page = open_store(emulator, 1)
    window = ready(qtbot, page)
    make_current(page, 2)
    image_id = page.image_model.index(2).data(ImageRoles.ImageId)
    before = page.image_model.image_at(2).description or ""

    qtbot.keyClick(page.grid, Qt.Key.Key_F2)
    editor = open_editor(page)
    assert editor is not None and editor.hasFocus()
    assert editor.text() == before and editor.selectedText() == before
    # Over the card's caption, not over its picture.
    card = page.grid.card_rect(page.image_model.index(2))
    assert card.contains(editor.geometry().center())
    assert editor.geometry().top() > page.grid.itemDelegate().geometry().picture_rect(
        card).bottom()
    qtbot.keyClicks(editor, "Tote  on a  bench")
    # One line, the store's limit, and the whole text in the tooltip (the field is narrow).
    assert editor.maxLength() == MAX_ALT_TEXT
    assert editor.toolTip() == tooltip("Tote  on a  bench")
    qtbot.keyClick(editor, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: open_editor(page) is None, timeout=5000)
    assert page.grid.hasFocus()
    qtbot.waitUntil(lambda: store_texts(emulator, [image_id]) == ["Tote on a bench"],
                    timeout=15000)
    assert window.undo_action.text() == "Undo Change alt text"  # through the undo stack


def test_enter_on_the_current_card_edits_and_leaving_the_editor_saves(qtbot: QtBot, emulator,
                                                                     open_store) -> None:
    page = open_store(emulator, 1)
    ready(qtbot, page)
    make_current(page, 1)
    image_id = page.image_model.index(1).data(ImageRoles.ImageId)
    qtbot.keyClick(page.grid, Qt.Key.Key_Return)
    editor = open_editor(page)
    assert editor is not None
    qtbot.keyClicks(editor, "Saved on the way out")
    page.search_field.setFocus()  # focus leaves the editor
    qtbot.waitUntil(lambda: open_editor(page) is None, timeout=5000)
    qtbot.waitUntil(lambda: store_texts(emulator, [image_id]) == ["Saved on the way out"],
                    timeout=15000)


def test_tab_saves_and_moves_to_the_next_card_shift_tab_back(qtbot: QtBot, emulator,
                                                             open_store) -> None:
    page = open_store(emulator, 1)
    window = ready(qtbot, page)
    model = page.image_model
    make_current(page, 3)
    ids = [model.index(row).data(ImageRoles.ImageId) for row in (3, 4)]
    qtbot.keyClick(page.grid, Qt.Key.Key_F2)
    qtbot.keyClicks(open_editor(page), "Third picture")
    qtbot.keyClick(open_editor(page), Qt.Key.Key_Tab)
    editor = open_editor(page)
    assert editor is not None and editor.hasFocus()
    assert page.grid.currentIndex().row() == 4 and editor.row.key == model.index(4).data(
        ImageRoles.RowKey)
    qtbot.keyClicks(editor, "Fourth picture")
    qtbot.keyClick(editor, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    editor = open_editor(page)
    assert editor is not None and page.grid.currentIndex().row() == 3
    qtbot.waitUntil(lambda: editor.text() == "Third picture", timeout=5000)  # its saved text
    qtbot.keyClick(editor, Qt.Key.Key_Escape)

    qtbot.waitUntil(lambda: store_texts(emulator, ids) == ["Third picture", "Fourth picture"],
                    timeout=15000)
    assert window.undo_action.text() == "Undo Change alt text"
    assert page.editor.undo_stack.count() == 2  # one step per card


def test_escape_cancels_and_sends_nothing(qtbot: QtBot, emulator, open_store) -> None:
    page = open_store(emulator, 1)
    ready(qtbot, page)
    make_current(page, 1)
    before = page.image_model.image_at(1).description or ""
    sent = puts(emulator)
    qtbot.keyClick(page.grid, Qt.Key.Key_F2)
    editor = open_editor(page)
    qtbot.keyClicks(editor, "Never mind")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert open_editor(page) is None
    assert page.grid.hasFocus()
    page.search_field.setFocus()  # and leaving afterwards saves nothing either
    qtbot.wait(50)  # let a (wrongly) queued save run, if there were one
    assert page.editor.undo_stack.count() == 0
    assert page.session.queue.counts() == (0, 0, 0)
    assert (page.image_model.image_at(1).description or "") == before
    assert puts(emulator) == sent


def test_typing_survives_an_upload_landing_above(qtbot: QtBot, emulator, open_store) -> None:
    page = open_store(emulator, 1)
    ready(qtbot, page)
    model = page.image_model
    make_current(page, 3)
    key = model.index(3).data(ImageRoles.RowKey)
    image_id = model.index(3).data(ImageRoles.ImageId)
    qtbot.keyClick(page.grid, Qt.Key.Key_F2)
    editor = open_editor(page)
    qtbot.keyClicks(editor, "Half typed")

    # An image added in front of the grid (an upload landing): every row below shifts.
    url = model.image_at(0).zoom_url
    count = model.rowCount()
    page.editor.apply(1, add_edit(page.view_rows(), urls=[url], position=0))
    qtbot.waitUntil(lambda: model.rowCount() == count + 1, timeout=5000)
    assert model.index(4).data(ImageRoles.RowKey) == key  # the card moved one place on
    assert open_editor(page) is editor and editor.text() == "Half typed"
    qtbot.waitUntil(lambda: page.grid.card_rect(model.index(4)).contains(
        editor.geometry().center()), timeout=5000)  # the editor went with its card
    qtbot.waitUntil(lambda: page.session.queue.counts() == (0, 0, 0), timeout=15000)
    assert open_editor(page) is editor and editor.text() == "Half typed"  # upload done
    # The card itself changes meanwhile (it becomes the thumbnail): the typing stays.
    page.editor.apply(1, thumbnail_edit(page.view_rows(), key))
    qtbot.waitUntil(lambda: model.index(4).data(ImageRoles.Image).is_thumbnail, timeout=5000)
    assert open_editor(page) is editor and editor.text() == "Half typed"

    qtbot.keyClicks(editor, ", then finished")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: store_texts(emulator, [image_id]) == ["Half typed, then finished"],
                    timeout=15000)


def test_double_click_on_the_caption_edits_on_the_picture_opens_the_preview(
        qtbot: QtBot, emulator, open_store) -> None:
    page = open_store(emulator, 1)
    ready(qtbot, page)
    grid = page.grid
    index = page.image_model.index(1)
    card = grid.card_rect(index)
    geometry = grid.itemDelegate().geometry()
    caption = geometry.text_rect(card).center()
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=caption)
    qtbot.mouseDClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=caption)
    editor = open_editor(page)
    assert editor is not None and editor.row.key == index.data(ImageRoles.RowKey)
    assert not grid.preview_is_open()
    qtbot.keyClick(editor, Qt.Key.Key_Escape)

    picture: QPoint = geometry.picture_rect(card).center()
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=picture)
    qtbot.mouseDClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=picture)
    assert grid.preview_is_open() and open_editor(page) is None


def test_text_being_typed_is_saved_when_the_grid_reloads_under_it(qtbot: QtBot, emulator,
                                                                 open_store) -> None:
    page = open_store(emulator, 1)
    window = ready(qtbot, page)
    make_current(page, 2)
    image_id = page.image_model.index(2).data(ImageRoles.ImageId)
    qtbot.keyClick(page.grid, Qt.Key.Key_F2)
    editor = open_editor(page)
    qtbot.keyClicks(editor, "Typed, then Refresh")
    refresh = window.refresh_action.shortcuts()[0][0]
    qtbot.keyClick(editor, refresh.key(), refresh.keyboardModifiers())  # the rows all go
    assert window.undo_action.text() == "Undo Change alt text"
    qtbot.waitUntil(lambda: store_texts(emulator, [image_id]) == ["Typed, then Refresh"],
                    timeout=15000)


def test_text_being_typed_is_sent_when_the_window_closes(qtbot: QtBot, emulator,
                                                        open_store) -> None:
    page = open_store(emulator, 1)
    window = ready(qtbot, page)
    make_current(page, 2)
    image_id = page.image_model.index(2).data(ImageRoles.ImageId)
    qtbot.keyClick(page.grid, Qt.Key.Key_F2)
    qtbot.keyClicks(open_editor(page), "Typed, then closed")
    window.close()  # drains the write queue for a few seconds
    qtbot.waitUntil(lambda: store_texts(emulator, [image_id]) == ["Typed, then closed"],
                    timeout=15000)


def test_the_details_pane_shows_the_beginning_of_a_long_alt_text(qtbot: QtBot, emulator,
                                                                 open_store) -> None:
    page = open_store(emulator, 1)
    ready(qtbot, page)
    make_current(page, 2)
    long_text = "Canvas tote bag hanging on a wooden peg in a sunny hallway, front view"
    qtbot.keyClick(page.grid, Qt.Key.Key_F2)
    qtbot.keyClicks(open_editor(page), long_text)
    qtbot.keyClick(open_editor(page), Qt.Key.Key_Return)
    details = page.details.alt_editor
    qtbot.waitUntil(lambda: details.text() == long_text, timeout=5000)
    assert details.cursorPosition() == 0  # "Canvas tote…", not "…front view"


def test_the_grid_tells_screen_readers_how_to_write_alt_text(qtbot: QtBot, emulator,
                                                             open_store) -> None:
    page = open_store(emulator, 1)
    assert page.grid.accessibleDescription().endswith(
        "Alt text: F2 or Enter writes the current image's alt text on its card.")
    page.card_text.set_editable(False)  # a session that cannot keep changes: no such promise
    assert "Alt text" not in page.grid.accessibleDescription()
    assert not page.card_text.action.isEnabled()
