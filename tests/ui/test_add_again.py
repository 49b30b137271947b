"""A change that meets an image deleted on the store says so on its card and offers to add the
image again: from the largest picture the app still holds, in its place, with its alt text."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from app.api import StoreClient
from app.services.image_state import Badge
from app.ui.image_model import ImageRoles
from tests.ui.conftest import oauth_for, settle_pictures


def test_a_card_deleted_on_the_store_can_be_added_again_from_its_picture(
        qtbot: QtBot, emulator, open_store) -> None:
    page = open_store(emulator, 1)
    model = page.image_model
    settle_pictures(qtbot, page)
    row = 2
    gone = model.image_at(row)
    client = StoreClient(oauth_for(emulator))
    try:
        client.delete_image(1, gone.id)  # another app deletes it
        page.grid.selectionModel().setCurrentIndex(
            model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)
        editor = page.details.alt_editor
        editor.setFocus()
        editor.selectAll()
        qtbot.keyClicks(editor, "Tote on the beach")
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: model.index(row).data(ImageRoles.SyncBadge) is Badge.FAILED,
                        timeout=15000)
        assert "deleted on the store" in model.index(row).data(ImageRoles.SyncReason)
        menu = page.grid.context_menu.build([model.image_at(row)], page)
        again = next(a for a in menu.actions() if a.text() == "Add it again")
        before = {image.id for image in client.all_images(1)}
        again.trigger()
        qtbot.waitUntil(lambda: len({i.id for i in client.all_images(1)} - before) == 1
                        and page.session.queue.pending_count() == 0, timeout=30000)
        (new_id,) = {i.id for i in client.all_images(1)} - before
        order = [i.id for i in sorted(client.all_images(1), key=lambda i: (i.sort_order, i.id))]
        assert order.index(new_id) == row  # in the deleted card's place
        added = client.get_image(1, new_id)
        assert added.description == "Tote on the beach"  # what the merchant last typed
        # Its picture is one the app held (the store's own copy went with the image).
        original = emulator._running_store().original(new_id)
        held = [page.session._picture_cache.get(url) for url in
                (gone.zoom_url, gone.standard_url, gone.thumbnail_url, gone.tiny_url) if url]
        assert original is not None and original in held
        qtbot.waitUntil(lambda: model.index(row).data(ImageRoles.ImageId) == new_id,
                        timeout=15000)
        assert gone.id not in [model.image_at(n).id for n in range(model.rowCount())]
        assert all(model.index(n).data(ImageRoles.SyncBadge) is Badge.NONE
                   for n in range(model.rowCount()))
    finally:
        client.close()
