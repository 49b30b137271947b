"""Reordering through the window (issue 9 §3): drag one card or a scattered selection, the
insertion line between cards, move keys, "Make first"; the emulator ends in the order the
merchant sees, with the fewest PUTs."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QUrl, Qt
from pytestqt.qtbot import QtBot

from app.services.edit_verbs import order_with_moved
from app.ui.grid_drag import ROWS_MIME, mime_for, rows_in
from app.ui.image_model import ImageRoles
from tests.support.image_verbs import (drag_over, drop_at, gutter_before, leave, open_focused,
                                       put_requests, select_rows, shown_ids, shown_keys,
                                       store_order, wait_until_sent)

PRODUCT = 6  # 11 images in the demo store


def _open(qtbot: QtBot, open_store, emulator, product_id: int = PRODUCT):  # type: ignore[no-untyped-def]
    return open_focused(qtbot, open_store, emulator, product_id)


def _drag_mime(page, rows: list[int]) -> QMimeData:  # type: ignore[no-untyped-def]
    """The mime data the grid's own drag of these (selected) cards carries."""
    select_rows(page, rows)
    drag = page.grid.dragging.drag_for(page.grid.dragging.dragged_keys())
    assert drag is not None
    assert not drag.pixmap().isNull()
    return drag.mimeData()


def test_dragging_one_card_moves_it_where_the_line_shows(qtbot: QtBot, emulator,
                                                         open_store) -> None:
    page = _open(qtbot, open_store, emulator)
    before = shown_ids(page)
    keys_before = shown_keys(page)
    mime = _drag_mime(page, [1])
    assert rows_in(mime, PRODUCT) == [keys_before[1]]

    target = gutter_before(page, 4)
    drag_over(page, mime, [gutter_before(page, 2), target])
    indicator = page.grid.dragging.indicator
    assert indicator.isVisible() and indicator.row == 4
    card3 = page.grid.card_rect(page.image_model.index(3))
    card4 = page.grid.card_rect(page.image_model.index(4))
    line = indicator.geometry()
    assert card3.right() < line.center().x() < card4.left()  # in the gutter between them
    assert line.top() <= card4.top() and line.bottom() >= card4.bottom()

    event = drop_at(page, mime, target)
    assert event.isAccepted() and event.dropAction() == Qt.DropAction.MoveAction
    assert not indicator.isVisible()
    expected = before[:1] + before[2:4] + [before[1]] + before[4:]
    qtbot.waitUntil(lambda: shown_ids(page) == expected, timeout=5000)
    # The moved card keeps its row key, its selection and the focus.
    assert page.selected_keys() == [keys_before[1]]
    assert page.grid.currentIndex().data(ImageRoles.RowKey) == keys_before[1]
    wait_until_sent(qtbot, page)
    assert store_order(emulator, PRODUCT) == expected
    window = page.window()
    assert window.undo_action.text() == "Undo Move image"


def test_a_scattered_selection_of_three_lands_as_one_block_at_a_line_end(
        qtbot: QtBot, emulator, open_store) -> None:
    page = _open(qtbot, open_store, emulator)
    before = shown_ids(page)
    keys = shown_keys(page)
    mime = _drag_mime(page, [0, 2, 5])
    grid, model = page.grid, page.image_model
    # The end of the first line of cards: right of its last card.
    first_line = [row for row in range(model.rowCount())
                  if grid.visualRect(model.index(row)).top()
                  == grid.visualRect(model.index(0)).top()]
    last = first_line[-1]
    card = grid.card_rect(model.index(last))
    point = QPoint(card.right() + 3, card.center().y())
    drag_over(page, mime, [point])
    indicator = grid.dragging.indicator
    assert indicator.row == last + 1
    assert indicator.geometry().left() > card.right()
    assert indicator.geometry().top() <= card.top()  # on the first line, not the second

    drop_at(page, mime, point)
    moving = [keys[0], keys[2], keys[5]]
    expected_keys = order_with_moved(keys, moving, last + 1)
    expected = [before[keys.index(key)] for key in expected_keys]
    qtbot.waitUntil(lambda: shown_ids(page) == expected, timeout=5000)
    assert page.selected_keys() == [key for key in expected_keys if key in moving]
    wait_until_sent(qtbot, page)
    assert store_order(emulator, PRODUCT) == expected


