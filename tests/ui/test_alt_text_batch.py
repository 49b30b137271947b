"""Alt text for many images: the Edit menu's "Alt text for N images…" opens a dialog with a
template or find and replace, only-empty, and a live preview; OK applies exactly what the
preview counted, as one undoable edit; the store ends with the exact texts."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.api import ImageChanges, StoreClient
from app.ui.batch_alt_text import BatchAltTextDialog
from app.ui.image_model import ImageRoles
from app.ui.main_window import MainWindow
from app.ui.store_page import StorePage
from tests.ui.conftest import oauth_for
from tests.ui.test_alt_text_in_place import make_current, ready

TEXTS = ["Blue tote, front view", "blue TOTE side View", "", "Red bag", "tote strap detail",
         ""]


@pytest.fixture
def tote(empty_emulator):  # type: ignore[no-untyped-def]
    """A product of six images with the TEXTS as alt text; (emulator, product id, image ids)."""
    product_id = empty_emulator.add_product("Canvas Tote", "TOTE-001", len(TEXTS))
    client = StoreClient(oauth_for(empty_emulator))
    try:
        images = client.all_images(product_id)
        for image, text in zip(images, TEXTS):
            client.update_image(product_id, image.id, ImageChanges(description=text))
        return empty_emulator, product_id, [image.id for image in images]
    finally:
        client.close()


def store_state(emulator, product_id: int) -> dict[int, tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Image id -> (alt text, image file), as the store has them."""
    client = StoreClient(oauth_for(emulator))
    try:
        return {image.id: (image.description or "", image.image_file)
                for image in client.all_images(product_id)}
    finally:
        client.close()


def batch_action(window: MainWindow):  # type: ignore[no-untyped-def]
    return next(action for action in window.edit_menu.actions()
                if action.text().startswith("Alt text for"))


def open_dialog(qtbot: QtBot, page: StorePage, window: MainWindow) -> BatchAltTextDialog:
    batch_action(window).trigger()
    dialog = page.batch_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    return dialog


def stem(image_file: str) -> str:
    return re.sub(r"__\d+$", "", PurePosixPath(image_file).stem)


