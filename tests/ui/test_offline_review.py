"""Offline review (issue 10 §3), end to end against a store that goes away and comes back:
browse online; the store stops; the app starts again and shows what it saw, pictures included;
every kind of edit is made offline and waits; the store comes back; the edits arrive in order
and the store ends as the merchant saw it. Also: working offline by choice asks nothing of the
store, and a product never seen says so instead of spinning."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from app.services.edit_verbs import (NewFile, add_edit, alt_text_edit, delete_edit, move_edit,
                                     thumbnail_edit)
from app.services.session import StoreInfo
from app.store_emulator import EmulatorConfig, StoreEmulator
from app.services.image_state import NO_ID, Badge
from app.ui.image_model import ImageRoles, PictureState
from app.ui.store_page import StorePage
from tests.support.image_verbs import store_images
from tests.ui.conftest import oauth_for

PRODUCT = 9        # 5 images
OTHER_PRODUCT = 2  # never opened


@pytest.fixture
def store_config(tmp_path: Path) -> EmulatorConfig:
    """A store whose state outlives a stop: it can go away and come back on the same ports."""
    return EmulatorConfig(catalog="demo", db_path=str(tmp_path / "store.sqlite3"))


@pytest.fixture
def running(store_config: EmulatorConfig) -> Iterator[list[StoreEmulator]]:
    """The store's current run (a list: a test starts it again after a stop)."""
    runs = [StoreEmulator(store_config).start()]
    yield runs
    for run in runs:
        run.stop()


def _start_again(runs: list[StoreEmulator]) -> StoreEmulator:
    first = runs[0]
    config = dataclasses.replace(first.config, port=first.api_port, cdn_port=first.cdn_port)
    again = StoreEmulator(config).start()
    runs.append(again)
    return again


def _pictures_shown(page: StorePage) -> int:
    model = page.image_model
    return sum(1 for row in range(model.rowCount())
               if model.index(row).data(ImageRoles.PictureState) == PictureState.LOADED)


def _browse_then_close(qtbot: QtBot, make_window, store: StoreEmulator) -> list:  # type: ignore[no-untyped-def]
    window = make_window()
    page = window.open_store(StoreInfo("Test store", oauth_for(store)), PRODUCT)
    qtbot.waitUntil(lambda: page.images_ready and not page.showing_saved_copy, timeout=15000)
    qtbot.waitUntil(lambda: _pictures_shown(page) == page.image_model.rowCount(),
                    timeout=15000)
    images = page.image_model.images()
    saved_copy = page.session.saved_copy
    assert saved_copy is not None
    window.show_start()
    qtbot.waitUntil(saved_copy.is_closed, timeout=10000)
    return images


def _all_on_store(page: StorePage) -> bool:
    """The grid shows the queue's last word: every card has the store's id, none a badge.
    (The queue's counts are read across threads and may be ahead of what the grid shows.)"""
    model = page.image_model
    return all(model.index(row).data(ImageRoles.ImageId) != NO_ID
               and model.index(row).data(ImageRoles.SyncBadge) == Badge.NONE
               for row in range(model.rowCount()))


