"""Set as thumbnail (issue 9 §5): from the keyboard, the card menu or the Edit menu; exactly one
star on screen at any moment, and on the store the new one is the only thumbnail."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from app.ui import shortcuts
from app.ui.image_model import ImageRoles
from app.ui.main_window import MainWindow
from tests.support.image_verbs import select_rows, store_images, wait_until_sent

PRODUCT = 6


def _stars(page) -> list[int]:  # type: ignore[no-untyped-def]
    model = page.image_model
    return [row for row in range(model.rowCount())
            if model.index(row).data(ImageRoles.Image).is_thumbnail]


def test_the_thumbnail_key_moves_the_one_star_on_screen_and_on_the_store(
        qtbot: QtBot, emulator, open_store) -> None:
    page = open_store(emulator, PRODUCT)
    window = page.window()
    assert isinstance(window, MainWindow)
    qtbot.waitUntil(lambda: page.image_model.rowCount() > 3, timeout=15000)
    assert _stars(page) == [0]
    old_id = page.image_model.index(0).data(ImageRoles.ImageId)
    new_id = page.image_model.index(3).data(ImageRoles.ImageId)
    counts: list[int] = []
    # What each repaint can show: the grid after each state the queue publishes (the page's
    # slot, connected first, has applied it; the model's row-by-row updates in between are
    # never painted).
    page.session.queue.stateChanged.connect(lambda *_: counts.append(len(_stars(page))))

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    page.grid.setFocus()
    select_rows(page, [3])
    key = shortcuts.resolve([shortcuts.SET_THUMBNAIL])[shortcuts.SET_THUMBNAIL][0]
    qtbot.keyClick(page.grid, key[0].key(), key[0].keyboardModifiers())
    qtbot.waitUntil(lambda: _stars(page) == [3], timeout=5000)
    assert counts and set(counts) == {1}  # never two stars, never none
    assert window.undo_action.text() == "Undo Set as thumbnail"
    assert not page.verbs.thumbnail_action.isEnabled()  # it is the thumbnail already
    # The details pane beside the starred card agrees with it at once (it said "No").
    assert page.details.fields["thumbnail"].text().startswith("Yes")

    wait_until_sent(qtbot, page)
    on_store = {image.id: image.is_thumbnail for image in store_images(emulator, PRODUCT)}
    assert [image_id for image_id, star in on_store.items() if star] == [new_id]
    assert on_store[old_id] is False


def test_set_as_thumbnail_from_the_card_menu_and_the_edit_menu(qtbot: QtBot, emulator,
                                                               open_store) -> None:
    page = open_store(emulator, PRODUCT)
    window = page.window()
    qtbot.waitUntil(lambda: page.image_model.rowCount() > 3, timeout=15000)
    grid, model = page.grid, page.image_model
    menu = grid.show_context_menu(model.index(2), grid.mapToGlobal(QPoint(5, 5)))
    assert menu is not None
    entry = next(a for a in menu.actions() if a.text() == "Set as thumbnail")
    menu.close()
    entry.trigger()
    qtbot.waitUntil(lambda: _stars(page) == [2], timeout=5000)

    select_rows(page, [5])
    in_edit_menu = next(a for a in window.edit_menu.actions() if a.text() == "Set as thumbnail")
    assert in_edit_menu.isEnabled()
    in_edit_menu.trigger()
    qtbot.waitUntil(lambda: _stars(page) == [5], timeout=5000)
    # Undo gives the star back to the one before.
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: _stars(page) == [2], timeout=5000)
    wait_until_sent(qtbot, page)
    stars = [image.id for image in store_images(emulator, PRODUCT) if image.is_thumbnail]
    assert stars == [model.index(2).data(ImageRoles.ImageId)]


def test_two_selected_cards_offer_no_thumbnail(qtbot: QtBot, emulator, open_store) -> None:
    page = open_store(emulator, PRODUCT)
    qtbot.waitUntil(lambda: page.image_model.rowCount() > 3, timeout=15000)
    select_rows(page, [2, 3])
    assert not page.verbs.thumbnail_action.isEnabled()
    select_rows(page, [2])
    assert page.verbs.thumbnail_action.isEnabled()
    assert page.verbs.thumbnail_action.shortcutContext() == \
        Qt.ShortcutContext.WidgetWithChildrenShortcut


def test_deleting_the_thumbnail_passes_the_star_on_at_once_as_the_store_will(
        qtbot: QtBot, emulator, open_store) -> None:
    """Exactly one star, also while the delete of the starred image waits under its Undo
    bar: the store gives the star to the first image left, and so does the grid, at once."""
    page = open_store(emulator, PRODUCT)
    qtbot.waitUntil(lambda: page.image_model.rowCount() == 11, timeout=15000)
    page.verbs.delete_flow.confirm = lambda question: True
    assert _stars(page) == [0]
    heir = page.image_model.index(1).data(ImageRoles.ImageId)
    select_rows(page, [0])
    assert page.verbs.delete_selected()
    qtbot.waitUntil(lambda: page.image_model.rowCount() == 10, timeout=5000)
    assert page.verbs.undo_bar.isVisible()  # still held: nothing sent yet
    assert _stars(page) == [0]
    assert page.image_model.index(0).data(ImageRoles.ImageId) == heir
    wait_until_sent(qtbot, page)
    stars = [image.id for image in store_images(emulator, PRODUCT) if image.is_thumbnail]
    assert stars == [heir]
    assert _stars(page) == [0]
    # Undo brings the image back with its star, and the star leaves the heir again.
    page.window().undo_action.trigger()
    qtbot.waitUntil(lambda: page.image_model.rowCount() == 11, timeout=5000)
    qtbot.waitUntil(lambda: len(_stars(page)) == 1 and _stars(page) != [1], timeout=5000)
