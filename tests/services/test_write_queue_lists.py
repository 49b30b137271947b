"""Lists of a product's images that reach the queue: one asked for before a change was
confirmed may not show it (the store answered the list first) and must not undo it on screen;
a saved copy from this computer shows under the pending changes but never stands for the store."""

from __future__ import annotations

import time

from pytestqt.qtbot import QtBot

from app.services.image_state import FieldChanges, UpdateFields, image_row_key, next_op_id
from app.store_emulator import StoreEmulator
from tests.services.test_write_queue import WAIT_MS, loaded


def _gets_of_images(emu: StoreEmulator, pid: int) -> int:
    return sum(1 for r in emu.requests()
               if r.method == "GET" and r.path.endswith(f"/products/{pid}/images"))


def test_a_list_older_than_a_confirmed_change_does_not_undo_it(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=3)
    client = clients(emu)
    watched = make_queue(emu)
    asked_at = time.monotonic()
    old_list = loaded(watched, client, pid)  # the screen's list, asked for before the edit
    image = old_list[1]
    watched.queue.submit(pid, UpdateFields(op_id=next_op_id(), row_key=image_row_key(image.id),
                                           changes=FieldChanges(description="New words"),
                                           based_on=image))
    qtbot.waitUntil(lambda: watched.queue.is_idle() and watched.queue.pending_count() == 0,
                    timeout=WAIT_MS)
    emu.clear_requests()
    watched.queue.set_server_images(pid, old_list, listed_at=asked_at)  # arrives late

    def shown() -> str | None:
        rows = watched.states[pid].view()
        return next(r.image.description for r in rows if r.key == image_row_key(image.id))

    qtbot.waitUntil(lambda: _gets_of_images(emu, pid) >= 1 and watched.queue.is_idle(),
                    timeout=WAIT_MS)  # listed again, after the write
    assert shown() == "New words"
    # A list asked for after the change is taken as it is.
    newer = client.all_images(pid)
    watched.queue.set_server_images(pid, newer, listed_at=time.monotonic())
    qtbot.waitUntil(watched.queue.is_idle, timeout=WAIT_MS)
    assert shown() == "New words" and _gets_of_images(emu, pid) == 2  # its own, none more


def test_a_saved_copy_is_shown_but_the_store_is_listed_before_anything_is_sent(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=3)
    client = clients(emu)
    watched = make_queue(emu)
    saved = sorted(client.all_images(pid), key=lambda i: (i.sort_order, i.id))
    client.delete_image(pid, saved[0].id)  # changed on the store since the copy was saved
    watched.queue.set_server_images(pid, saved, saved_copy=True)
    qtbot.waitUntil(lambda: pid in watched.states and len(watched.states[pid].view()) == 3,
                    timeout=WAIT_MS)
    emu.clear_requests()
    watched.queue.submit(pid, UpdateFields(op_id=next_op_id(),
                                           row_key=image_row_key(saved[1].id),
                                           changes=FieldChanges(description="Edited"),
                                           based_on=saved[1]))
    qtbot.waitUntil(lambda: watched.queue.is_idle() and watched.queue.pending_count() == 0,
                    timeout=WAIT_MS)
    assert [r.method for r in emu.requests()][:1] == ["GET"]  # listed first
    assert len(watched.states[pid].view()) == 2  # the store's list replaced the copy
    assert client.get_image(pid, saved[1].id).description == "Edited"


def test_a_reorder_is_read_back_once_after_its_puts(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:
    """Issue 9 §3: after a reorder batch the order is read back once (and repaired once if
    the store shows another); the grid then holds the store's own sort_orders."""
    from app.services.edit_verbs import move_edit

    emu = empty_emulator
    emu.config.sort_order_shift = True
    pid = emu.add_product("Mug", "MUG", image_count=6)
    client = clients(emu)
    watched = make_queue(emu)
    images = loaded(watched, client, pid)
    qtbot.waitUntil(lambda: pid in watched.states, timeout=WAIT_MS)
    rows = watched.states[pid].view()
    edit = move_edit(rows, [rows[5].key], 1)
    assert edit is not None
    emu.clear_requests()
    watched.queue.submit(pid, edit.ops[0])
    qtbot.waitUntil(lambda: watched.queue.is_idle() and watched.queue.pending_count() == 0,
                    timeout=WAIT_MS)
    methods = [r.method for r in emu.requests()]
    assert "PUT" in methods and methods[-1] == "GET" and methods.count("GET") == 1
    assert methods.index("GET") > max(n for n, m in enumerate(methods) if m == "PUT")
    stored = sorted(client.all_images(pid), key=lambda i: (i.sort_order, i.id))
    assert [i.id for i in stored] == [images[0].id, images[5].id, *[i.id for i in images[1:5]]]
    shown = watched.states[pid].view()
    assert [r.image.sort_order for r in shown] == [i.sort_order for i in stored]
