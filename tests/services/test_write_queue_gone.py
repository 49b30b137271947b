"""Issue 9 §1: a delete that meets an image already gone from the store (404) is done, not a
failure; and the queue's counts tell waiting changes from the one being sent."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.services.image_state import (Delete, FieldChanges, UpdateFields, image_row_key,
                                      next_op_id)
from app.store_emulator import StoreEmulator
from tests.services.test_write_queue import (WAIT_MS, clients, loaded,  # noqa: F401 - fixtures
                                             make_queue, writes)


def test_a_delete_of_an_image_already_gone_from_the_store_is_done(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:  # noqa: F811
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=3)
    client = clients(emu)
    watched = make_queue(emu)
    images = loaded(watched, client, pid)
    client.delete_image(pid, images[1].id)  # another app deletes it first
    emu.clear_requests()
    watched.queue.submit(pid, Delete(op_id=next_op_id(), row_key=image_row_key(images[1].id),
                                     based_on=images[1]))
    qtbot.waitUntil(lambda: watched.settled() and watched.queue.pending_count() == 0,
                    timeout=WAIT_MS)
    assert ("DELETE", f"/products/{pid}/images/{images[1].id}") in [
        (method, path.split("/v2", 1)[-1]) for method, path in writes(emu)]  # it met the 404
    assert watched.queue.counts() == (0, 0, 0)
    assert [row.key for row in watched.states[pid].view()] == [
        image_row_key(images[0].id), image_row_key(images[2].id)]
    assert {image.id for image in client.all_images(pid)} == {images[0].id, images[2].id}


def test_the_counts_tell_waiting_from_sending(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:  # noqa: F811
    """One product's changes go one at a time: while one is being sent the others are
    counted as waiting, never as sending (the status bar's "2 changes waiting, 1 sending")."""
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=3)
    client = clients(emu)
    watched = make_queue(emu)
    images = loaded(watched, client, pid)
    emu.config.latency_ms = 200
    for n, image in enumerate(images):
        watched.queue.submit(pid, UpdateFields(
            op_id=next_op_id(), row_key=image_row_key(image.id),
            changes=FieldChanges(description=f"alt {n}"), based_on=image))
    qtbot.waitUntil(lambda: watched.settled() and watched.queue.pending_count() == 0,
                    timeout=WAIT_MS)
    assert (2, 1, 0) in watched.counts and (1, 1, 0) in watched.counts
    assert all(sending <= 1 for _, sending, _ in watched.counts), watched.counts
    assert watched.counts[-1] == (0, 0, 0)