def test_moving_one_image_among_three_hundred_sends_the_fewest_puts(qtbot: QtBot, emulator,
                                                                    open_store) -> None:
    page = _open(qtbot, open_store, emulator, 1)
    qtbot.waitUntil(lambda: page.image_model.rowCount() == 300, timeout=15000)
    before = shown_ids(page)
    # To the front: a sort_order below the first one's, one PUT.
    mime = _drag_mime(page, [5])
    emulator.clear_requests()
    drag_over(page, mime, [gutter_before(page, 0)])
    drop_at(page, mime, gutter_before(page, 0))
    expected = [before[5]] + before[:5] + before[6:]
    qtbot.waitUntil(lambda: shown_ids(page) == expected, timeout=5000)
    wait_until_sent(qtbot, page)
    assert store_order(emulator, 1) == expected
    assert len(put_requests(emulator, 1)) == 1
    # Between two neighbours whose sort_orders leave no room (0 and 1): two PUTs, not 300.
    mime = _drag_mime(page, [9])
    emulator.clear_requests()
    drag_over(page, mime, [gutter_before(page, 2)])
    drop_at(page, mime, gutter_before(page, 2))
    expected = expected[:2] + [expected[9]] + expected[2:9] + expected[10:]
    qtbot.waitUntil(lambda: shown_ids(page) == expected, timeout=5000)
    wait_until_sent(qtbot, page)
    assert store_order(emulator, 1) == expected
    assert len(put_requests(emulator, 1)) == 2


def test_esc_or_leaving_drops_nothing_and_foreign_data_is_not_a_move(qtbot: QtBot, emulator,
                                                                     open_store) -> None:
    page = _open(qtbot, open_store, emulator)
    before = shown_ids(page)
    mime = _drag_mime(page, [1])
    drag_over(page, mime, [gutter_before(page, 4)])
    leave(page)  # what Qt's drag loop sends when Esc cancels over the grid
    assert not page.grid.dragging.indicator.isVisible()
    # Another product's cards (another window) are not ours to move here.
    stranger = mime_for(PRODUCT + 1, rows_in(mime, PRODUCT) or [])
    assert rows_in(stranger, PRODUCT) is None
    garbage = QMimeData()
    garbage.setData(ROWS_MIME, b"\xff not json")
    assert rows_in(garbage, PRODUCT) is None
    assert not drop_at(page, garbage, gutter_before(page, 4)).isAccepted()
    assert page.editor is not None and page.editor.undo_stack.count() == 0
    assert shown_ids(page) == before


def test_files_and_links_show_the_line_and_go_to_the_external_drop_hook(
        qtbot: QtBot, emulator, open_store) -> None:
    page = _open(qtbot, open_store, emulator)
    # The grid's hook alone: the upload flow behind it is tested in test_drop_on_grid.py
    # (here it would add a picture from an address the emulator cannot fetch).
    assert page.uploads is not None
    page.grid.externalDrop.disconnect(page.uploads.drop)
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.com/shoe.jpg")])
    drag_over(page, mime, [gutter_before(page, 3)])
    assert page.grid.dragging.indicator.row == 3
    with qtbot.waitSignal(page.grid.externalDrop, timeout=1000) as dropped:
        drop_at(page, mime, gutter_before(page, 3))
    assert dropped.args[1] == 3
    assert dropped.args[0].urls() == [QUrl("https://example.com/shoe.jpg")]
    text_only = QMimeData()
    text_only.setText("just words")
    viewport = page.grid.viewport()
    from PySide6.QtGui import QDragEnterEvent
    from PySide6.QtWidgets import QApplication
    enter = QDragEnterEvent(gutter_before(page, 3), Qt.DropAction.CopyAction, text_only,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, enter)
    assert not enter.isAccepted()


