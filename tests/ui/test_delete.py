"""Delete (issue 9 §5): one question that says how many and which, a held delete with an Undo
bar above the grid, Undo that means no DELETE ever reaches the store, one bulk request for every
image, focus on the next card."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.ui import image_editor
from app.ui.delete_flow import DeleteQuestion, image_name
from app.ui.image_model import ImageRoles
from app.ui.main_window import MainWindow
from tests.support.image_verbs import (delete_requests, select_rows, shown_ids, shown_keys,
                                       store_order, wait_until_sent)
from tests.ui.conftest import settle_pictures

PRODUCT = 6  # 11 images in the demo store


def _open(qtbot: QtBot, open_store, emulator, answer: bool = True):  # type: ignore[no-untyped-def]
    page = open_store(emulator, PRODUCT)
    qtbot.waitUntil(lambda: page.image_model.rowCount() == 11, timeout=15000)
    window = page.window()
    assert isinstance(window, MainWindow)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    page.grid.setFocus()
    questions: list[DeleteQuestion] = []
    page.verbs.delete_flow.confirm = lambda question: questions.append(question) or answer
    return page, window, questions


def test_delete_asks_once_then_the_store_keeps_them_for_the_hold_and_deletes_after(
        qtbot: QtBot, emulator, open_store) -> None:
    page, window, questions = _open(qtbot, open_store, emulator)
    settle_pictures(qtbot, page)
    rows = page.view_rows()
    before = shown_ids(page)
    keys = shown_keys(page)
    select_rows(page, [1, 3, 4])
    emulator.clear_requests()

    qtbot.keyClick(page.grid, Qt.Key.Key_Delete)
    assert len(questions) == 1
    question = questions[0]
    assert question.count == 3 and question.title == "Delete 3 images?"
    assert question.names == [image_name(rows[n]) for n in (1, 3, 4)]
    assert len(question.pictures) == 3
    assert "these 3 images" in question.text
    # Gone from the grid at once; the next card has the focus.
    qtbot.waitUntil(lambda: len(shown_ids(page)) == 8, timeout=5000)
    assert page.grid.currentIndex().data(ImageRoles.RowKey) == keys[2]
    assert page.selected_keys() == [keys[2]]
    bar = page.verbs.undo_bar
    assert bar.isVisible() and bar.label.text().startswith("Deleted 3 images.")
    assert "in 5 s" in bar.label.text() or "in 4 s" in bar.label.text()
    assert window.undo_action.text() == "Undo Delete 3 images"
    # Held: the store still has them, nothing was sent.
    assert len(store_order(emulator, PRODUCT)) == 11
    assert delete_requests(emulator, PRODUCT) == []

    # (Waiting on the queue, not by polling the store: polls would use up its rate limit.)
    wait_until_sent(qtbot, page)
    assert store_order(emulator, PRODUCT) == [image for n, image in enumerate(before)
                                              if n not in (1, 3, 4)]
    assert len(delete_requests(emulator, PRODUCT)) == 3
    qtbot.waitUntil(lambda: bar.label.text() == "Deleted 3 images from the store.",
                    timeout=5000)


def test_undo_on_the_bar_brings_the_cards_back_and_nothing_is_deleted(
        qtbot: QtBot, emulator, open_store) -> None:
    page, window, _questions = _open(qtbot, open_store, emulator)
    before = shown_ids(page)
    select_rows(page, [0, 6])
    emulator.clear_requests()
    page.verbs.delete_action.trigger()
    qtbot.waitUntil(lambda: len(shown_ids(page)) == 9, timeout=5000)
    bar = page.verbs.undo_bar
    assert bar.isVisible()

    qtbot.mouseClick(bar.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown_ids(page) == before, timeout=5000)
    assert not bar.isVisible()
    assert window.redo_action.text() == "Redo Delete 2 images"
    wait_until_sent(qtbot, page)
    assert delete_requests(emulator, PRODUCT) == []
    assert store_order(emulator, PRODUCT) == before


def test_ctrl_z_while_held_is_the_same_undo_and_hides_the_bar(qtbot: QtBot, emulator,
                                                              open_store) -> None:
    page, _window, questions = _open(qtbot, open_store, emulator)
    before = shown_ids(page)
    select_rows(page, [2])
    emulator.clear_requests()
    qtbot.keyClick(page.grid, Qt.Key.Key_Delete)
    assert questions[0].text.startswith("Delete this image")
    qtbot.waitUntil(lambda: len(shown_ids(page)) == 10, timeout=5000)
    qtbot.keyClick(page.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: shown_ids(page) == before, timeout=5000)
    assert not page.verbs.undo_bar.isVisible()
    wait_until_sent(qtbot, page)
    assert delete_requests(emulator, PRODUCT) == []


def test_the_bars_undo_reaches_past_a_later_change(qtbot: QtBot, emulator,
                                                   open_store) -> None:
    page, _window, _questions = _open(qtbot, open_store, emulator)
    before = shown_ids(page)
    select_rows(page, [4])
    page.verbs.delete_action.trigger()
    qtbot.waitUntil(lambda: len(shown_ids(page)) == 10, timeout=5000)
    select_rows(page, [6])
    page.verbs.make_first_action.trigger()
    qtbot.waitUntil(lambda: shown_ids(page)[0] == before[7], timeout=5000)
    bar = page.verbs.undo_bar
    assert bar.undo_button.text() == "Undo (and 1 later change)"
    bar.undo_button.click()
    qtbot.waitUntil(lambda: shown_ids(page) == before, timeout=5000)
    assert page.editor is not None and page.editor.undo_stack.index() == 0


def test_cancel_deletes_nothing(qtbot: QtBot, emulator, open_store) -> None:
    page, _window, questions = _open(qtbot, open_store, emulator, answer=False)
    before = shown_ids(page)
    select_rows(page, [1])
    qtbot.keyClick(page.grid, Qt.Key.Key_Delete)
    assert len(questions) == 1
    assert shown_ids(page) == before
    assert page.editor is not None and page.editor.undo_stack.count() == 0
    assert not page.verbs.undo_bar.isVisible()


def test_deleting_every_image_is_one_bulk_request(qtbot: QtBot, emulator, open_store,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(image_editor, "DELETE_HOLD_S", 0.5)
    page, _window, questions = _open(qtbot, open_store, emulator)
    page.grid.selectAll()
    emulator.clear_requests()
    qtbot.keyClick(page.grid, Qt.Key.Key_Delete)
    assert questions[0].every_image and questions[0].count == 11
    assert "every image of this product" in questions[0].text
    assert len(questions[0].names) < 11  # a few names, then "and 5 more"
    qtbot.waitUntil(lambda: page.image_model.rowCount() == 0, timeout=5000)
    wait_until_sent(qtbot, page)
    assert store_order(emulator, PRODUCT) == []
    requests = delete_requests(emulator, PRODUCT)
    assert len(requests) == 1
    assert requests[0].path.endswith(f"/products/{PRODUCT}/images")


def test_the_delete_is_in_the_edit_menu_and_the_card_menu(qtbot: QtBot, emulator,
                                                          open_store) -> None:
    page, window, _questions = _open(qtbot, open_store, emulator)
    select_rows(page, [1, 2])
    delete = page.verbs.delete_action
    assert delete.text() == "Delete 2 images…"
    assert delete in window.edit_menu.actions()
    menu = page.grid.show_context_menu(page.image_model.index(1),
                                       page.grid.mapToGlobal(page.grid.rect().center()))
    assert menu is not None and delete in menu.actions()
    menu.close()
    select_rows(page, [1])
    assert delete.text() == "Delete 1 image…"


def test_the_heading_counts_the_images_left(qtbot: QtBot, emulator, open_store) -> None:
    page, _window, _questions = _open(qtbot, open_store, emulator)
    assert page.grid_header.text().endswith(": 11 images")
    select_rows(page, [0, 1])
    page.verbs.delete_action.trigger()
    qtbot.waitUntil(lambda: page.grid_header.text().endswith(": 9 images"), timeout=5000)
    page.verbs.undo_bar.undo_button.click()
    qtbot.waitUntil(lambda: page.grid_header.text().endswith(": 11 images"), timeout=5000)


def test_the_toolbar_button_deletes_the_selection_after_the_same_question(
        qtbot: QtBot, emulator, open_store) -> None:
    page, window, questions = _open(qtbot, open_store, emulator)
    before = shown_ids(page)
    select_rows(page, [3, 7])
    delete = page.verbs.delete_action
    assert delete in window.toolbar.actions()
    button = window.toolbar.widgetForAction(delete)
    assert button is not None and button.isVisible() and button.isEnabled()
    qtbot.waitUntil(lambda: "Delete 2 images" in button.text(), timeout=2000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert len(questions) == 1 and questions[0].count == 2
    qtbot.waitUntil(lambda: shown_ids(page) == [image for n, image in enumerate(before)
                                                if n not in (3, 7)], timeout=5000)
    assert page.verbs.undo_bar.isVisible()
    select_rows(page, [0])
    assert "Delete 1 image" in button.text()