def _picture_file(folder: Path) -> tuple[Path, str]:
    path = folder / "offline-photo.png"
    Image.new("RGB", (320, 240), (30, 140, 90)).save(path, "PNG")
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def test_edits_made_offline_reach_the_store_in_order_when_it_comes_back(
        qtbot: QtBot, make_window, running: list[StoreEmulator], tmp_path: Path) -> None:
    store = running[0]
    seen = _browse_then_close(qtbot, make_window, store)
    assert len(seen) == 5
    store.stop()

    # The app starts again without the store: the product paints from disk, pictures too.
    window = make_window()
    page = window.open_store(StoreInfo("Test store", oauth_for(store)), PRODUCT)
    session = page.session
    session.set_probe_interval(0.3)
    qtbot.waitUntil(lambda: session.offline and page.showing_saved_copy, timeout=30000)
    qtbot.waitUntil(lambda: _pictures_shown(page) == 5, timeout=10000)
    assert [image.id for image in page.image_model.images()] == [image.id for image in seen]
    assert page.offline_banner.isVisible() and "Offline since" in page.offline_banner.text
    qtbot.waitUntil(lambda: page.product_model.rowCount() >= 1, timeout=10000)  # from disk

    # Every kind of edit, offline.
    editor = page.editor
    assert editor is not None
    rows = page.view_rows()
    first, second, third, last = rows[0].key, rows[1].key, rows[2].key, rows[4].key
    editor.apply(PRODUCT, alt_text_edit(rows, {second: "Written on the train"}))
    editor.apply(PRODUCT, thumbnail_edit(page.view_rows(), third))
    editor.apply(PRODUCT, move_edit(page.view_rows(), [last], 0))
    editor.apply(PRODUCT, delete_edit(page.view_rows(), [first]))
    path, sha = _picture_file(tmp_path)
    editor.apply(PRODUCT, add_edit(page.view_rows(), files=[NewFile(path=path,
                                                                    name=path.name)]))
    queue = session.queue
    assert queue is not None
    qtbot.waitUntil(lambda: queue.counts()[0] >= 5, timeout=10000)
    qtbot.wait(800)  # probes keep failing meanwhile: nothing is sent, nothing fails
    assert queue.counts()[1:] == (0, 0)
    assert session.offline
    assert "5 changes wait" in page.offline_banner.text or \
        "changes wait" in page.offline_banner.text
    wanted = [(row.image.description or "", row.image.is_thumbnail) for row in page.view_rows()]

    # The store comes back: the probe finds it, the journal is replayed.
    back = _start_again(running)
    qtbot.waitUntil(lambda: not session.offline, timeout=15000)
    qtbot.waitUntil(lambda: queue.counts() == (0, 0, 0) and _all_on_store(page), timeout=30000)
    assert page.offline_banner.isHidden()
    on_store = store_images(back, PRODUCT)
    shown = page.image_model.images()
    assert [image.id for image in on_store] == [image.id for image in shown]
    assert [(image.description or "", image.is_thumbnail) for image in on_store] == wanted
    assert seen[0].id not in {image.id for image in on_store}          # deleted
    assert on_store[0].id == seen[4].id                                # moved to the front
    assert next(i for i in on_store if i.id == seen[1].id).description == "Written on the train"
    assert [i.id for i in on_store if i.is_thumbnail] == [seen[2].id]
    uploaded = [i for i in on_store if i.id not in {s.id for s in seen}]
    assert len(uploaded) == 1                                          # once, not twice
    original = back._running_store().original(uploaded[0].id) or b""
    assert hashlib.sha256(original).hexdigest() == sha               # the file's own bytes


def test_working_offline_by_choice_asks_nothing_and_an_unseen_product_says_so(
        qtbot: QtBot, make_window, running: list[StoreEmulator]) -> None:
    store = running[0]
    _browse_then_close(qtbot, make_window, store)
    window = make_window()
    window.offline_action.setChecked(True)
    before = len(store.requests()) + len(store.cdn_requests())
    page = window.open_store(StoreInfo("Test store", oauth_for(store)), PRODUCT)
    qtbot.waitUntil(lambda: page.showing_saved_copy and page.image_model.rowCount() == 5,
                    timeout=10000)
    assert "Working offline since" in page.offline_banner.text
    assert window.status.connection_label.text() == "○ Working offline"
    page.open_product_id(OTHER_PRODUCT, "Never seen")
    qtbot.waitUntil(lambda: page.grid_panel.title == "This product is not saved on this "
                    "computer" and page.grid_stack.currentWidget() is page.grid_panel,
                    timeout=10000)
    editor = page.editor
    assert editor is not None
    page.open_product_id(PRODUCT)
    qtbot.waitUntil(lambda: page.image_model.rowCount() == 5, timeout=10000)
    rows = page.view_rows()
    editor.apply(PRODUCT, alt_text_edit(rows, {rows[0].key: "Kept until I go online"}))
    queue = page.session.queue
    assert queue is not None
    qtbot.waitUntil(lambda: queue.counts() == (1, 0, 0), timeout=10000)
    # Offline by choice, the change waits for the merchant, not for the store.
    qtbot.waitUntil(lambda: "1 change waits to be sent when you go online."
                    in page.offline_banner.text, timeout=5000)
    qtbot.wait(300)
    assert len(store.requests()) + len(store.cdn_requests()) == before  # none, not even a picture

    window.offline_action.setChecked(False)  # go online: the change goes
    qtbot.waitUntil(lambda: queue.counts() == (0, 0, 0), timeout=15000)
    assert store_images(store, PRODUCT)[0].description == "Kept until I go online"
    assert page.offline_banner.isHidden()