def test_dragging_near_the_bottom_edge_scrolls(qtbot: QtBot, emulator, open_store) -> None:
    page = _open(qtbot, open_store, emulator, 1)
    mime = _drag_mime(page, [0])
    viewport = page.grid.viewport()
    bar = page.grid.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    drag_over(page, mime, [QPoint(viewport.width() // 2, viewport.height() - 3)])
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=3000)
    leave(page)
    assert not page.grid.dragging.autoscroll.active


def test_keys_move_the_selection_and_it_stays_selected(qtbot: QtBot, emulator,
                                                       open_store) -> None:
    page = _open(qtbot, open_store, emulator)
    grid = page.grid
    before = shown_ids(page)
    keys = shown_keys(page)
    select_rows(page, [2])
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier

    qtbot.keyClick(grid, Qt.Key.Key_Left, ctrl_shift)
    expected = [before[0], before[2], before[1], *before[3:]]
    qtbot.waitUntil(lambda: shown_ids(page) == expected, timeout=5000)
    assert page.selected_keys() == [keys[2]]
    assert grid.currentIndex().data(ImageRoles.RowKey) == keys[2]

    qtbot.keyClick(grid, Qt.Key.Key_End, ctrl_shift)
    expected = [image for image in expected if image != before[2]] + [before[2]]
    qtbot.waitUntil(lambda: shown_ids(page) == expected, timeout=5000)
    assert grid.currentIndex().row() == len(before) - 1
    assert grid.currentIndex().data(ImageRoles.RowKey) == keys[2]
    viewport = grid.viewport().rect()
    assert viewport.intersects(grid.visualRect(grid.currentIndex()))  # scrolled to it

    qtbot.keyClick(grid, Qt.Key.Key_Home, ctrl_shift)
    expected = [before[2]] + [image for image in expected if image != before[2]]
    qtbot.waitUntil(lambda: shown_ids(page) == expected, timeout=5000)

    qtbot.keyClick(grid, Qt.Key.Key_Right, ctrl_shift)
    expected = [expected[1], expected[0], *expected[2:]]
    qtbot.waitUntil(lambda: shown_ids(page) == expected, timeout=5000)
    assert page.selected_keys() == [keys[2]]
    wait_until_sent(qtbot, page)
    assert store_order(emulator, PRODUCT) == expected


def test_make_first_from_the_card_menu_and_the_edit_menu(qtbot: QtBot, emulator,
                                                         open_store) -> None:
    page = _open(qtbot, open_store, emulator)
    window = page.window()
    before = shown_ids(page)
    grid, model = page.grid, page.image_model
    menu = grid.show_context_menu(model.index(4), grid.mapToGlobal(QPoint(5, 5)))
    assert menu is not None
    make_first = next(a for a in menu.actions() if a.text() == "Make first")
    assert make_first.isEnabled()
    menu.close()
    make_first.trigger()
    expected = [before[4]] + before[:4] + before[5:]
    qtbot.waitUntil(lambda: shown_ids(page) == expected, timeout=5000)
    assert window.undo_action.text() == "Undo Make first"
    assert not make_first.isEnabled()  # it is first now

    assert make_first in window.edit_menu.actions()
    select_rows(page, [7])
    edit_entry = next(a for a in window.edit_menu.actions() if a.text() == "Make first")
    edit_entry.trigger()
    expected = [expected[7]] + expected[:7] + expected[8:]
    qtbot.waitUntil(lambda: shown_ids(page) == expected, timeout=5000)
    wait_until_sent(qtbot, page)
    assert store_order(emulator, PRODUCT) == expected


def test_the_drag_picture_shows_the_card_even_when_its_padding_byte_is_zero(qtbot: QtBot
                                                                          ) -> None:
    """Decoded pictures are RGB32 whose fourth byte may be 0 (Pillow's "BGRX"); painted on
    the drag's transparent canvas that byte must not make the picture vanish."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QImage, QPalette, QPixmap

    from app.ui.grid_drag import drag_pixmap
    raw = b"\x03\x02\xf0\x00" * (40 * 50)  # opaque red with a zero padding byte
    image = QImage(raw, 40, 50, 160, QImage.Format.Format_RGB32).copy()
    pixmap = drag_pixmap(QPixmap.fromImage(image), QSize(80, 100), 3, QPalette())
    centre = pixmap.toImage().pixelColor(40, 60)
    assert centre.alpha() > 200 and centre.red() > 150


def test_pressing_a_selected_card_and_moving_drags_the_whole_selection(
        qtbot: QtBot, emulator, open_store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    page = _open(qtbot, open_store, emulator)
    grid = page.grid
    keys = shown_keys(page)
    select_rows(page, [1, 3])
    started: list[list[str]] = []
    monkeypatch.setattr(grid.dragging, "start_drag",
                        lambda: started.append(grid.dragging.dragged_keys()))
    start = grid.card_rect(page.image_model.index(3)).center()
    viewport = grid.viewport()

    def send(kind: QEvent.Type, point: QPoint, buttons: Qt.MouseButton) -> None:
        event = QMouseEvent(kind, QPointF(point), QPointF(viewport.mapToGlobal(point)),
                            Qt.MouseButton.LeftButton, buttons,
                            Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(viewport, event)

    send(QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton)
    assert page.selected_keys() == [keys[1], keys[3]]  # a press keeps the selection
    send(QEvent.Type.MouseMove, start + QPoint(1, 0), Qt.MouseButton.LeftButton)
    assert started == []  # not yet: within the drag distance
    distance = QApplication.startDragDistance()
    send(QEvent.Type.MouseMove, start + QPoint(distance + 4, 0), Qt.MouseButton.LeftButton)
    assert started == [[keys[1], keys[3]]]
    assert page.selected_keys() == [keys[1], keys[3]]  # no rubber band took over


def test_the_details_pane_says_the_moved_cards_new_position(qtbot: QtBot, emulator,
                                                            open_store) -> None:
    # It kept "Position 4 of 8" beside the card now numbered 5.
    page = _open(qtbot, open_store, emulator)
    select_rows(page, [3])
    assert page.details.title.text() == "Position 4 of 11"
    assert page.verbs.move_right()
    qtbot.waitUntil(lambda: page.grid.selectionModel().selectedIndexes()[0].row() == 4,
                    timeout=5000)
    assert page.details.title.text() == "Position 5 of 11"