def test_a_template_for_three_selected_images_sets_exactly_their_texts(
        qtbot: QtBot, tote, open_store) -> None:
    emulator, product_id, ids = tote
    page = open_store(emulator, product_id)
    window = ready(qtbot, page)
    before = store_state(emulator, product_id)
    make_current(page, 1)
    qtbot.keyClick(page.grid, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(page.grid, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert batch_action(window).text() == "Alt text for 3 images…"

    dialog = open_dialog(qtbot, page, window)
    assert dialog.scope_selected.isChecked()
    qtbot.keyClicks(dialog.template, "{product} ({sku}) #{position}: ")
    qtbot.mouseClick(dialog.field_buttons["filename"], Qt.MouseButton.LeftButton)
    assert dialog.template.text() == "{product} ({sku}) #{position}: {filename}"
    assert dialog.summary.text() == "3 images will change"
    assert dialog.preview.topLevelItemCount() == 3
    assert dialog.ok_button.text() == "Change 3 images"
    assert store_state(emulator, product_id) == before  # nothing applied before OK

    qtbot.keyClick(dialog.template, Qt.Key.Key_Return)  # OK is the default button
    assert page.batch_dialog is None
    assert window.undo_action.text() == "Undo Change alt text of 3 images"
    expected = {image_id: before[image_id][0] for image_id in ids}
    for position in (2, 3, 4):
        image_id = ids[position - 1]
        expected[image_id] = (f"Canvas Tote (TOTE-001) #{position}: "
                              f"{stem(before[image_id][1])}")
    qtbot.waitUntil(lambda: {image_id: text for image_id, (text, _)
                             in store_state(emulator, product_id).items()} == expected,
                    timeout=15000)


def test_find_and_replace_minds_the_case_option_and_one_undo_takes_it_all_back(
        qtbot: QtBot, tote, open_store) -> None:
    emulator, product_id, ids = tote
    page = open_store(emulator, product_id)
    window = ready(qtbot, page)
    assert batch_action(window).text() == "Alt text for 6 images…"  # no selection: all
    dialog = open_dialog(qtbot, page, window)
    qtbot.mouseClick(dialog.use_replace, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.find, "tote")
    qtbot.keyClicks(dialog.replacement, "bag")
    assert not dialog.only_empty.isEnabled()  # find and replace never changes an empty text
    assert dialog.summary.text() == "3 images will change"  # any case
    dialog.match_case.setFocus()
    qtbot.keyClick(dialog.match_case, Qt.Key.Key_Space)
    assert dialog.match_case.isChecked()
    assert dialog.summary.text() == "2 images will change"  # "tote" as written
    shown = [(dialog.preview.topLevelItem(n).text(1), dialog.preview.topLevelItem(n).text(2))
             for n in range(dialog.preview.topLevelItemCount())]
    assert shown == [("Blue tote, front view", "Blue bag, front view"),
                     ("tote strap detail", "bag strap detail")]
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert window.undo_action.text() == "Undo Change alt text of 2 images"
    changed = ["Blue bag, front view", "blue TOTE side View", "", "Red bag",
               "bag strap detail", ""]
    qtbot.waitUntil(lambda: [store_state(emulator, product_id)[image_id][0]
                             for image_id in ids] == changed, timeout=15000)

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    page.grid.setFocus()
    qtbot.keyClick(page.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: [store_state(emulator, product_id)[image_id][0]
                             for image_id in ids] == TEXTS, timeout=15000)


def test_only_empty_fills_the_empty_ones_and_the_preview_count_is_what_is_applied(
        qtbot: QtBot, tote, open_store) -> None:
    emulator, product_id, ids = tote
    page = open_store(emulator, product_id)
    window = ready(qtbot, page)
    make_current(page, 0)  # one card selected: the batch is for the whole product
    dialog = open_dialog(qtbot, page, window)
    assert not dialog.scope_selected.isVisible() or dialog.scope_all.isChecked()
    qtbot.keyClicks(dialog.template, "{product} photo {position}")
    assert dialog.summary.text() == "6 images will change"
    assert dialog.preview.topLevelItemCount() == 5 and dialog.more.text() == "…and 1 more image"
    dialog.only_empty.setFocus()
    qtbot.keyClick(dialog.only_empty, Qt.Key.Key_Space)
    assert dialog.summary.text() == "2 images will change"
    counted = dialog.preview.topLevelItemCount()
    puts_before = sum(1 for r in emulator.requests() if r.method == "PUT")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    filled = [TEXTS[0], TEXTS[1], "Canvas Tote photo 3", TEXTS[3], TEXTS[4],
              "Canvas Tote photo 6"]
    qtbot.waitUntil(lambda: [store_state(emulator, product_id)[image_id][0]
                             for image_id in ids] == filled, timeout=15000)
    qtbot.waitUntil(lambda: page.session.queue.counts() == (0, 0, 0), timeout=15000)
    assert sum(1 for r in emulator.requests() if r.method == "PUT") - puts_before == counted


def test_an_unknown_field_is_named_and_nothing_can_be_applied(qtbot: QtBot, tote,
                                                             open_store) -> None:
    emulator, product_id, _ = tote
    page = open_store(emulator, product_id)
    window = ready(qtbot, page)
    dialog = open_dialog(qtbot, page, window)
    qtbot.keyClicks(dialog.template, "{colour} {product}")
    assert not dialog.ok_button.isEnabled()
    assert dialog.warning.text().startswith("{colour} is not a field")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert page.batch_dialog is None and page.editor.undo_stack.count() == 0


def test_the_card_menu_offers_both(qtbot: QtBot, tote, open_store) -> None:
    emulator, product_id, _ = tote
    page = open_store(emulator, product_id)
    ready(qtbot, page)
    grid = page.grid
    make_current(page, 1)
    qtbot.keyClick(grid, Qt.Key.Key_Menu)
    menu = grid.context_menu.last_menu
    edit = next(a for a in menu.actions() if a.text() == "Edit alt text")
    menu.close()
    edit.trigger()
    editor = page.card_text.editor()
    assert editor is not None and editor.row.key == page.image_model.index(1).data(
        ImageRoles.RowKey)
    qtbot.keyClick(editor, Qt.Key.Key_Escape)

    qtbot.keyClick(grid, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(grid, Qt.Key.Key_Menu)
    menu = grid.context_menu.last_menu
    texts = [a.text() for a in menu.actions()]
    assert "Edit alt text" not in texts  # one card's verb, not for a selection
    batch = next(a for a in menu.actions() if a.text() == "Alt text for 2 images…")
    menu.close()
    batch.trigger()
    dialog = page.batch_dialog
    assert dialog is not None and dialog.scope_selected.isChecked()
    assert [image.position for image in dialog.images()] == [2, 3]
    dialog.reject()
