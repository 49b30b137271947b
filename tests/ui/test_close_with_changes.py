"""Closing the window with changes still on their way (issue 9 §0 and §1): nothing is asked
(only a failed change makes the window ask), and what is being sent is given its seconds to
reach the store rather than be cut."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.api import StoreClient
from app.services.image_state import FieldChanges, UpdateFields, image_row_key, next_op_id
from tests.ui.conftest import oauth_for


def test_closing_with_changes_on_their_way_asks_nothing_and_drains_them(
        qtbot: QtBot, emulator, open_store, monkeypatch) -> None:
    page = open_store(emulator, 1)
    window, queue, model = page.window(), page.session.queue, page.image_model
    assert queue is not None
    qtbot.waitUntil(lambda: model.rowCount() > 1, timeout=15000)
    asked: list[str] = []
    monkeypatch.setattr(window, "ask", lambda title, text, _button: asked.append(text) or False)
    emulator.config.latency_ms = 400  # still on its way when the window closes
    image = model.image_at(1)
    queue.submit(1, UpdateFields(op_id=next_op_id(), row_key=image_row_key(image.id),
                                 changes=FieldChanges(description="Sent while closing"),
                                 based_on=image))
    qtbot.waitUntil(lambda: queue.pending_count() == 1, timeout=15000)
    window.close()
    assert asked == [] and not window.isVisible()
    emulator.config.latency_ms = 0
    client = StoreClient(oauth_for(emulator))
    try:
        assert client.get_image(1, image.id).description == "Sent while closing"
    finally:
        client.close()
