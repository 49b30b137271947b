"""What was seen of a store is kept on this computer: a product seen before paints from disk at
once on the next start, then the store's answer changes only the rows that differ; when the
store cannot be reached, the saved copy stays on screen and one line says so."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from app.api import StoreClient
from app.api.models import ImageChanges
from app.services.session import StoreInfo
from app.store_emulator import Faults
from app.ui.image_model import ImageRoles
from tests.ui.conftest import oauth_for

PRODUCT = 4  # 50 images


def _seen_once(qtbot: QtBot, make_window, emulator) -> list:  # type: ignore[no-untyped-def]
    """A first run that opens the product (and so saves it), then closes."""
    window = make_window()
    page = window.open_store(StoreInfo("Test store", oauth_for(emulator)), PRODUCT)
    qtbot.waitUntil(lambda: page.images_ready and not page.showing_saved_copy, timeout=15000)
    images = page.image_model.images()
    saved_copy = page.session.saved_copy
    assert saved_copy is not None
    window.show_start()  # the store closes; what was posted is written, then the file closed
    qtbot.waitUntil(saved_copy.is_closed, timeout=10000)
    return images


def test_a_product_seen_before_paints_from_disk_then_only_changed_rows_update(
        qtbot: QtBot, make_window, emulator) -> None:
    first = _seen_once(qtbot, make_window, emulator)
    client = StoreClient(oauth_for(emulator))
    try:
        changed = first[7]
        client.update_image(PRODUCT, changed.id, ImageChanges(description="Changed meanwhile"))
    finally:
        client.close()
    store_late = threading.Event()  # the store holds the listing until the test lets go
    emulator.faults = Faults(hold=store_late, only_paths=r"/products/\d+/images$")
    window = make_window()
    page = window.open_store(StoreInfo("Test store", oauth_for(emulator)), PRODUCT)
    model = page.image_model
    qtbot.waitUntil(lambda: model.rowCount() == len(first), timeout=10000)
    assert page.showing_saved_copy  # shown from disk, the store not yet heard
    assert [model.image_at(n).id for n in range(model.rowCount())] == [i.id for i in first]
    resets: list[int] = []
    changed_rows: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsRemoved.connect(lambda *args: resets.append(2))
    model.rowsInserted.connect(lambda *args: resets.append(3))
    model.dataChanged.connect(lambda top, bottom, roles: changed_rows.extend(
        range(top.row(), bottom.row() + 1)) if ImageRoles.Image in roles or not roles else None)
    store_late.set()
    qtbot.waitUntil(lambda: not page.showing_saved_copy, timeout=15000)
    qtbot.waitUntil(lambda: model.image_at(7).description == "Changed meanwhile",
                    timeout=5000)
    assert resets == []
    assert set(changed_rows) == {7}


def test_when_the_store_cannot_be_reached_the_saved_copy_stays_with_one_line(
        qtbot: QtBot, make_window, emulator) -> None:
    first = _seen_once(qtbot, make_window, emulator)
    emulator.faults = Faults(drop_rate=1.0)
    window = make_window()
    page = window.open_store(StoreInfo("Test store", oauth_for(emulator)), PRODUCT)
    model = page.image_model
    qtbot.waitUntil(lambda: not page.saved_copy_banner.isHidden(), timeout=30000)
    assert model.rowCount() == len(first)
    assert page.grid_stack.currentWidget() is page.grid
    text = page.saved_copy_banner.text
    assert "Showing the copy saved on this computer at" in text and "today" in text
    emulator.faults = Faults()
    page.saved_copy_banner.action_button.click()  # Retry
    assert model.rowCount() == len(first)  # the copy stays while the store is asked again
    qtbot.waitUntil(lambda: not page.showing_saved_copy, timeout=15000)
    assert page.saved_copy_banner.isHidden() and model.rowCount() == len(first)
