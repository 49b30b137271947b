"""Alt text edited in the details pane: shown on the card at once, sent through the write
queue, on the store soon after, and the grid never reset."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from app.api import StoreClient
from app.services.image_state import Badge
from app.ui.details_pane import MAX_ALT_TEXT
from app.ui.image_model import ImageRoles
from app.ui.store_page import StorePage
from tests.ui.conftest import oauth_for


def _select(page: StorePage, row: int) -> None:
    index = page.image_model.index(row)
    page.grid.selectionModel().setCurrentIndex(
        index, QItemSelectionModel.SelectionFlag.ClearAndSelect)


def _puts(emulator) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for request in emulator.requests() if request.method == "PUT")


def test_alt_text_typed_and_entered_shows_at_once_and_reaches_the_store(
        qtbot: QtBot, emulator, open_store) -> None:
    page = open_store(emulator, 1)
    model = page.image_model
    qtbot.waitUntil(lambda: model.rowCount() > 2, timeout=15000)
    _select(page, 2)
    editor = page.details.alt_editor
    assert editor.isVisible() and editor.maxLength() == MAX_ALT_TEXT
    image_id = model.index(2).data(ImageRoles.ImageId)
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    first_shown: list[Badge] = []  # the card's badge when it first showed the new text

    def changed(top, bottom, _roles) -> None:  # type: ignore[no-untyped-def]
        index = model.index_of(image_id)
        if (not first_shown and top.row() <= index.row() <= bottom.row()
                and index.data(ImageRoles.Image).description == "Blue tote, folded"):
            first_shown.append(index.data(ImageRoles.SyncBadge))
    model.dataChanged.connect(changed)

    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, "  Blue tote,   folded ")
    qtbot.keyClick(editor, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: bool(first_shown), timeout=5000)
    assert first_shown[0] in (Badge.WAITING, Badge.SENDING)  # before the store confirmed
    assert editor.text() == "Blue tote, folded"
    client = StoreClient(oauth_for(emulator))
    try:
        qtbot.waitUntil(lambda: client.get_image(1, image_id).description
                        == "Blue tote, folded", timeout=15000)
    finally:
        client.close()
    qtbot.waitUntil(lambda: model.index_of(image_id).data(ImageRoles.SyncBadge)
                    is Badge.NONE, timeout=15000)
    assert not resets
    assert page.grid.selectionModel().currentIndex().data(ImageRoles.ImageId) == image_id
    assert page.details.fields["alt_text"].isHidden()  # one alt text on screen, the editor's


def test_escape_puts_the_alt_text_back_and_sends_nothing(qtbot: QtBot, emulator,
                                                          open_store) -> None:
    page = open_store(emulator, 1)
    model = page.image_model
    qtbot.waitUntil(lambda: model.rowCount() > 1, timeout=15000)
    _select(page, 1)
    editor = page.details.alt_editor
    before = editor.text()
    assert before == (model.image_at(1).description or "")
    puts = _puts(emulator)

    editor.setFocus()
    qtbot.keyClicks(editor, " and more")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert editor.text() == before
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # nothing changed: nothing to save
    editor.clearFocus()

    assert page.session.queue.counts() == (0, 0, 0)
    assert (model.image_at(1).description or "") == before
    assert _puts(emulator) == puts
