"""Undo through the write queue, against the emulator: a change still waiting is withdrawn
(the store never hears of it), one already sent is taken back by its inverse; a held delete
waits its seconds of Undo, and closing the window ends the hold."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.api import ImageDownloader
from app.services.edit_verbs import alt_text_edit, delete_edit, move_edit
from app.services.image_state import Badge
from app.store_emulator import StoreEmulator
from tests.services.test_write_queue import WAIT_MS, Watched, loaded, writes


def steps_of(edit) -> list:  # type: ignore[no-untyped-def]
    return [(step.op, step.inverse) for step in edit.steps]


def idle(watched: Watched) -> bool:
    return watched.settled() and watched.queue.pending_count() == 0


def test_undo_withdraws_a_held_delete_so_the_store_never_hears_of_it(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=3)
    client = clients(emu)
    watched = make_queue(emu)
    loaded(watched, client, pid)
    qtbot.waitUntil(lambda: pid in watched.states, timeout=WAIT_MS)
    rows = watched.states[pid].view()
    edit = delete_edit(rows, [rows[1].key])
    assert edit is not None
    emu.clear_requests()
    for op in edit.ops:
        watched.queue.submit(pid, op, hold_s=60)
    qtbot.waitUntil(lambda: len(watched.states[pid].view()) == 2, timeout=WAIT_MS)
    watched.queue.undo(pid, steps_of(edit))
    qtbot.waitUntil(lambda: len(watched.states[pid].view()) == 3 and idle(watched),
                    timeout=WAIT_MS)
    assert writes(emu) == [] and emu.image_count(pid) == 3
    assert [row.key for row in watched.states[pid].view()] == [row.key for row in rows]


def test_a_held_delete_goes_after_its_hold_and_undo_then_brings_a_copy_back(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:
    """The store's picture is gone once the image is: the copy comes from the largest
    rendition, kept in the journal before the DELETE was sent."""
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=3)
    client = clients(emu)
    downloader = ImageDownloader()
    watched = make_queue(emu, fetch_picture=downloader.fetch)
    images = loaded(watched, client, pid)
    emu.clear_requests()
    qtbot.waitUntil(lambda: pid in watched.states, timeout=WAIT_MS)
    rows = watched.states[pid].view()
    alt = alt_text_edit(rows, {rows[2].key: "Kept through the copy"})
    assert alt is not None
    for op in alt.ops:
        watched.queue.submit(pid, op)
    qtbot.waitUntil(lambda: idle(watched), timeout=WAIT_MS)
    rows = watched.states[pid].view()
    edit = delete_edit(rows, [rows[2].key])
    assert edit is not None
    largest = downloader.fetch(images[2].zoom_url or "")
    undone: list[tuple[int, list[int]]] = []
    watched.queue.undoneBySending.connect(lambda p, ids: undone.append((p, ids)))
    for op in edit.ops:
        watched.queue.submit(pid, op, hold_s=0.3)
    qtbot.waitUntil(lambda: emu.image_count(pid) == 2 and idle(watched), timeout=WAIT_MS)
    watched.queue.undo(pid, steps_of(edit))
    qtbot.waitUntil(lambda: emu.image_count(pid) == 3 and idle(watched), timeout=WAIT_MS)
    assert undone == [(pid, [edit.ops[0].op_id])]
    back = {image.id: image for image in client.all_images(pid)}
    (copy_id,) = set(back) - {image.id for image in images}
    assert back[copy_id].description == "Kept through the copy"
    # The copy's card stands where the deleted one stood.
    view = watched.states[pid].view()
    assert view[2].server_id == copy_id and view[2].badge is Badge.NONE
    assert emu._running_store().original(copy_id) == largest
    downloader.close()


def test_undoing_a_merged_edit_still_ends_at_the_text_before_it(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=2)
    client = clients(emu)
    watched = make_queue(emu)
    images = loaded(watched, client, pid)
    qtbot.waitUntil(lambda: pid in watched.states, timeout=WAIT_MS)
    watched.queue.set_sending_paused(True)
    rows = watched.states[pid].view()
    first = alt_text_edit(rows, {rows[0].key: "B"})
    assert first is not None
    watched.queue.submit(pid, first.ops[0])
    rows_b = [r for r in rows]  # what the merchant saw before the second edit: B shown
    qtbot.waitUntil(lambda: watched.states[pid].view()[0].image.description == "B",
                    timeout=WAIT_MS)
    rows_b = watched.states[pid].view()
    second = alt_text_edit(rows_b, {rows_b[0].key: "C"})
    assert second is not None
    watched.queue.submit(pid, second.ops[0])  # merges into the first: one waiting PUT
    qtbot.waitUntil(lambda: watched.queue.counts() == (1, 0, 0)
                    and watched.states[pid].view()[0].image.description == "C",
                    timeout=WAIT_MS)
    watched.queue.undo(pid, steps_of(second))
    qtbot.waitUntil(lambda: watched.states[pid].view()[0].image.description == "B",
                    timeout=WAIT_MS)
    watched.queue.undo(pid, steps_of(first))
    qtbot.waitUntil(lambda: watched.states[pid].view()[0].image.description
                    == (images[0].description or ""), timeout=WAIT_MS)
    emu.clear_requests()
    watched.queue.set_sending_paused(False)
    qtbot.waitUntil(lambda: idle(watched), timeout=WAIT_MS)
    assert len(writes(emu)) <= 1  # the edits and their undos fold into at most one PUT
    assert (client.get_image(pid, images[0].id).description or "") == \
        (images[0].description or "")


def test_an_undone_move_puts_the_store_back_in_the_old_order(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=5)
    client = clients(emu)
    watched = make_queue(emu)
    images = loaded(watched, client, pid)
    qtbot.waitUntil(lambda: pid in watched.states, timeout=WAIT_MS)
    rows = watched.states[pid].view()
    edit = move_edit(rows, [rows[4].key], 0)
    assert edit is not None
    watched.queue.submit(pid, edit.ops[0])
    qtbot.waitUntil(lambda: idle(watched), timeout=WAIT_MS)
    order = [i.id for i in sorted(client.all_images(pid), key=lambda i: (i.sort_order, i.id))]
    assert order == [images[4].id] + [i.id for i in images[:4]]
    watched.queue.undo(pid, steps_of(edit))
    qtbot.waitUntil(lambda: idle(watched) and watched.queue.is_idle(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: [i.id for i in sorted(client.all_images(pid), key=lambda i: (
        i.sort_order, i.id))] == [i.id for i in images], timeout=WAIT_MS)


def test_closing_ends_every_hold(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=2)
    client = clients(emu)
    watched = make_queue(emu)
    loaded(watched, client, pid)
    qtbot.waitUntil(lambda: pid in watched.states, timeout=WAIT_MS)
    rows = watched.states[pid].view()
    edit = delete_edit(rows, [rows[0].key])
    assert edit is not None
    watched.queue.submit(pid, edit.ops[0], hold_s=600)
    qtbot.waitUntil(lambda: len(watched.states[pid].view()) == 1, timeout=WAIT_MS)
    assert watched.queue.drain(timeout_s=WAIT_MS / 1000)
    assert emu.image_count(pid) == 1
