"""Undo, redo and the edits around them, each test a bug found in a review of the editing
foundation (issue 9 §6), against the emulator through the real `ImageEditor` and queue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.api import ImageDownloader
from app.services.edit_verbs import add_edit, alt_text_edit, delete_edit
from app.services.image_state import Phase
from app.store_emulator import Faults, StoreEmulator
from app.ui.image_editor import ImageEditor
from tests.services.test_verbs_under_faults import Scene, sha
from tests.services.test_write_queue import WAIT_MS, loaded, writes


@pytest.fixture
def scene(qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue,
          tmp_path: Path) -> Iterator[Scene]:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=5)
    client = clients(emu)
    downloader = ImageDownloader()
    watched = make_queue(emu, fetch_picture=downloader.fetch)
    loaded(watched, client, pid)
    qtbot.waitUntil(lambda: pid in watched.states, timeout=WAIT_MS)
    editor = ImageEditor(watched.queue)
    the_scene = Scene(qtbot, emu, client, watched, editor, pid, tmp_path,
                      downloader=downloader)
    watched.queue.stateChanged.connect(the_scene.saw)
    yield the_scene
    editor.deleteLater()
    downloader.close()


def idle(scene: Scene) -> None:
    scene.qtbot.waitUntil(lambda: scene.watched.settled()
                          and scene.watched.queue.pending_count() == 0, timeout=WAIT_MS)


def store_order(scene: Scene) -> list[int]:
    images = scene.emu._running_store().images(scene.pid)
    return [image.id for image in sorted(images, key=lambda i: (i.sort_order, i.id))]


def test_undoing_an_upload_that_is_still_waiting_withdraws_it(scene: Scene) -> None:
    """It used to be compared with the queued op, whose file is the journal's copy: never
    equal, so the upload was sent and then deleted again."""
    queue = scene.watched.queue
    queue.set_sending_paused(True)
    scene.editor.apply(scene.pid, add_edit(scene.rows(), files=[scene.new_file()]))
    scene.qtbot.waitUntil(lambda: queue.counts() == (1, 0, 0), timeout=WAIT_MS)
    scene.emu.clear_requests()
    scene.editor.undo_stack.undo()
    scene.qtbot.waitUntil(lambda: queue.counts() == (0, 0, 0), timeout=WAIT_MS)
    queue.set_sending_paused(False)
    idle(scene)
    assert writes(scene.emu) == [] and scene.emu.image_count(scene.pid) == 5


def test_a_redo_right_after_undoing_a_sent_delete_deletes_the_copy(scene: Scene) -> None:
    """The copy's key reached the window only when the queue reported back, so a Redo made
    before that deleted the (gone) original: the copy stayed, and the next Undo made a
    second one."""
    rows = scene.rows()
    scene.editor.apply(scene.pid, delete_edit(rows, [rows[2].key]))
    idle(scene)
    stack = scene.editor.undo_stack
    stack.undo()
    stack.redo()  # at once: the queue has not answered the undo yet
    idle(scene)
    assert scene.emu.image_count(scene.pid) == 4
    stack.undo()
    idle(scene)
    assert scene.emu.image_count(scene.pid) == 5
    assert len(scene.rows()) == 5


def test_undoing_a_sent_delete_puts_the_copy_back_in_its_place(scene: Scene) -> None:
    rows = scene.rows()
    before = store_order(scene)
    scene.editor.apply(scene.pid, delete_edit(rows, [rows[1].key]))
    idle(scene)
    scene.editor.undo_stack.undo()
    idle(scene)
    after = store_order(scene)
    assert len(after) == 5 and after[1] not in before  # a copy, where the image was
    assert after[:1] + after[2:] == before[:1] + before[2:]
    assert [row.server_id for row in scene.rows()] == after


def test_deleting_the_thumbnail_shows_the_star_the_store_gave_another_image(
        scene: Scene) -> None:
    rows = scene.rows()
    (star,) = [row for row in rows if row.image.is_thumbnail]
    scene.editor.apply(scene.pid, delete_edit(rows, [star.key]))
    idle(scene)
    images = scene.emu._running_store().images(scene.pid)
    on_store = [image.id for image in images if image.is_thumbnail]
    assert on_store and [row.server_id for row in scene.rows() if row.image.is_thumbnail] \
        == on_store


def test_an_upload_made_again_by_redo_gets_its_own_card(scene: Scene) -> None:
    """Redo queued the upload under the key of the first card; when that card was still
    there (its Undo's delete failed), two cards shared a key, and a reorder naming it
    twice could never be sent."""
    scene.editor.apply(scene.pid, add_edit(scene.rows(), files=[scene.new_file()],
                                           position=1))
    idle(scene)
    scene.emu.faults = Faults(error_rate=1.0, only_methods=frozenset({"DELETE"}))
    scene.editor.undo_stack.undo()
    scene.settle()
    scene.editor.undo_stack.redo()
    scene.settle()
    keys = [row.key for row in scene.rows()]
    assert len(keys) == len(set(keys)), keys
    scene.emu.faults = Faults()
    scene.retry_every_failure()
    assert len(scene.rows()) == scene.emu.image_count(scene.pid) == 6


def test_a_failed_change_of_an_image_deleted_afterwards_does_not_linger_unseen(
        scene: Scene) -> None:
    rows = scene.rows()
    scene.emu.faults = Faults(error_rate=1.0, only_methods=frozenset({"PUT"}))
    scene.editor.apply(scene.pid, alt_text_edit(rows, {rows[3].key: "never sent"}))
    scene.settle()
    assert scene.watched.queue.counts() == (0, 0, 1)
    scene.emu.faults = Faults()
    scene.editor.apply(scene.pid, delete_edit(scene.rows(), [rows[3].key]))
    scene.qtbot.waitUntil(lambda: scene.emu.image_count(scene.pid) == 4, timeout=WAIT_MS)
    scene.settle()
    # no card shows it, so nothing could be retried or reverted: it must not be counted
    assert scene.watched.queue.counts() == (0, 0, 0)
    assert rows[3].key not in [row.key for row in scene.rows()]


def test_an_upload_retried_after_later_ones_went_lands_where_it_was_shown(
        scene: Scene) -> None:
    """The store puts a new image last: a Retry used to leave it there."""
    first = scene.new_file()
    scene.emu.faults = Faults(error_rate=1.0, only_methods=frozenset({"POST"}))
    scene.editor.apply(scene.pid, add_edit(scene.rows(), files=[first]))
    scene.settle()
    scene.emu.faults = Faults()
    scene.editor.apply(scene.pid, add_edit(scene.rows(), files=[scene.new_file()]))
    scene.qtbot.waitUntil(lambda: scene.emu.image_count(scene.pid) == 6, timeout=WAIT_MS)
    scene.settle()
    shown = [row.key for row in scene.rows()]
    scene.retry_every_failure()
    assert [row.key for row in scene.rows()] == shown
    assert [row.server_id for row in scene.rows()] == store_order(scene)
    last_but_one = scene.emu._running_store().original(store_order(scene)[-2])
    assert last_but_one is not None and sha(last_but_one) == first.sha256


def test_undo_of_a_delete_all_brings_every_image_back_in_order(scene: Scene) -> None:
    rows = scene.rows()
    before = [(row.image.description or "", row.image.is_thumbnail) for row in rows]
    scene.editor.apply(scene.pid, delete_edit(rows, [row.key for row in rows]))
    idle(scene)
    assert scene.emu.image_count(scene.pid) == 0
    scene.editor.undo_stack.undo()
    idle(scene)
    images = sorted(scene.emu._running_store().images(scene.pid),
                    key=lambda i: (i.sort_order, i.id))
    assert [(image.description or "", image.is_thumbnail) for image in images] == before
    assert [row.server_id for row in scene.rows()] == [image.id for image in images]
    assert all(item.sync.phase is not Phase.FAILED for item in scene.state.pending)



def test_an_undo_while_the_delete_is_being_sent_still_brings_back_the_kept_copy(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:
    """The Undo came while the lane was still keeping the copy (downloading the picture,
    before the DELETE): the inverse was made then, from the image's address, which the
    store no longer serves once the DELETE went; the copy has to be used when it is sent."""
    import threading

    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=3)
    client = clients(emu)
    downloader = ImageDownloader()
    fetching, release = threading.Event(), threading.Event()

    def slow_fetch(url: str) -> bytes:
        fetching.set()
        release.wait(WAIT_MS / 1000)
        return downloader.fetch(url)

    watched = make_queue(emu, fetch_picture=slow_fetch)
    loaded(watched, client, pid)
    qtbot.waitUntil(lambda: pid in watched.states, timeout=WAIT_MS)
    editor = ImageEditor(watched.queue)
    try:
        rows = watched.states[pid].view()
        editor.apply(pid, delete_edit(rows, [rows[1].key]))
        qtbot.waitUntil(fetching.is_set, timeout=WAIT_MS)  # the lane took the delete
        editor.undo_stack.undo()
        qtbot.waitUntil(lambda: watched.queue.is_idle() or watched.queue.counts()[0] > 0,
                        timeout=WAIT_MS)
        release.set()
        qtbot.waitUntil(lambda: watched.settled() and watched.queue.pending_count() == 0,
                        timeout=WAIT_MS)
        assert emu.image_count(pid) == 3
        assert [row.server_id for row in watched.states[pid].view()] == store_order_of(emu, pid)
    finally:
        release.set()
        editor.deleteLater()
        downloader.close()


def store_order_of(emu: StoreEmulator, pid: int) -> list[int]:
    images = emu._running_store().images(pid)
    return [image.id for image in sorted(images, key=lambda i: (i.sort_order, i.id))]
