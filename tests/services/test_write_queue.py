"""The write queue against the real emulator: journal first, one ordered lane per product, each
op sent with the right call, exactly once, and resumed from the journal after a restart."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.api import StoreClient
from app.api.models import ProductImage
from app.cache.journal import Journal
from app.services.image_state import (
    Badge,
    CreateFromFile,
    Delete,
    DeleteAll,
    FieldChanges,
    ImageState,
    Phase,
    UpdateFields,
    image_row_key,
    new_row_key,
    next_op_id,
)
from app.services.write_queue import WriteQueue
from app.store_emulator import StoreEmulator
from tests.api.conftest import credentials_for, fast_retry, picture_bytes

WAIT_MS = 20000


class Watched:
    """A queue and what it said."""

    def __init__(self, queue: WriteQueue) -> None:
        self.queue = queue
        self.states: dict[int, ImageState] = {}
        self.resumed: list[tuple[int, int]] = []
        self.counts: list[tuple[int, int, int]] = []
        queue.stateChanged.connect(lambda pid, state: self.states.__setitem__(pid, state))
        queue.resumedChanges.connect(lambda sent, failed: self.resumed.append((sent, failed)))
        queue.countsChanged.connect(lambda *counts: self.counts.append(counts))

    def settled(self) -> bool:
        return self.queue.is_idle() and all(
            item.sync.phase is Phase.FAILED
            for state in self.states.values() for item in state.pending)


QueueFactory = Callable[..., Watched]
ClientFactory = Callable[..., StoreClient]


@pytest.fixture
def clients() -> Iterator[ClientFactory]:
    """OAuth clients of an emulator (file uploads need OAuth), fast retry delays."""
    made: list[StoreClient] = []

    def make(emu: StoreEmulator) -> StoreClient:
        client = StoreClient(credentials_for(emu, "oauth"), retry=fast_retry())
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def make_queue(qtbot: QtBot, tmp_path: Path, clients: ClientFactory
               ) -> Iterator[QueueFactory]:
    made: list[WriteQueue] = []

    def make(emu: StoreEmulator, folder: Path | None = None, **options: Any) -> Watched:
        queue = WriteQueue(clients(emu), emu.config.store_hash,
                           folder or tmp_path / "journal", **options)
        made.append(queue)
        return Watched(queue)

    yield make
    for queue in made:
        queue.shutdown()
    for queue in made:
        qtbot.waitUntil(queue.journal_closed, timeout=WAIT_MS)


def loaded(watched: Watched, client: StoreClient, product_id: int) -> list[ProductImage]:
    images = client.all_images(product_id)
    watched.queue.set_server_images(product_id, images)
    return sorted(images, key=lambda image: (image.sort_order, image.id))


def writes(emu: StoreEmulator) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in emu.requests() if r.method in ("POST", "PUT", "DELETE")]


def edit(image: ProductImage, **changes: Any) -> UpdateFields:
    return UpdateFields(op_id=next_op_id(), row_key=image_row_key(image.id),
                        changes=FieldChanges(**changes), based_on=image)


def test_an_alt_text_edit_reaches_the_store_with_one_put_and_no_read(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=3)
    client = clients(emu)
    watched = make_queue(emu)
    image = loaded(watched, client, pid)[1]
    emu.clear_requests()
    watched.queue.submit(pid, edit(image, description="Red mug, side view"))
    qtbot.waitUntil(lambda: watched.settled() and watched.queue.pending_count() == 0,
                    timeout=WAIT_MS)
    assert [r.method for r in emu.requests()] == ["PUT"]
    assert client.get_image(pid, image.id).description == "Red mug, side view"
    row = next(r for r in watched.states[pid].view() if r.key == image_row_key(image.id))
    assert row.image.description == "Red mug, side view" and row.badge is Badge.NONE
    assert image.thumbnail_url and row.image.thumbnail_url == image.thumbnail_url  # the answer merged onto the record
    assert watched.counts[-1] == (0, 0, 0)


def test_two_waiting_edits_of_one_image_become_one_put(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=2)
    client = clients(emu)
    watched = make_queue(emu)
    image = loaded(watched, client, pid)[0]
    watched.queue.set_sending_paused(True)
    watched.queue.submit(pid, edit(image, description="first"))
    watched.queue.submit(pid, edit(image, description="second", is_thumbnail=True))
    qtbot.waitUntil(lambda: watched.queue.counts() == (1, 0, 0), timeout=WAIT_MS)
    emu.clear_requests()
    watched.queue.set_sending_paused(False)
    qtbot.waitUntil(lambda: watched.settled() and watched.queue.pending_count() == 0,
                    timeout=WAIT_MS)
    path = f"/stores/{emu.config.store_hash}/v2/products/{pid}/images/{image.id}"
    assert writes(emu) == [("PUT", path)]
    stored = client.get_image(pid, image.id)
    assert (stored.description, stored.is_thumbnail) == ("second", True)


def test_a_delete_and_a_delete_all_each_take_one_request(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=4)
    client = clients(emu)
    watched = make_queue(emu)
    images = loaded(watched, client, pid)
    emu.clear_requests()
    watched.queue.submit(pid, Delete(op_id=next_op_id(), row_key=image_row_key(images[0].id),
                                     based_on=images[0]))
    qtbot.waitUntil(lambda: watched.settled() and emu.image_count(pid) == 3, timeout=WAIT_MS)
    assert [m for m, _ in writes(emu)] == ["DELETE"]
    emu.clear_requests()
    watched.queue.submit(pid, DeleteAll(op_id=next_op_id(), based_on=tuple(images[1:])))
    qtbot.waitUntil(lambda: watched.settled() and watched.queue.pending_count() == 0,
                    timeout=WAIT_MS)
    assert writes(emu) == [("DELETE", f"/stores/{emu.config.store_hash}/v2/products/{pid}/images")]
    assert emu.image_count(pid) == 0 and watched.states[pid].view() == []


def upload_op(path: Path, name: str, position: int = 0) -> CreateFromFile:
    return CreateFromFile(op_id=next_op_id(), row_key=new_row_key(), path=path, sha256="",
                          size=0, name=name, position=position)


def test_an_uploaded_file_lands_with_its_bytes_even_if_the_file_goes_after_the_drop(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue,
        tmp_path: Path) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=1)
    client = clients(emu)
    watched = make_queue(emu)
    loaded(watched, client, pid)
    dropped = tmp_path / "Red Mug.png"
    content = picture_bytes("png", (40, 30))
    dropped.write_bytes(content)
    watched.queue.set_sending_paused(True)
    op = upload_op(dropped, "Red Mug.png", position=0)
    watched.queue.submit(pid, op)
    qtbot.waitUntil(lambda: watched.queue.counts() == (1, 0, 0), timeout=WAIT_MS)
    first = watched.states[pid].view()[0]
    assert first.key == op.row_key and first.badge is Badge.WAITING and first.server_id is None
    dropped.unlink()  # the journal holds its own copy
    watched.queue.set_sending_paused(False)
    qtbot.waitUntil(lambda: watched.settled() and watched.queue.pending_count() == 0,
                    timeout=WAIT_MS)
    row = next(r for r in watched.states[pid].view() if r.key == op.row_key)
    assert row.server_id is not None and row.badge is Badge.NONE
    stored = emu._running_store().original(row.server_id)
    assert stored is not None
    assert hashlib.sha256(stored).hexdigest() == hashlib.sha256(content).hexdigest()
    assert emu.image_count(pid) == 2


def test_a_post_whose_answer_is_lost_after_commit_adds_exactly_one_image(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue,
        tmp_path: Path) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=2)
    client = clients(emu)
    watched = make_queue(emu)
    loaded(watched, client, pid)
    dropped = tmp_path / "Blue Mug.png"
    dropped.write_bytes(picture_bytes("png"))
    emu.faults.drop_after_commit_rate = 1.0
    emu.faults.only_methods = frozenset({"POST"})
    emu.clear_requests()
    op = upload_op(dropped, "Blue Mug.png")
    watched.queue.submit(pid, op)
    qtbot.waitUntil(lambda: watched.settled() and watched.queue.pending_count() == 0,
                    timeout=WAIT_MS)
    assert [m for m, _ in writes(emu)] == ["POST"]
    assert emu.image_count(pid) == 3
    row = next(r for r in watched.states[pid].view() if r.key == op.row_key)
    assert row.server_id is not None and row.server_id in {i.id for i in client.all_images(pid)}


def test_a_post_that_never_arrives_is_sent_once_more_then_left_to_the_merchant(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue,
        tmp_path: Path) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=1)
    client = clients(emu)
    watched = make_queue(emu)
    loaded(watched, client, pid)
    dropped = tmp_path / "Green Mug.png"
    dropped.write_bytes(picture_bytes("png"))
    emu.faults.drop_rate = 1.0
    emu.faults.only_methods = frozenset({"POST"})
    emu.clear_requests()
    op = upload_op(dropped, "Green Mug.png")
    watched.queue.submit(pid, op)
    qtbot.waitUntil(lambda: watched.settled() and watched.queue.counts() == (0, 0, 1),
                    timeout=WAIT_MS)
    assert [m for m, _ in writes(emu)] == ["POST", "POST"]
    assert emu.image_count(pid) == 1
    row = next(r for r in watched.states[pid].view() if r.key == op.row_key)
    assert row.badge is Badge.FAILED and "Green Mug.png" in row.reason
    # Retry, with the store answering again: looked for first, then sent, one image added
    emu.faults.drop_rate = 0.0
    watched.queue.retry(op.op_id)
    qtbot.waitUntil(lambda: watched.settled() and watched.queue.pending_count() == 0,
                    timeout=WAIT_MS)
    assert emu.image_count(pid) == 2


def test_a_put_on_an_image_deleted_on_the_store_fails_and_can_be_reverted(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=2)
    client = clients(emu)
    watched = make_queue(emu)
    images = loaded(watched, client, pid)
    client.delete_image(pid, images[0].id)  # another app deletes it
    op = edit(images[0], description="too late")
    watched.queue.submit(pid, op)
    qtbot.waitUntil(lambda: watched.settled() and watched.queue.counts() == (0, 0, 1),
                    timeout=WAIT_MS)
    row = next(r for r in watched.states[pid].view() if r.key == image_row_key(images[0].id))
    assert row.badge is Badge.FAILED and "deleted on the store" in row.reason
    watched.queue.revert(op.op_id)
    qtbot.waitUntil(lambda: watched.queue.pending_count() == 0, timeout=WAIT_MS)
    assert watched.states[pid].pending == ()


def test_ops_of_one_product_reach_the_store_in_the_order_they_were_made(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=5)
    other = emu.add_product("Cup", "CUP", image_count=2)
    client = clients(emu)
    watched = make_queue(emu)
    images = loaded(watched, client, pid)
    others = loaded(watched, client, other)
    emu.clear_requests()
    ops = [edit(images[3], description="d"), Delete(op_id=next_op_id(),
           row_key=image_row_key(images[1].id), based_on=images[1]),
           edit(images[0], is_thumbnail=True), edit(images[4], description="e"),
           Delete(op_id=next_op_id(), row_key=image_row_key(images[2].id), based_on=images[2])]
    for n, op in enumerate(ops):
        watched.queue.submit(pid, op)
        watched.queue.submit(other, edit(others[n % 2], description=f"other {n}"))
    qtbot.waitUntil(lambda: watched.settled() and watched.queue.pending_count() == 0,
                    timeout=WAIT_MS)
    base = f"/stores/{emu.config.store_hash}/v2/products/{pid}/images/"
    mine = [(m, p) for m, p in writes(emu) if p.startswith(base)]
    assert mine == [("PUT", f"{base}{images[3].id}"), ("DELETE", f"{base}{images[1].id}"),
                    ("PUT", f"{base}{images[0].id}"), ("PUT", f"{base}{images[4].id}"),
                    ("DELETE", f"{base}{images[2].id}")]
    left = {i.id: i for i in client.all_images(pid)}
    assert set(left) == {images[0].id, images[3].id, images[4].id}
    assert left[images[0].id].is_thumbnail and left[images[4].id].description == "e"


def test_a_restart_finishes_what_a_shut_down_queue_left_without_duplicates(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue,
        tmp_path: Path) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=6)
    client = clients(emu)
    folder = tmp_path / "journal"
    first = make_queue(emu, folder)
    images = loaded(first, client, pid)
    files = []
    for n in range(2):
        files.append(tmp_path / f"New {n}.png")
        files[-1].write_bytes(picture_bytes("png", (20 + n, 20)))
    emu.config.latency_ms = 150
    for n, image in enumerate(images):
        first.queue.submit(pid, edit(image, description=f"alt {n}"))
    for path in files:
        first.queue.submit(pid, upload_op(path, path.name, position=99))
    total = len(images) + len(files)
    # mid-queue: some done, the rest still waiting
    qtbot.waitUntil(lambda: any(sum(c) == total for c in first.counts)
                    and 0 < first.queue.pending_count() < total, timeout=WAIT_MS)
    assert not first.queue.drain(0.0)
    first.queue.shutdown()
    qtbot.waitUntil(first.queue.journal_closed, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: first.queue.is_idle(), timeout=WAIT_MS)  # the request in flight
    with Journal(folder) as journal:
        left = len(journal.pending(emu.config.store_hash))
    emu.config.latency_ms = 0
    assert 0 < left < total
    second = make_queue(emu, folder, resumed_check_grace_s=0.5)
    emu.clear_requests()
    second.queue.resume()
    qtbot.waitUntil(lambda: second.resumed != [], timeout=WAIT_MS)
    assert second.resumed == [(left, 0)]
    assert len(writes(emu)) <= left  # each op left once (an upload is looked for, not resent)
    stored = client.all_images(pid)
    assert len(stored) == len(images) + len(files)
    by_id = {image.id: image for image in stored}
    assert [by_id[image.id].description for image in images] == [
        f"alt {n}" for n in range(len(images))]
    names = sorted(image.image_file.rsplit("/", 1)[-1].split("__")[0] for image in stored
                   if image.id not in {i.id for i in images})
    assert names == ["new-0", "new-1"]


def test_the_gui_thread_never_touches_the_journal_or_the_network(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue, tmp_path: Path,
        gui_thread_guard) -> None:
    emu = empty_emulator
    gui_thread_guard.watched_dirs.append(str(tmp_path / "journal"))
    with gui_thread_guard.paused():
        pid = emu.add_product("Mug", "MUG", image_count=2)
        client = clients(emu)
        images = client.all_images(pid)
        dropped = tmp_path / "Guarded.png"
        dropped.write_bytes(picture_bytes("png"))
    watched = make_queue(emu)
    watched.queue.resume()
    watched.queue.set_server_images(pid, images)
    watched.queue.submit(pid, edit(images[0], description="guarded"))
    watched.queue.submit(pid, upload_op(dropped, dropped.name))
    watched.queue.submit(pid, Delete(op_id=next_op_id(), row_key=image_row_key(images[1].id),
                                     based_on=images[1]))
    assert watched.queue.drain(20.0)
    assert watched.queue.pending_count() == 0
    with gui_thread_guard.paused():
        assert emu.image_count(pid) == 2


CHILD = r'''
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication, QTimer
from app.api import OAuthCredentials, StoreClient
from app.api.client import StoreClient
from app.services.image_state import (CreateFromFile, Delete, FieldChanges, UpdateFields,
                                      image_row_key, new_row_key, next_op_id)
from app.services.write_queue import WriteQueue

store_hash, token, api_base, folder, pid, files, marker = sys.argv[1:8]
pid = int(pid)
app = QCoreApplication([])
client = StoreClient(OAuthCredentials(store_hash, token, api_base=api_base))
images = sorted(client.all_images(pid), key=lambda i: (i.sort_order, i.id))
queue = WriteQueue(client, store_hash, Path(folder))
queue.set_sending_paused(True)
queue.set_server_images(pid, images)
ops = [UpdateFields(op_id=next_op_id(), row_key=image_row_key(image.id),
                    changes=FieldChanges(description=f"alt {n}"), based_on=image)
       for n, image in enumerate(images[:10])]
ops.append(UpdateFields(op_id=next_op_id(), row_key=image_row_key(images[10].id),
                        changes=FieldChanges(is_thumbnail=True), based_on=images[10]))
ops += [CreateFromFile(op_id=next_op_id(), row_key=new_row_key(), path=Path(path), sha256="",
                       size=0, name=Path(path).name, position=99)
        for path in files.split("|")]
ops += [Delete(op_id=next_op_id(), row_key=image_row_key(image.id), based_on=image)
        for image in images[11:14]]
for n, op in enumerate(ops):
    queue.submit(pid, op)

def check():
    if queue.counts() == (len(ops), 0, 0):
        Path(marker).write_text("queued")
        queue.set_sending_paused(False)
    else:
        QTimer.singleShot(10, check)

check()
app.exec()
'''


#: Writes the store has seen when the child is killed: among the 11 PUTs, on the second
#: and the fifth of the 6 uploads (its POST arrived, the store applies it, nobody hears the
#: answer), and among the deletes.
@pytest.mark.parametrize("kill_after", [6, 13, 16, 18])
def test_a_killed_process_loses_nothing_and_duplicates_nothing(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue,
        tmp_path: Path, kill_after: int) -> None:
    """20 queued changes (10 alt texts, a thumbnail, 6 uploads, 3 deletes) in a child process,
    SIGKILLed mid-way; a new queue on the same journal finishes them: the store ends as the
    merchant left it, each upload exactly once."""
    import os
    import signal
    import subprocess
    import sys

    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=14)
    client = clients(emu)
    images = sorted(client.all_images(pid), key=lambda i: (i.sort_order, i.id))
    files = []
    for n in range(6):
        files.append(tmp_path / f"Up {n}.png")
        files[-1].write_bytes(picture_bytes("png", (16 + n, 16)))
    folder, marker = tmp_path / "journal", tmp_path / "queued"
    emu.config.latency_ms = 60
    emu.clear_requests()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, emu.config.store_hash, emu.config.access_token,
         emu.oauth_api_base, str(folder), str(pid), "|".join(map(str, files)), str(marker)],
        env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        qtbot.waitUntil(marker.exists, timeout=60000)
        qtbot.waitUntil(lambda: len(writes(emu)) >= kill_after, timeout=WAIT_MS)
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)
    sent_before = len(writes(emu))
    assert sent_before < 20  # killed mid-way
    emu.config.latency_ms = 0
    # the store applies a request the dead child left on the wire within its 60 ms latency
    restarted = make_queue(emu, folder, resumed_check_grace_s=1.0)
    restarted.queue.resume()
    qtbot.waitUntil(lambda: restarted.resumed != [], timeout=WAIT_MS)
    assert restarted.resumed[0][1] == 0  # nothing failed
    stored = {image.id: image for image in client.all_images(pid)}
    assert len(stored) == 14 - 3 + 6
    assert [stored[image.id].description for image in images[:10]] == [
        f"alt {n}" for n in range(10)]
    assert [i.id for i in stored.values() if i.is_thumbnail] == [images[10].id]
    assert not {image.id for image in images[11:14]} & set(stored)
    uploaded = sorted(image.image_file.rsplit("/", 1)[-1].split("__")[0]
                      for image in stored.values() if image.id not in {i.id for i in images})
    assert uploaded == [f"up-{n}" for n in range(6)]


def journal_with_a_create_being_sent(emu: StoreEmulator, client: StoreClient, pid: int,
                                     folder: Path, dropped: Path) -> CreateFromFile:
    """What a process killed while its upload was on the wire leaves behind."""
    before = sorted(image.id for image in client.all_images(pid))
    with Journal(folder) as journal:
        stored = journal.store_file(dropped)
        op = CreateFromFile(op_id=next_op_id(), row_key=new_row_key(), path=stored.path,
                            sha256=stored.sha256, size=stored.size, name=dropped.name,
                            position=0)
        seq = journal.append(emu.config.store_hash, pid, op)
        journal.mark_sending(seq, before_ids=before)
    return op


@pytest.mark.parametrize("arrived", [True, False])
def test_a_create_left_being_sent_is_looked_for_before_it_is_sent_again(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue, tmp_path: Path,
        arrived: bool) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=2)
    client = clients(emu)
    dropped = tmp_path / "Left Behind.png"
    dropped.write_bytes(picture_bytes("png"))
    op = journal_with_a_create_being_sent(emu, client, pid, tmp_path / "journal", dropped)
    if arrived:  # the POST reached the store before the process died
        from app.api.image_files import read_image_upload
        client.upload_image(pid, read_image_upload(dropped))
    emu.clear_requests()
    watched = make_queue(emu, resumed_check_grace_s=0.0)
    watched.queue.resume()
    qtbot.waitUntil(lambda: watched.resumed != [], timeout=WAIT_MS)
    assert watched.resumed == [(1, 0)]
    assert [m for m, _ in writes(emu)] == ([] if arrived else ["POST"])
    assert emu.image_count(pid) == 3
    row = next(r for r in watched.states[pid].view() if r.key == op.row_key)
    assert row.server_id is not None and row.badge is Badge.NONE


def test_a_create_left_being_sent_stays_so_in_the_journal_until_it_was_looked_for(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue,
        tmp_path: Path) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=1)
    client = clients(emu)
    dropped = tmp_path / "Twice Killed.png"
    dropped.write_bytes(picture_bytes("png"))
    folder = tmp_path / "journal"
    journal_with_a_create_being_sent(emu, client, pid, folder, dropped)
    watched = make_queue(emu)
    watched.queue.set_sending_paused(True)  # dies again before the look
    watched.queue.resume()
    qtbot.waitUntil(lambda: watched.queue.counts() == (1, 0, 0), timeout=WAIT_MS)
    watched.queue.shutdown()
    qtbot.waitUntil(watched.queue.journal_closed, timeout=WAIT_MS)
    with Journal(folder) as journal:
        (entry,) = journal.pending(emu.config.store_hash)
    assert entry.needs_check  # the next start looks for it too, never a blind resend


def test_a_put_the_store_keeps_failing_is_tried_a_bounded_number_of_times_then_retried(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:
    from app.services.write_queue import MAX_SEND_ATTEMPTS

    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=1)
    client = clients(emu)
    watched = make_queue(emu)
    (image,) = loaded(watched, client, pid)
    emu.faults.error_rate = 1.0
    emu.faults.only_methods = frozenset({"PUT"})
    emu.clear_requests()
    op = edit(image, description="after the outage")
    watched.queue.submit(pid, op)
    qtbot.waitUntil(lambda: watched.settled() and watched.queue.counts() == (0, 0, 1),
                    timeout=WAIT_MS)
    puts = len(writes(emu))
    # each send may be retried by the transport too; the queue adds a bounded number of sends
    assert MAX_SEND_ATTEMPTS <= puts <= MAX_SEND_ATTEMPTS * 10
    (row,) = watched.states[pid].view()
    assert row.badge is Badge.FAILED and row.reason.startswith("The change to this picture")
    emu.faults.error_rate = 0.0
    watched.queue.retry(op.op_id)
    qtbot.waitUntil(lambda: watched.settled() and watched.queue.pending_count() == 0,
                    timeout=WAIT_MS)
    assert client.get_image(pid, image.id).description == "after the outage"


def test_a_reorder_sends_the_fewest_sort_order_puts(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue) -> None:
    from app.services.image_state import Reorder
    from app.services.reorder_plan import plan_reorder

    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=6)
    client = clients(emu)
    watched = make_queue(emu)
    images = loaded(watched, client, pid)
    keys = [image_row_key(image.id) for image in images]
    wanted = keys[:1] + keys[2:5] + keys[1:2] + keys[5:]  # the second image moves to 5th
    emu.clear_requests()
    watched.queue.submit(pid, Reorder(op_id=next_op_id(), order=tuple(wanted),
                                      based_on=tuple(images)))
    qtbot.waitUntil(lambda: watched.settled() and watched.queue.pending_count() == 0,
                    timeout=WAIT_MS)
    plan = plan_reorder(wanted, {image_row_key(i.id): i.sort_order for i in images})
    assert [m for m, _ in writes(emu)] == ["PUT"] * len(plan.puts)
    assert len(plan.puts) < len(images) - 1  # not a rewrite of every image
    shown = sorted(client.all_images(pid), key=lambda image: (image.sort_order, image.id))
    assert [image_row_key(image.id) for image in shown] == wanted
    assert [row.key for row in watched.states[pid].view()] == wanted


def test_an_upload_whose_file_is_gone_before_it_was_journaled_is_refused_not_queued(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue,
        tmp_path: Path) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=1)
    watched = make_queue(emu)
    loaded(watched, clients(emu), pid)
    op = upload_op(tmp_path / "Vanished.png", "Vanished.png")
    with qtbot.waitSignal(watched.queue.submitRefused, timeout=WAIT_MS) as refused:
        watched.queue.submit(pid, op)
    assert refused.args[:2] == [pid, op.op_id] and "Vanished.png" in refused.args[2]
    assert watched.queue.drain(5.0) and watched.queue.pending_count() == 0


def test_a_second_queue_on_a_journal_in_use_says_so_and_sends_nothing(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue,
        tmp_path: Path) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=1)
    client = clients(emu)
    first = make_queue(emu)
    (image,) = loaded(first, client, pid)
    assert first.queue.drain(10.0)
    second = make_queue(emu)  # same folder, same process: the journal is taken
    with qtbot.waitSignal(second.queue.journalProblem, timeout=WAIT_MS) as problem:
        pass
    assert "already running" in problem.args[0]
    emu.clear_requests()
    second.queue.submit(pid, edit(image, description="twice?"))
    assert second.queue.drain(10.0)
    assert writes(emu) == [] and second.queue.pending_count() == 0
