""""Only images without alt text": the grid shows only those cards, says how many, keeps a card
that was just written until the merchant moves on, and never lets a hidden card be selected."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.api import StoreClient
from app.services.image_state import display_order
from app.ui.image_model import ImageRoles
from app.ui.store_page import StorePage
from tests.ui.conftest import oauth_for, settle_pictures
from tests.ui.test_alt_text_in_place import make_current, open_editor, ready, store_texts


def empty_rows(page: StorePage) -> list[int]:
    model = page.image_model
    return [row for row in range(model.rowCount())
            if not (model.image_at(row).description or "").strip()]


def shown_rows(page: StorePage) -> list[int]:
    return [row for row in range(page.image_model.rowCount())
            if not page.grid.isRowHidden(row)]


def turn_on(qtbot: QtBot, page: StorePage) -> None:
    toggle = page.filter_bar.toggle
    toggle.setFocus()
    assert toggle.hasFocus()  # reachable from the keyboard
    qtbot.keyClick(toggle, Qt.Key.Key_Space)
    assert page.alt_filter.active


def test_the_filter_shows_only_images_without_alt_text(qtbot: QtBot, emulator,
                                                       open_store) -> None:
    page = open_store(emulator, 1)
    ready(qtbot, page)
    total = page.image_model.rowCount()
    missing = empty_rows(page)
    assert 0 < len(missing) < total
    assert page.filter_bar.status.text() == ""
    assert page.filter_bar.toggle.text() == f"Only images without alt text ({len(missing)})"

    page.grid.setFocus()
    qtbot.keyClick(page.grid, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(page.grid.selectionModel().selectedIndexes()) == total
    turn_on(qtbot, page)
    assert shown_rows(page) == missing
    # Cards the filter hides leave the selection: a verb never reaches a card one cannot see.
    assert sorted(index.row() for index in page.grid.selectionModel().selectedIndexes()) \
        == missing
    assert page.filter_bar.status.text() == \
        f"Showing {len(missing)} of {total} images (without alt text)"
    assert not page.grid.dragEnabled()  # no reordering among cards one cannot all see
    assert page.grid.currentIndex().row() == missing[0]
    # The cards the grid reports as on screen (what the loader keeps) are the shown ones.
    on_screen = page.grid.visible_image_ids()
    shown_ids = [page.image_model.index(row).data(ImageRoles.ImageId) for row in missing]
    assert on_screen and on_screen == shown_ids[:len(on_screen)]
    settle_pictures(qtbot, page)

    # Ctrl+A selects the shown cards only: a verb on the selection never reaches a hidden one.
    page.grid.setFocus()
    qtbot.keyClick(page.grid, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    selected = sorted(index.row() for index in page.grid.selectionModel().selectedIndexes())
    assert selected == missing
    # So does a Shift+click range across hidden cards.
    grid = page.grid
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton,
                     pos=grid.card_rect(page.image_model.index(missing[0])).center())
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ShiftModifier,
                     pos=grid.card_rect(page.image_model.index(missing[3])).center())
    selected = sorted(index.row() for index in grid.selectionModel().selectedIndexes())
    assert selected == missing[:4]

    qtbot.keyClick(page.filter_bar.toggle, Qt.Key.Key_Space)  # off again
    assert not page.alt_filter.active and shown_rows(page) == list(range(total))
    assert page.filter_bar.status.text() == ""


def test_a_card_written_in_the_filter_stays_until_the_next_card_is_chosen(
        qtbot: QtBot, emulator, open_store) -> None:
    page = open_store(emulator, 1)
    window = ready(qtbot, page)
    model = page.image_model
    turn_on(qtbot, page)
    missing = empty_rows(page)
    first, second = missing[0], missing[1]
    image_id = model.index(first).data(ImageRoles.ImageId)
    page.grid.setFocus()
    make_current(page, first)
    qtbot.keyClick(page.grid, Qt.Key.Key_F2)
    qtbot.keyClicks(open_editor(page), "Written while filtered")
    qtbot.keyClick(open_editor(page), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: model.image_at(first).description == "Written while filtered",
                    timeout=5000)
    assert not page.grid.isRowHidden(first)  # still there: the merchant is looking at it
    assert page.filter_bar.toggle.text().endswith(f"({len(missing) - 1})")

    qtbot.keyClick(page.grid, Qt.Key.Key_Right)  # on to the next card
    assert page.grid.currentIndex().row() == second
    assert page.grid.isRowHidden(first)
    assert page.filter_bar.status.text().startswith(f"Showing {len(missing) - 1} of")
    qtbot.waitUntil(lambda: store_texts(emulator, [image_id]) == ["Written while filtered"],
                    timeout=15000)

    # Undo empties it again: it comes back into the filtered view at once.
    qtbot.keyClick(page.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not page.grid.isRowHidden(first), timeout=5000)
    assert window.redo_action.text() == "Redo Change alt text"
    assert shown_rows(page) == missing


def test_the_filter_stays_on_for_the_next_product(qtbot: QtBot, emulator, open_store) -> None:
    # A product whose first card has alt text: it must not show just for being current.
    client = StoreClient(oauth_for(emulator))
    try:
        product_id = next(pid for pid in range(4, 25)
                          if (images := display_order(client.all_images(pid)))
                          and images[0].description and len(images) > 3
                          and any(not image.description for image in images))
    finally:
        client.close()
    page = open_store(emulator, 1)
    ready(qtbot, page)
    turn_on(qtbot, page)
    row = page.product_model.row_of(product_id)
    page.product_view.setCurrentIndex(page.product_model.index(row))  # a click on it
    qtbot.waitUntil(lambda: page.images_ready and page.image_model.product_id == product_id
                    and page.image_model.rowCount() > 0, timeout=15000)
    missing = empty_rows(page)
    assert 0 not in missing
    assert shown_rows(page) == missing
    assert page.grid.currentIndex().row() == missing[0]
    assert page.filter_bar.status.text() == (f"Showing {len(missing)} of "
                                             f"{page.image_model.rowCount()} images "
                                             "(without alt text)")
