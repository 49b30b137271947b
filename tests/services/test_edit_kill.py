"""The app's process SIGKILLed while 20 queued edits are being sent (issue 9, "Done when"): the
edits the merchant made through the undo stack (uploads dropped amid the grid, a reorder, a
thumbnail, alt texts, a delete of all images but a few, held like the Delete key holds them,
and the Undo of an edit already on the store). A new queue on the same journal finishes them:
the store ends as the merchant last saw it, with no image twice."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.store_emulator import StoreEmulator
from tests.services.test_verbs_under_faults import noisy_png
from tests.services.test_write_queue import WAIT_MS, writes

CHILD = r'''
import hashlib, json, sys
from pathlib import Path
from PySide6.QtGui import QGuiApplication
from PySide6.QtCore import QTimer
from app.api import OAuthCredentials, StoreClient
from app.services.edit_verbs import (NewFile, add_edit, alt_text_edit, delete_edit,
                                     move_edit, thumbnail_edit)
from app.services.write_queue import WriteQueue
from app.ui.image_editor import ImageEditor

store_hash, token, api_base, folder, pid, files, out, replay = sys.argv[1:9]
pid = int(pid)
app = QGuiApplication([])
client = StoreClient(OAuthCredentials(store_hash, token, api_base=api_base))
queue = WriteQueue(client, store_hash, Path(folder))
editor = ImageEditor(queue)
states = {}
queue.stateChanged.connect(lambda product, state: states.__setitem__(product, state))
queue.set_server_images(pid, client.all_images(pid))

def rows():
    return states[pid].view()

def when(condition, then):
    if condition():
        then()
    else:
        QTimer.singleShot(10, lambda: when(condition, then))

def then_next(steps):
    """Each gesture after the grid shows the one before (the queue's news delivered)."""
    def go():
        app.sendPostedEvents()
        if steps:
            steps.pop(0)()
            when(queue.is_idle, then_next(steps))
    return go

def sent_and_undone():
    # An alt text that reaches the store; its Undo is one of the queued changes below.
    editor.apply(pid, alt_text_edit(rows(), {rows()[0].key: "sent, then undone"}))

def pause_and_undo():
    queue.set_sending_paused(True)
    editor.undo_stack.undo()                                               # 1 inverse

def alt_texts():
    view = rows()
    editor.apply(pid, alt_text_edit(view, {view[1].key: "alt one", view[2].key: "alt two",
                                           view[5].key: "alt five"}))      # 3

def uploads():
    news = [NewFile(Path(p), Path(p).name) for p in files.split("|")]
    editor.apply(pid, add_edit(rows(), files=news, position=1))   # 4 uploads + 1 reorder

def star():
    editor.apply(pid, thumbnail_edit(rows(), rows()[6].key))      # 1

def move():
    view = rows()
    editor.apply(pid, move_edit(view, [view[7].key, view[0].key], 3))  # 1 reorder

def delete_all_but_four():
    view = rows()
    # The star stays (the store would give it to an image of its choosing), two uploads too.
    keep = {r.key for r in view if r.image.is_thumbnail}
    keep |= {r.key for r in view if r.key.startswith("new:")}.intersection(
        [view[1].key, view[2].key, view[3].key, view[4].key][:2] or [])
    for r in view:
        if len(keep) < 4:
            keep.add(r.key)
    editor.apply(pid, delete_edit(view, [r.key for r in view if r.key not in keep]),
                 hold_s=1.0)                                      # 8 held deletes

def last_alt_text():
    upload = next(r for r in rows() if r.key.startswith("new:"))  # an upload not yet sent
    editor.apply(pid, alt_text_edit(rows(), {upload.key: "after the deletes"}))  # 1

def write_and_go():
    last = [{"key": r.key, "id": r.server_id, "description": r.image.description or "",
             "thumbnail": r.image.is_thumbnail,
             "sha": hashlib.sha256(r.local_file.read_bytes()).hexdigest()
                    if r.local_file is not None else None} for r in rows()]
    Path(out).write_text(json.dumps({"queued": sum(queue.counts()), "rows": last}))
    if replay == "after-offline":
        queue.set_online()  # as the session does when the store answers again: relist first
    queue.set_sending_paused(False)

when(lambda: pid in states, then_next([
    sent_and_undone, pause_and_undo, alt_texts, uploads, star, move, delete_all_but_four,
    last_alt_text, write_and_go]))
app.exec()
'''


#: Writes the store has seen when the child dies: the first PUT (the edit undone later) is
#: one; then among the inverse and alt texts, the uploads, the reorder's PUTs, the deletes.
@pytest.mark.parametrize(("kill_after", "replay"), [
    (3, "online"), (7, "online"), (9, "online"), (13, "online"), (18, "online"),
    # Issue 10: the 20 changes were made offline (the queue held them); the process dies
    # while they are replayed, each product listed again and compared first.
    (6, "after-offline"), (14, "after-offline")])
def test_a_process_killed_amid_twenty_edits_is_finished_by_the_next_as_last_seen(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue, tmp_path: Path,
        kill_after: int, replay: str) -> None:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=8)
    client = clients(emu)
    files = []
    for n in range(4):
        files.append(tmp_path / f"Dropped {n}.png")
        files[-1].write_bytes(noisy_png(500 + n))
    folder, last_seen = tmp_path / "journal", tmp_path / "last-seen.json"
    emu.config.latency_ms = 40
    emu.clear_requests()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, emu.config.store_hash, emu.config.access_token,
         emu.oauth_api_base, str(folder), str(pid), "|".join(map(str, files)),
         str(last_seen), replay],
        env={**os.environ, "PYTHONPATH": os.getcwd(), "QT_QPA_PLATFORM": "offscreen"})
    try:
        qtbot.waitUntil(last_seen.exists, timeout=60000)
        qtbot.waitUntil(lambda: len(writes(emu)) >= kill_after, timeout=WAIT_MS)
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)
    assert len(writes(emu)) < 21  # killed mid-way
    emu.config.latency_ms = 0
    restarted = make_queue(emu, folder, resumed_check_grace_s=1.0)
    restarted.queue.resume()
    qtbot.waitUntil(lambda: restarted.resumed != [], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: restarted.queue.is_idle(), timeout=WAIT_MS)
    assert restarted.resumed[0][1] == 0 and restarted.queue.pending_count() == 0

    last = json.loads(last_seen.read_text())
    assert last["queued"] == 20
    seen = last["rows"]
    store = emu._running_store()
    images = sorted(store.images(pid), key=lambda image: (image.sort_order, image.id))

    def identity(image_id: int) -> object:
        original = store.original(image_id)
        digest = hashlib.sha256(original).hexdigest() if original is not None else None
        return digest if digest in {row["sha"] for row in seen if row["sha"]} else image_id

    print("seen", seen)
    print("requests", [(r.method, r.path.rsplit("/", 2)[-2:]) for r in emu.requests()])
    assert [(identity(image.id), image.description or "", image.is_thumbnail)
            for image in images] == [
        (row["sha"] or row["id"], row["description"], row["thumbnail"]) for row in seen]
    assert len(images) == 4 and sum(1 for row in seen if row["sha"]) == 2
    assert client.get_image(pid, images[0].id).description != "sent, then undone"