def test_conflicts_are_shown_and_each_choice_does_what_it_says(
        qtbot: QtBot, make_window, running: list[StoreEmulator]) -> None:
    """Offline, the merchant rewrites the alt text of three images; meanwhile, on the store,
    someone rewrites the first's, deletes the second and rewrites the third's. Back online: one
    banner, the review dialog; keep mine (first), add it again with my changes (second), keep
    the store's (third)."""
    from app.api import StoreClient
    from app.api.models import ImageChanges
    from app.services.conflicts import ConflictKind, Resolution

    store = running[0]
    window = make_window()
    page = window.open_store(StoreInfo("Test store", oauth_for(store)), PRODUCT)
    qtbot.waitUntil(lambda: page.images_ready and page.image_model.rowCount() == 5,
                    timeout=15000)
    seen = page.image_model.images()
    window.offline_action.setChecked(True)
    rows = page.view_rows()
    editor, queue, review = page.editor, page.session.queue, page.conflict_review
    assert editor is not None and queue is not None and review is not None
    editor.apply(PRODUCT, alt_text_edit(rows, {rows[0].key: "Mine 0", rows[1].key: "Mine 1",
                                               rows[2].key: "Mine 2"}))
    qtbot.waitUntil(lambda: queue.counts() == (3, 0, 0), timeout=10000)
    client = StoreClient(oauth_for(store))
    try:
        client.update_image(PRODUCT, seen[0].id, ImageChanges(description="Theirs 0"))
        client.delete_image(PRODUCT, seen[1].id)
        client.update_image(PRODUCT, seen[2].id, ImageChanges(description="Theirs 2"))
    finally:
        client.close()

    window.offline_action.setChecked(False)
    qtbot.waitUntil(lambda: len(review.conflicts) == 3 and review.banner.isVisible(),
                    timeout=15000)
    assert "3 changes meet a store that changed" in review.banner.text
    assert [c.kind for c in review.conflicts] == [ConflictKind.CHANGED, ConflictKind.DELETED,
                                                  ConflictKind.CHANGED]
    review.banner.action_button.click()
    dialog = review.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.current() is not None and dialog.current().op_id == review.conflicts[0].op_id
    dialog.choose(Resolution.KEEP_MINE)
    qtbot.waitUntil(lambda: dialog.current() is not None
                    and dialog.current().kind is ConflictKind.DELETED, timeout=5000)
    dialog.choose(Resolution.KEEP_MINE)  # "Add it again with my changes"
    qtbot.waitUntil(lambda: dialog.current() is not None
                    and dialog.current().op_id == review.conflicts[-1].op_id, timeout=5000)
    dialog.choose(Resolution.KEEP_STORES)
    try:
        qtbot.waitUntil(lambda: not review.conflicts and queue.counts() == (0, 0, 0)
                        and _all_on_store(page), timeout=30000)
    except Exception:
        print("left:", review.conflicts, queue.counts(), page.changes_banner.text,
              [(row.key, row.image.description, row.sync) for row in page.view_rows()])
        raise
    assert review.banner.isHidden()
    on_store = {image.id: image for image in store_images(store, PRODUCT)}
    assert on_store[seen[0].id].description == "Mine 0"
    assert on_store[seen[2].id].description == "Theirs 2"
    assert seen[1].id not in on_store
    added = [image for image in on_store.values() if image.id not in {s.id for s in seen}]
    assert [image.description for image in added] == ["Mine 1"]    # back, with my alt text
    assert store_images(store, PRODUCT)[1].id == added[0].id          # in its place
    assert [image.id for image in page.image_model.images()] == \
        [image.id for image in store_images(store, PRODUCT)]


def test_products_kept_offline_say_so_in_the_list_when_the_store_opens(
        qtbot: QtBot, make_window, running: list[StoreEmulator], tmp_path: Path) -> None:
    from app.cache.metadata import MetadataStore

    store = running[0]
    _browse_then_close(qtbot, make_window, store)
    with MetadataStore.open(tmp_path / "metadata") as db:  # as a finished sync leaves it
        db.set_pinned(oauth_for(store).store_id, [PRODUCT], True)
    window = make_window()
    page = window.open_store(StoreInfo("Test store", oauth_for(store)), PRODUCT)
    model = page.product_model

    def subtitle_of(product_id: int) -> str:
        row = model.row_of(product_id)
        return "" if row is None else model.index(row).data() or ""

    qtbot.waitUntil(lambda: "offline, synced" in subtitle_of(PRODUCT), timeout=15000)
    assert "offline" not in subtitle_of(1)
