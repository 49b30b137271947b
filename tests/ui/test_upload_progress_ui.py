"""Uploads on screen (issue 9 §2), in a real window against the emulator: each queued upload is
a card at once, the one being sent shows its progress, the status bar has one line for the
batch with a Cancel, and the card menu cancels one upload."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from PIL import Image
from pytestqt.qtbot import QtBot

from app.services.edit_verbs import NewFile, add_edit
from app.services.image_state import NO_ID, Badge
from app.store_emulator import Faults, StoreEmulator
from app.ui.card_progress import upload_words
from app.ui.image_model import ImageRoles
from app.ui.store_page import StorePage

WAIT_MS = 30000


def pictures(folder: Path, count: int, side: int = 500) -> list[NewFile]:
    """Real pictures made with Pillow (random pixels, so each is ~750 KB)."""
    files = []
    for n in range(count):
        path = folder / f"new-{n + 1}.png"
        Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(path, "PNG")
        files.append(NewFile(path=path, name=path.name))
    return files


def upload_rows(page: StorePage) -> list[int]:
    model = page.image_model
    return [row for row in range(model.rowCount())
            if model.index(row).data(ImageRoles.ImageId) == NO_ID]


def queue_uploads(page: StorePage, files: list[NewFile]) -> None:
    product_id = page.image_model.product_id
    assert page.editor is not None and product_id is not None
    edit = add_edit(page.view_rows(), files=files)
    assert edit is not None
    page.editor.apply(product_id, edit)


def menu_entry(page: StorePage, row: int, text: str):  # type: ignore[no-untyped-def]
    image = page.image_model.index(row).data(ImageRoles.Image)
    menu = page.grid.context_menu.build([image], page)
    return next((action for action in menu.actions() if action.text() == text), None)


def test_uploads_show_progress_and_one_status_line_and_cancel_from_the_card_menu(
        qtbot: QtBot, empty_emulator: StoreEmulator, open_store, tmp_path: Path) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=2)
    page = open_store(emu, pid)
    status = page.window().status
    model = page.image_model
    fractions: list[float] = []

    def changed(first, last, roles) -> None:  # type: ignore[no-untyped-def]
        if ImageRoles.UploadProgress in roles:
            assert first.row() == last.row() and list(roles) == [ImageRoles.UploadProgress]
            fractions.append(first.data(ImageRoles.UploadProgress))

    model.dataChanged.connect(changed)
    lines: list[str] = []
    store_busy = threading.Event()  # the store holds each upload until the test lets go
    emu.faults = Faults(hold=store_busy, only_methods=frozenset({"POST"}))
    queue_uploads(page, pictures(tmp_path, 3))
    qtbot.waitUntil(lambda: len(upload_rows(page)) == 3, timeout=WAIT_MS)  # cards at once

    def first_sending() -> bool:
        lines.append(status.uploads_label.text())
        rows = upload_rows(page)
        return bool(rows) and model.index(rows[0]).data(ImageRoles.SyncBadge) is Badge.SENDING \
            and bool(fractions) and fractions[-1] == 1.0

    qtbot.waitUntil(first_sending, timeout=WAIT_MS)
    assert fractions == sorted(fractions) and fractions[0] < fractions[-1]  # it went up
    assert any(line.startswith("Uploading 1 of 3 images — ") and line.endswith(" %")
               for line in lines)
    assert status.cancel_uploads_button.isVisible()
    rows = upload_rows(page)
    assert upload_words(model.index(rows[0]))[0] == "Uploading 100 %"
    assert upload_words(model.index(rows[2])) == ("Waiting to upload", None)
    # The merchant cancels the last one from its card menu: it never reaches the store.
    cancel = menu_entry(page, rows[2], "Cancel upload")
    assert cancel is not None
    cancel.trigger()
    qtbot.waitUntil(lambda: len(upload_rows(page)) < 3, timeout=WAIT_MS)
    store_busy.set()
    queue = page.session.queue
    # The grid's last word, not only the queue's: its final state may still be on its way.
    qtbot.waitUntil(lambda: queue.is_idle() and queue.pending_count() == 0
                    and model.rowCount() == 4 and not upload_rows(page), timeout=WAIT_MS)
    assert emu.image_count(pid) == 4
    assert [r.method for r in emu.requests() if r.method == "POST"] == ["POST", "POST"]
    qtbot.waitUntil(lambda: not status.uploads_label.isVisible(), timeout=WAIT_MS)
    assert not status.cancel_uploads_button.isVisible()


def test_cancel_in_the_status_line_stops_the_whole_batch(
        qtbot: QtBot, empty_emulator: StoreEmulator, open_store, tmp_path: Path) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=1)
    page = open_store(emu, pid)
    status = page.window().status
    page.session.queue.set_sending_paused(True)  # all of them still waiting
    queue_uploads(page, pictures(tmp_path, 4, side=40))
    qtbot.waitUntil(lambda: status.uploads_label.text() == "Uploading 1 of 4 images — 0 %",
                    timeout=WAIT_MS)
    assert page.upload_controls is not None and page.upload_controls.cancel_all_action.isEnabled()
    assert page.upload_controls.cancel_all_action in page.edit_actions
    status.cancel_uploads_button.click()
    qtbot.waitUntil(lambda: page.image_model.rowCount() == 1, timeout=WAIT_MS)
    page.session.queue.set_sending_paused(False)
    qtbot.waitUntil(page.session.queue.is_idle, timeout=WAIT_MS)
    assert emu.image_count(pid) == 1
    assert not [r for r in emu.requests() if r.method == "POST"]
    assert not status.uploads_label.isVisible()
    assert not page.upload_controls.cancel_all_action.isEnabled()
    assert status.cancel_uploads_button.accessibleName() == "Cancel all uploads"


def test_cancelling_the_upload_being_sent_says_so_on_its_card_until_it_goes(
        qtbot: QtBot, empty_emulator: StoreEmulator, open_store, tmp_path: Path) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=1)
    page = open_store(emu, pid)
    model = page.image_model
    emu.config.latency_ms = 700
    queue_uploads(page, pictures(tmp_path, 1, side=60))
    qtbot.waitUntil(lambda: bool(upload_rows(page)) and model.index(upload_rows(page)[0]).data(
        ImageRoles.SyncBadge) is Badge.SENDING, timeout=WAIT_MS)
    cancel = menu_entry(page, upload_rows(page)[0], "Cancel upload")
    assert cancel is not None
    cancel.trigger()
    rows = upload_rows(page)
    assert rows and model.index(rows[0]).data(ImageRoles.UploadCancelling) is True
    assert upload_words(model.index(rows[0])) == ("Cancelling…", None)
    queue = page.session.queue
    qtbot.waitUntil(lambda: queue.is_idle() and queue.pending_count() == 0
                    and model.rowCount() == 1 and not upload_rows(page), timeout=WAIT_MS)
    assert emu.image_count(pid) == 1  # it had landed or not: the store ends as asked
