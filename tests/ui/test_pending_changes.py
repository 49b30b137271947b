"""The Pending changes panel against a real queue and the emulator: changes made while the
store is held back are listed per product, a discarded one never reaches the store, a failed
one says why, and the panel opens from the View menu's key and from the status bar."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.api import StoreClient
from app.api.models import ProductImage
from app.services.image_state import FieldChanges, UpdateFields, image_row_key, next_op_id
from app.store_emulator import Faults
from app.ui.pending_changes import EMPTY_TEXT, PendingChangesPanel
from tests.ui.conftest import oauth_for


def _alt_text(queue, product_id: int, image: ProductImage, text: str) -> int:
    op_id = next_op_id()
    queue.submit(product_id, UpdateFields(op_id=op_id, row_key=image_row_key(image.id),
                                          changes=FieldChanges(description=text),
                                          based_on=image))
    return op_id


def _texts(panel: PendingChangesPanel) -> list[tuple[str, str]]:
    return [(row.what_label.text(), row.state_label.text())
            for section in panel._sections.values() for row in section.rows]


def test_changes_held_back_are_listed_and_a_discarded_one_never_reaches_the_store(
        qtbot: QtBot, emulator, open_store) -> None:
    page = open_store(emulator, 1)
    window = page.window()
    queue = page.session.queue
    panel = window.pending_panel
    qtbot.waitUntil(lambda: page.image_model.rowCount() > 1, timeout=15000)
    assert panel.empty_label.text() == EMPTY_TEXT
    first, second = page.image_model.image_at(0), page.image_model.image_at(1)
    queue.set_sending_paused(True)   # working offline: changes wait in the journal

    _alt_text(queue, 1, first, "Kept: front view")
    _alt_text(queue, 1, second, "Discarded: back view")
    qtbot.waitUntil(lambda: panel.change_count() == 2, timeout=5000)
    assert not window.pending_dock.isVisible()   # hidden until asked for
    window.activateWindow()
    QTest.keyClick(window.focusWidget() or window, Qt.Key.Key_P,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(window.pending_dock.isVisible, timeout=2000)
    assert not panel.empty_label.isVisible()
    section = panel._sections[1]
    assert section.heading.text() == page.current_product.name
    texts = _texts(panel)
    assert [state for _, state in texts] == ["Waiting", "Waiting"]
    assert "alt text “Kept: front view”" in texts[0][0]
    assert "alt text “Discarded: back view”" in texts[1][0]
    # The keyboard lands on the first Discard; Tab goes on to the next change's.
    qtbot.waitUntil(lambda: section.rows[0].discard_button.hasFocus(), timeout=2000)
    QTest.keyClick(section.rows[0].discard_button, Qt.Key.Key_Tab)
    assert section.rows[1].discard_button.hasFocus()

    QTest.keyClick(section.rows[1].discard_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: panel.change_count() == 1, timeout=5000)
    assert "Kept" in _texts(panel)[0][0]
    queue.set_sending_paused(False)
    qtbot.waitUntil(lambda: panel.change_count() == 0, timeout=15000)
    assert panel.empty_label.isVisible()

    client = StoreClient(oauth_for(emulator))
    try:
        assert client.get_image(1, first.id).description == "Kept: front view"
        assert client.get_image(1, second.id).description == second.description
    finally:
        client.close()
    assert not [request for request in emulator.requests()
                if request.method == "PUT" and f"/images/{second.id}" in request.path]


def test_a_failed_change_says_why_and_discard_all_asks_once(qtbot: QtBot, emulator,
                                                            open_store) -> None:
    page = open_store(emulator, 1)
    window = page.window()
    queue = page.session.queue
    panel = window.pending_panel
    qtbot.waitUntil(lambda: page.image_model.rowCount() > 2, timeout=15000)
    images = [page.image_model.image_at(row) for row in range(3)]
    emulator.faults = Faults(error_rate=1.0, only_methods=frozenset({"PUT"}))
    _alt_text(queue, 1, images[0], "Never saved")
    qtbot.waitUntil(lambda: queue.counts()[2] == 1, timeout=20000)
    emulator.faults = Faults()
    queue.set_sending_paused(True)
    _alt_text(queue, 1, images[1], "Also withdrawn")
    _alt_text(queue, 1, images[2], "Withdrawn too")
    qtbot.waitUntil(lambda: panel.change_count() == 3, timeout=5000)

    # The status bar's count opens the panel.
    label = window.status.changes_label
    qtbot.waitUntil(label.isVisible, timeout=5000)
    qtbot.mouseClick(label, Qt.MouseButton.LeftButton, pos=QPoint(2, 2))
    qtbot.waitUntil(window.pending_dock.isVisible, timeout=2000)
    states = [state for _, state in _texts(panel)]
    assert len(states) == 3 and states[0].startswith("Failed: ") and states[1:] == ["Waiting"] * 2

    asked: list[str] = []
    panel.ask = lambda title, text: asked.append(text) or False   # type: ignore[assignment]
    qtbot.mouseClick(panel._sections[1].discard_all_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and "3 changes" in asked[0]
    assert panel.change_count() == 3   # the merchant said no
    panel.ask = lambda title, text: asked.append(text) or True   # type: ignore[assignment]
    qtbot.mouseClick(panel._sections[1].discard_all_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 2
    qtbot.waitUntil(lambda: panel.change_count() == 0, timeout=5000)
    assert panel.empty_label.isVisible()
    queue.set_sending_paused(False)
    qtbot.waitUntil(lambda: queue.pending_count() == 0, timeout=5000)

    client = StoreClient(oauth_for(emulator))
    try:
        for image in images:
            assert client.get_image(1, image.id).description == image.description
    finally:
        client.close()


def test_waiting_changes_wait_for_the_network_while_the_store_is_unreachable(
        qtbot: QtBot, emulator, open_store) -> None:
    page = open_store(emulator, 1)
    window = page.window()
    queue = page.session.queue
    panel = window.pending_panel
    qtbot.waitUntil(lambda: page.image_model.rowCount() > 0, timeout=15000)
    window.show_pending_changes()
    queue.set_sending_paused(True)
    _alt_text(queue, 1, page.image_model.image_at(0), "Offline edit")
    qtbot.waitUntil(lambda: panel.change_count() == 1, timeout=5000)
    emulator.faults = Faults(drop_rate=1.0)   # the store stops answering
    window.refresh_action.trigger()
    qtbot.waitUntil(lambda: _texts(panel)[0][1] == "Waiting for the network", timeout=20000)
    emulator.faults = Faults()
    window.refresh_action.trigger()
    qtbot.waitUntil(lambda: _texts(panel)[0][1] == "Waiting", timeout=20000)
    # Offline by the merchant's choice: the change waits for them, not for the network.
    window.offline_action.trigger()
    qtbot.waitUntil(lambda: _texts(panel)[0][1] == "Waiting: you are working offline",
                    timeout=5000)


def test_the_panel_is_keyboard_reachable_and_names_unknown_products(qtbot: QtBot) -> None:
    panel = PendingChangesPanel(lambda product_id: None)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.empty_label.text() == "Every change is on the store."
    from app.api.models import ProductImage as Image
    from app.services.image_state import ImageState, Snapshot
    image = Image(id=7, product_id=123, image_file="a/b/tote.jpg", description="")
    state = ImageState(Snapshot(123, (image,))).add(
        UpdateFields(op_id=next_op_id(), row_key=image_row_key(7),
                     changes=FieldChanges(is_thumbnail=True), based_on=image))
    panel._state_changed(123, state)
    panel.flush()
    section = panel._sections[123]
    assert section.heading.text() == "Product 123"
    assert _texts(panel) == [("tote.jpg: made the thumbnail", "Waiting")]
    button = section.rows[0].discard_button
    assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert button.accessibleName() == "Discard: tote.jpg: made the thumbnail"


def test_a_discarded_upload_never_reaches_the_store(qtbot: QtBot, emulator, open_store,
                                                    tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    from app.services.image_state import CreateFromFile, new_row_key
    page = open_store(emulator, 3)
    queue = page.session.queue
    panel = page.window().pending_panel
    before = emulator.image_count(3)
    path = tmp_path / "blue-mug.png"
    Image.new("RGB", (40, 30), (20, 60, 200)).save(path)
    page.window().show_pending_changes()
    queue.set_sending_paused(True)
    queue.submit(3, CreateFromFile(op_id=next_op_id(), row_key=new_row_key(), path=path,
                                   sha256="", size=0, name="blue-mug.png", position=0))
    qtbot.waitUntil(lambda: panel.change_count() == 1, timeout=5000)
    assert _texts(panel) == [("Add blue-mug.png", "Waiting")]
    qtbot.mouseClick(panel._sections[3].rows[0].discard_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.change_count() == 0, timeout=5000)
    queue.set_sending_paused(False)
    qtbot.waitUntil(queue.is_idle, timeout=5000)
    assert emulator.image_count(3) == before
    assert not [request for request in emulator.requests() if request.method == "POST"]
