"""Cancelling uploads against the real emulator: a waiting upload never reaches the store, one
in flight is stopped and, if it landed anyway, deleted again; cancel-all empties a batch; the
progress of each upload and of the batch is reported, throttled."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

from PIL import Image
from pytestqt.qtbot import QtBot

from app.services.image_state import (CreateFromFile, Delete, FieldChanges, Phase, UpdateFields,
                                      new_row_key, next_op_id)
from app.services.upload_batch import BatchProgress
from app.services.write_queue import PROGRESS_INTERVAL_S, PROGRESS_STEP, ThrottledProgress
from tests.services.test_write_queue import WAIT_MS, Watched, loaded, upload_op, writes
from tests.support.emulator_fixtures import EmulatorFactory


def picture(folder: Path, name: str, side: int = 64) -> Path:
    """A real picture; `side` 700 makes ~1.4 MB of incompressible pixels."""
    path = folder / name
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(path, "PNG")
    return path


def posts(emu) -> list[str]:  # type: ignore[no-untyped-def]
    return [path for method, path in writes(emu) if method == "POST"]


def settled_empty(watched: Watched, pid: int) -> bool:
    state = watched.states.get(pid)
    return (watched.queue.is_idle() and watched.queue.pending_count() == 0
            and state is not None and not state.pending)


def sending(watched: Watched, pid: int, op: CreateFromFile) -> bool:
    state = watched.states.get(pid)
    item = state.op(op.op_id) if state is not None else None
    return item is not None and item.sync.phase is Phase.SENDING


def test_a_waiting_upload_cancelled_is_never_posted_and_its_card_goes(
        qtbot: QtBot, emulator_factory: EmulatorFactory, clients, make_queue,
        tmp_path: Path) -> None:
    emu = emulator_factory(catalog="empty")
    pid = emu.add_product("Mug", "MUG", image_count=1)
    watched = make_queue(emu)
    loaded(watched, clients(emu), pid)
    watched.queue.set_sending_paused(True)
    op = upload_op(picture(tmp_path, "waiting.png"), "waiting.png", position=1)
    watched.queue.submit(pid, op)
    # A change made to the new card meanwhile goes with it: there is no image for it.
    watched.queue.submit(pid, UpdateFields(op_id=next_op_id(), row_key=op.row_key,
                                           changes=FieldChanges(is_thumbnail=True),
                                           based_on=None))
    qtbot.waitUntil(lambda: pid in watched.states and len(watched.states[pid].view()) == 2
                    and len(watched.states[pid].pending) == 2, timeout=WAIT_MS)
    emu.clear_requests()
    watched.queue.cancel(op.op_id)
    qtbot.waitUntil(lambda: settled_empty(watched, pid), timeout=WAIT_MS)
    watched.queue.set_sending_paused(False)
    qtbot.waitUntil(watched.queue.is_idle, timeout=WAIT_MS)
    assert posts(emu) == [] and emu.image_count(pid) == 1
    assert len(watched.states[pid].view()) == 1
    # Its Undo afterwards finds nothing to take back: no delete is queued or sent.
    watched.queue.undo(pid, [(op, (Delete(op_id=0, row_key=op.row_key, based_on=None),))])
    qtbot.waitUntil(watched.queue.is_idle, timeout=WAIT_MS)
    assert writes(emu) == [] and watched.queue.pending_count() == 0


def test_an_upload_cancelled_in_flight_that_landed_anyway_is_deleted_again(
        qtbot: QtBot, emulator_factory: EmulatorFactory, clients, make_queue,
        tmp_path: Path) -> None:
    """The store is slow (each request waits 0.8 s before it is handled): the whole file has
    left and the answer is awaited when the merchant cancels. The store still creates the
    image after the connection closed; the queue looks after its grace, finds it, deletes it."""
    emu = emulator_factory(catalog="empty", latency_ms=800)
    pid = emu.add_product("Mug", "MUG", image_count=1)
    watched = make_queue(emu, cancel_check_grace_s=1.5)
    loaded(watched, clients(emu), pid)
    progress: list[tuple[int, int]] = []
    watched.queue.progress.connect(lambda p, op_id, sent, total: progress.append((sent, total)))
    op = upload_op(picture(tmp_path, "slow.png"), "slow.png", position=1)
    emu.clear_requests()
    watched.queue.submit(pid, op)
    # The whole file written, the store has the request and sits on it: its answer not come.
    qtbot.waitUntil(lambda: sending(watched, pid, op) and progress
                    and progress[-1][0] == progress[-1][1] and bool(posts(emu)), timeout=WAIT_MS)
    watched.queue.cancel(op.op_id)
    qtbot.waitUntil(lambda: settled_empty(watched, pid), timeout=WAIT_MS)
    assert emu.image_count(pid) == 1  # only the image it had
    assert len(watched.states[pid].view()) == 1
    assert len(posts(emu)) == 1
    assert [m for m, _ in writes(emu)] == ["POST", "DELETE"]  # it had landed: taken back


def test_cancel_all_uploads_of_a_batch_of_five_leaves_the_store_as_it_was(
        qtbot: QtBot, emulator_factory: EmulatorFactory, clients, make_queue,
        tmp_path: Path) -> None:
    emu = emulator_factory(catalog="empty", latency_ms=300)
    pid = emu.add_product("Mug", "MUG", image_count=2)
    other = emu.add_product("Cup", "CUP", image_count=0)
    watched = make_queue(emu, cancel_check_grace_s=1.0)
    client = clients(emu)
    loaded(watched, client, pid)
    loaded(watched, client, other)
    batches: list[BatchProgress] = []
    watched.queue.uploadsChanged.connect(batches.append)
    ops = [upload_op(picture(tmp_path, f"p{n}.png"), f"p{n}.png", position=2 + n)
           for n in range(5)]
    for op in ops:
        watched.queue.submit(pid, op)
    kept = upload_op(picture(tmp_path, "cup.png"), "cup.png")
    qtbot.waitUntil(lambda: sending(watched, pid, ops[0]), timeout=WAIT_MS)
    watched.queue.cancel_all_uploads(pid)
    watched.queue.submit(other, kept)  # another product's upload is not part of it
    qtbot.waitUntil(lambda: settled_empty(watched, pid) and settled_empty(watched, other),
                    timeout=WAIT_MS)
    assert emu.image_count(pid) == 2 and len(watched.states[pid].view()) == 2
    assert emu.image_count(other) == 1
    assert len([path for path in posts(emu) if f"/products/{pid}/" in path]) <= 1
    assert any(batch.count == 5 for batch in batches)
    assert batches[-1] == BatchProgress()  # the status line goes


def test_progress_is_reported_per_upload_throttled_and_reaches_the_whole_file(
        qtbot: QtBot, emulator_factory: EmulatorFactory, clients, make_queue,
        tmp_path: Path) -> None:
    emu = emulator_factory(catalog="empty")
    pid = emu.add_product("Mug", "MUG")
    watched = make_queue(emu)
    loaded(watched, clients(emu), pid)
    path = picture(tmp_path, "big.png", side=700)
    size = path.stat().st_size
    reports: list[tuple[int, int]] = []
    batches: list[BatchProgress] = []
    watched.queue.progress.connect(
        lambda p, op_id, sent, total: reports.append((sent, total)) if p == pid else None)
    watched.queue.uploadsChanged.connect(batches.append)
    op = CreateFromFile(op_id=next_op_id(), row_key=new_row_key(), path=path, sha256="",
                        size=0, name="big.png", position=0)
    started = time.monotonic()
    watched.queue.submit(pid, op)
    qtbot.waitUntil(lambda: settled_empty(watched, pid), timeout=WAIT_MS)
    elapsed = time.monotonic() - started
    sent = [s for s, _ in reports]
    assert reports[0] == (0, size) and reports[-1] == (size, size)
    assert sent == sorted(sent)
    # Throttled: at most one report per interval or per step of the file, the first and the last.
    assert len(reports) <= math.ceil(elapsed / PROGRESS_INTERVAL_S) + 1 / PROGRESS_STEP + 2
    assert len(reports) < math.ceil(size / (64 * 1024))
    assert any(batch.count == 1 and batch.total_bytes == size for batch in batches)
    assert emu.image_count(pid) == 1


def test_a_stalled_upload_shows_about_what_left_not_the_last_count_let_through() -> None:
    """httpx writes 64 KB chunks as fast as the socket takes them, then blocks when the store
    does not read: the count reported before the stall is what the card shows all along."""
    forwarded: list[int] = []
    report = ThrottledProgress(lambda sent, total: forwarded.append(sent))
    total, chunk = 7_700_000, 64 * 1024
    written = range(0, 2_900_000, chunk)
    for sent in written:  # microseconds apart: the interval alone would let only the 0 through
        report(sent, total)
    assert forwarded[0] == 0
    assert written[-1] - forwarded[-1] < total * PROGRESS_STEP
    assert len(forwarded) <= 1 / PROGRESS_STEP  # still a few reports, not one per chunk
    report(0, total)  # sent again (a 429 waited out): the count starts over at once
    assert forwarded[-1] == 0
