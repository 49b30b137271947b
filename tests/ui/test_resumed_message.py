"""Changes an earlier run left in the journal are sent at the next start, and the window says
so: "4 changes made earlier were sent" (issue 9 §1, Crash-safe)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.api import StoreClient
from app.cache.journal import Journal
from app.services.image_state import FieldChanges, UpdateFields, image_row_key, next_op_id
from app.services.session import StoreInfo
from app.ui.status_bar import resumed_text
from tests.ui.conftest import oauth_for


def test_the_merchant_hears_that_changes_made_earlier_were_sent(
        qtbot: QtBot, emulator, make_window, tmp_path: Path) -> None:
    client = StoreClient(oauth_for(emulator))
    try:
        images = client.all_images(1)[:4]
    finally:
        client.close()
    assert len(images) == 4
    # What a run that was closed (or killed) before sending left in the journal.
    with Journal(tmp_path / "journal") as journal:
        for n, image in enumerate(images):
            journal.append(oauth_for(emulator).store_id, 1, UpdateFields(
                op_id=next_op_id(), row_key=image_row_key(image.id),
                changes=FieldChanges(description=f"Sent at the next start {n}"),
                based_on=image))
    window = make_window()
    messages: list[str] = []
    window.status.messageChanged.connect(messages.append)  # before the queue can resume
    window.open_store(StoreInfo("Test store", oauth_for(emulator)), 1)
    qtbot.waitUntil(lambda: "4 changes made earlier were sent" in messages, timeout=30000)
    client = StoreClient(oauth_for(emulator))
    try:
        by_id = {image.id: image for image in client.all_images(1)}
    finally:
        client.close()
    assert [by_id[image.id].description for image in images] == [
        f"Sent at the next start {n}" for n in range(4)]


def test_the_resumed_message_counts_in_plain_words() -> None:
    assert resumed_text(1, 0) == "1 change made earlier was sent"
    assert resumed_text(4, 0) == "4 changes made earlier were sent"
    assert resumed_text(3, 1) == ("3 changes made earlier were sent; 1 could not be: "
                                  "its card says why")
    assert resumed_text(0, 2) == ("2 changes made earlier could not be sent: "
                                  "their cards say why")
