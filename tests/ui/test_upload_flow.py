"""Adding pictures through the real window: drops (real QMimeData), paste, "Add images…" (only
the OS file dialog is replaced), a drop on a product in the list; then the emulator is read:
the uploaded originals' hashes, their order and position, nothing lost or added twice."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QByteArray, QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from app.api import StoreClient
from app.api.auth import BasicCredentials
from app.api.models import ProductImage
from app.services.session import StoreInfo
from app.store_emulator import StoreEmulator
from app.ui.image_model import ImageRoles
from app.ui.store_page import StorePage
from app.ui.upload_flow import BatchOutcome, UploadFlow
from tests.ui.conftest import oauth_for

WAIT_MS = 30000


# ---- pictures and mime data ----------------------------------------------------------------

def picture(path: Path, size: tuple[int, int] = (64, 48), colour: tuple[int, int, int] = (200, 80, 40),
            kind: str = "PNG") -> bytes:
    """A real picture file made by Pillow; returns its bytes."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return out.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_drop(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    return mime


# ---- the store, read back ------------------------------------------------------------------

@pytest.fixture
def store_reader(empty_emulator: StoreEmulator) -> Iterator[StoreClient]:
    client = StoreClient(oauth_for(empty_emulator))
    yield client
    client.close()


def store_images(client: StoreClient, product_id: int) -> list[ProductImage]:
    return sorted(client.all_images(product_id), key=lambda i: (i.sort_order, i.id))


def original_hashes(emulator: StoreEmulator, images: list[ProductImage]) -> list[str]:
    store = emulator._running_store()
    return [sha(store.original(image.id) or b"") for image in images]


def settled(page: StorePage) -> bool:
    queue = page.session.queue
    return queue is not None and queue.is_idle() and queue.pending_count() == 0


def card_keys(page: StorePage) -> list[str]:
    return [row.key for row in page.view_rows()]


def finished(qtbot: QtBot, flow: UploadFlow) -> BatchOutcome:
    with qtbot.waitSignal(flow.batchFinished, timeout=WAIT_MS) as blocker:
        pass
    return blocker.args[0]


# ---- drops on the grid ---------------------------------------------------------------------

def test_dropped_files_become_cards_at_the_drop_position_then_the_store_has_them_in_order(
        qtbot: QtBot, empty_emulator: StoreEmulator, open_store, store_reader,
        tmp_path: Path) -> None:
    emu = empty_emulator
    pid = emu.add_product("Red Mug", "MUG", image_count=3)
    page = open_store(emu, pid)
    before = store_images(store_reader, pid)
    files = [tmp_path / name for name in ("side.png", "top.jpg", "handle.png")]
    contents = [picture(files[0], colour=(10, 20, 30)),
                picture(files[1], colour=(40, 50, 60), kind="JPEG"),
                picture(files[2], colour=(70, 80, 90))]
    keys_before = card_keys(page)
    flow = page.uploads
    assert flow is not None
    with qtbot.waitSignal(flow.batchFinished, timeout=WAIT_MS) as done:
        assert flow.drop(file_drop(*files), 1)
    assert done.args[0].added == 3 and done.args[0].refused == ()
    # The cards are there at once, where they were dropped, waiting to be sent.
    qtbot.waitUntil(lambda: page.image_model.rowCount() == 6, timeout=WAIT_MS)
    rows = page.view_rows()
    assert [row.key for row in rows[:1] + rows[4:]] == keys_before
    assert [row.image.image_file for row in rows[1:4]] == ["side.png", "top.jpg", "handle.png"]
    # Then the store has them: the same bytes, in the dropped order, at the dropped place.
    qtbot.waitUntil(lambda: settled(page) and len(store_images(store_reader, pid)) == 6,
                    timeout=WAIT_MS)
    after = store_images(store_reader, pid)
    assert [i.id for i in after[:1] + after[4:]] == [i.id for i in before]
    assert original_hashes(emu, after[1:4]) == [sha(c) for c in contents]
    assert card_keys(page)[1:4] == [row.key for row in rows[1:4]]  # the cards kept their keys


def test_a_dropped_folder_adds_its_pictures_recursively_and_names_the_junk(
        qtbot: QtBot, empty_emulator: StoreEmulator, open_store, store_reader,
        tmp_path: Path) -> None:
    emu = empty_emulator
    pid = emu.add_product("Tote", "TOTE", image_count=1)
    page = open_store(emu, pid)
    shoot = tmp_path / "shoot"
    contents = [picture(shoot / "01 front.png", colour=(1, 2, 3)),
                picture(shoot / "details" / "02 strap.png", colour=(4, 5, 6)),
                picture(shoot / "details" / "deeper" / "03 inside.jpg", colour=(7, 8, 9),
                        kind="JPEG")]
    (shoot / "notes.txt").write_text("shoot on Monday")
    (shoot / ".DS_Store").write_bytes(b"\x00junk")
    (shoot / "details" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    flow = page.uploads
    assert flow is not None
    with qtbot.waitSignal(flow.batchFinished, timeout=WAIT_MS) as done:
        flow.drop(file_drop(shoot), page.image_model.rowCount())
    outcome = done.args[0]
    assert outcome.added == 3
    assert [r.name for r in outcome.refused] == ["shoot/details/broken.png"]
    report = flow.report_box
    assert report is not None and report.isVisible()
    assert "broken.png" in report.text() and "damaged" in report.text()
    assert "other file" in report.text()  # notes.txt: left out, and said so
    qtbot.waitUntil(lambda: settled(page) and len(store_images(store_reader, pid)) == 4,
                    timeout=WAIT_MS)
    assert original_hashes(emu, store_images(store_reader, pid)[1:]) == [sha(c) for c in contents]
