"""Changes that meet a store changed meanwhile (issue 10 §3): before a change made on an old
record is sent, the store's record now is compared with it; a clash waits for the merchant,
who keeps theirs, keeps the store's, or decides later. Changes without a clash go on, and a
delete is never a clash (it removes the image the merchant chose, whatever its alt text)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.api.models import ImageChanges
from app.services.conflicts import Conflict, ConflictKind, Resolution
from app.services.image_state import Delete, Phase, image_row_key, next_op_id
from app.store_emulator import StoreEmulator
from tests.services.test_write_queue import WAIT_MS, edit, loaded, writes


def _offline_edits_then_back(qtbot: QtBot, emu: StoreEmulator, clients, make_queue):  # type: ignore[no-untyped-def]
    """Four images; offline, the merchant edits the alt text of the first three and deletes
    the fourth; meanwhile, on the store, someone rewrites #0's alt text, deletes #1 and edits
    #3's."""
    pid = emu.add_product("Mug", "MUG", image_count=4)
    client = clients(emu)
    watched = make_queue(emu)
    conflicts: list[list[Conflict]] = []
    watched.queue.conflictsChanged.connect(conflicts.append)
    images = loaded(watched, client, pid)
    watched.queue.set_sending_paused(True)  # working offline
    ops = [edit(image, description=f"Mine {n}") for n, image in enumerate(images[:3])]
    ops.append(Delete(op_id=next_op_id(), row_key=image_row_key(images[3].id),
                      based_on=images[3]))
    for op in ops:
        watched.queue.submit(pid, op)
    qtbot.waitUntil(lambda: watched.queue.counts() == (4, 0, 0), timeout=WAIT_MS)
    client.update_image(pid, images[0].id, ImageChanges(description="Theirs 0"))
    client.delete_image(pid, images[1].id)
    client.update_image(pid, images[3].id, ImageChanges(description="Theirs 3"))
    emu.clear_requests()
    watched.queue.set_online()
    watched.queue.set_sending_paused(False)
    qtbot.waitUntil(lambda: watched.settled() and bool(conflicts) and len(conflicts[-1]) == 2,
                    timeout=WAIT_MS)
    return pid, client, watched, images, ops, conflicts


def test_clashes_wait_for_the_merchant_and_the_rest_is_sent(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:
    emu = empty_emulator
    pid, client, watched, images, ops, conflicts = _offline_edits_then_back(
        qtbot, emu, clients, make_queue)
    by_op = {c.op_id: c for c in conflicts[-1]}
    assert set(by_op) == {ops[0].op_id, ops[1].op_id}
    changed, deleted = by_op[ops[0].op_id], by_op[ops[1].op_id]
    assert changed.kind is ConflictKind.CHANGED and changed.fields == ("description",)
    assert changed.mine is not None and changed.mine.description == "Mine 0"
    assert changed.theirs is not None and changed.theirs.description == "Theirs 0"
    assert changed.base.description == images[0].description
    assert deleted.kind is ConflictKind.DELETED and deleted.theirs is None
    # The changes without a clash went (the edit of #2, the delete of #3); the others did not.
    assert sorted(method for method, _ in writes(emu)) == ["DELETE", "PUT"]
    assert any(path.endswith(f"/products/{pid}/images/{images[2].id}")
               for method, path in writes(emu) if method == "PUT")
    texts = {i.id: i.description for i in client.all_images(pid)}
    assert texts[images[0].id] == "Theirs 0" and texts[images[2].id] == "Mine 2"
    assert images[3].id not in texts
    state = watched.states[pid]
    assert all(item.sync.phase is Phase.FAILED for item in state.pending)
    assert "changed on the store" in state.pending[0].sync.reason


def test_each_choice_does_what_it_says(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:
    emu = empty_emulator
    pid, client, watched, images, ops, conflicts = _offline_edits_then_back(
        qtbot, emu, clients, make_queue)
    queue = watched.queue
    queue.resolve_conflicts([ops[1].op_id], Resolution.SKIP)      # decide later
    queue.resolve_conflicts([ops[1].op_id], Resolution.KEEP_MINE)  # the screen's to do
    queue.resolve_conflicts([ops[0].op_id], Resolution.KEEP_STORES)
    qtbot.waitUntil(lambda: len(conflicts[-1]) == 1 and watched.settled(), timeout=WAIT_MS)
    texts = {i.id: i.description for i in client.all_images(pid)}
    assert texts[images[0].id] == "Theirs 0"       # the store's stands
    assert [c.op_id for c in conflicts[-1]] == [ops[1].op_id]   # skipped: still waiting
    assert [item.op.op_id for item in watched.states[pid].pending] == [ops[1].op_id]
    queue.resolve_conflicts([ops[1].op_id], Resolution.KEEP_STORES)  # later: let it go
    qtbot.waitUntil(lambda: not conflicts[-1] and watched.queue.pending_count() == 0,
                    timeout=WAIT_MS)
    assert images[1].id not in {i.id for i in client.all_images(pid)}


def test_keeping_mine_sends_the_change_over_the_stores(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:
    emu = empty_emulator
    pid, client, watched, images, ops, conflicts = _offline_edits_then_back(
        qtbot, emu, clients, make_queue)
    watched.queue.resolve_conflicts([ops[0].op_id], Resolution.KEEP_MINE)
    qtbot.waitUntil(lambda: len(conflicts[-1]) == 1 and watched.settled(), timeout=WAIT_MS)
    assert {i.id: i.description for i in client.all_images(pid)}[images[0].id] == "Mine 0"


def test_my_own_earlier_change_is_not_a_clash(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:
    """Two edits of one image while offline: the second was made on the first's text, which
    the store never had; that is the merchant's own doing, not the store's."""
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=2)
    client = clients(emu)
    watched = make_queue(emu)
    conflicts: list[list[Conflict]] = []
    watched.queue.conflictsChanged.connect(conflicts.append)
    image = loaded(watched, client, pid)[0]
    watched.queue.set_sending_paused(True)
    first = edit(image, description="First", is_thumbnail=True)
    watched.queue.submit(pid, first)
    qtbot.waitUntil(lambda: watched.queue.counts()[0] == 1, timeout=WAIT_MS)
    shown = watched.states[pid].view()[0].image
    watched.queue.submit(pid, edit(shown, description="Second"))
    watched.queue.set_online()
    watched.queue.set_sending_paused(False)
    qtbot.waitUntil(lambda: watched.queue.pending_count() == 0 and watched.queue.is_idle(),
                    timeout=WAIT_MS)
    assert conflicts == [] or conflicts[-1] == []
    assert client.all_images(pid)[0].description == "Second"
