"""Every verb, and its Undo and Redo, against an emulator that fails: 500s, connections dropped
before and after the store applied the write, 429s; on writes and on reads (issue 9, "Done
when": every verb ends in the state the merchant last saw, and every failure was shown).

Each scene drives the real `ImageEditor` (its undo stack, its queue) against the emulator:
1. the verb (or Undo, or Redo) while the faults are on, until the queue settles;
2. every change that failed marks its card(s) FAILED with a reason in the merchant's words;
3. the faults go, the merchant presses Retry on each failed change, until nothing is left;
4. the rows the merchant meant (the view with the failed changes counted as waiting, taken
   before the retries) are the rows shown at the end, and the store holds exactly those:
   ids, order, alt texts, thumbnail, and for each upload the bytes of its file, once.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.api import ImageDownloader, StoreClient
from app.services.edit_verbs import (
    Edit,
    NewFile,
    add_edit,
    alt_text_edit,
    delete_edit,
    move_edit,
    step_edit,
    thumbnail_edit,
    to_back_edit,
    to_front_edit,
)
from app.services.image_state import (
    Badge,
    CreateFromFile,
    CreateFromUrl,
    Delete,
    DeleteAll,
    ImageState,
    Pending,
    Phase,
    Reorder,
    UpdateFields,
    ViewRow,
    view,
)
from app.store_emulator import Faults, StoreEmulator
from app.ui.image_editor import ImageEditor
from tests.api.conftest import spend_quota
from tests.services.test_write_queue import WAIT_MS, Watched, loaded

IMAGES = 6


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def noisy_png(seed: int, size: tuple[int, int] = (48, 36)) -> bytes:
    """A small PNG no other picture shares (noise from a seeded Random)."""
    import io

    from PIL import Image

    rng = random.Random(seed)
    image = Image.frombytes("RGB", size, bytes(rng.randrange(256)
                                               for _ in range(size[0] * size[1] * 3)))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# ---- faults --------------------------------------------------------------------------------

FAULTS = ["500", "drop", "drop_after_commit", "429"]


@contextmanager
def faults_on(emu: StoreEmulator, kind: str, rate: float = 1.0) -> Iterator[None]:
    """The store fails every request (reads too) this way while the block runs. A 429 comes
    from another app spending the store's quota: the window is short, so it is waited out."""
    if kind == "429":
        emu.config.rate_limit_quota = 4
        emu.config.rate_limit_window_ms = 1000
        emu.reset_rate_limit()
        spend_quota(emu, 4)
    else:
        emu.faults = Faults(**{f"{'error' if kind == '500' else kind}_rate": rate})
    try:
        yield
    finally:
        faults_off(emu)


def faults_off(emu: StoreEmulator) -> None:
    emu.faults = Faults()
    emu.config.rate_limit_quota = 1_000_000
    emu.config.rate_limit_window_ms = 30_000
    emu.reset_rate_limit()


# ---- the scene -----------------------------------------------------------------------------

@dataclass
class Scene:
    qtbot: QtBot
    emu: StoreEmulator
    client: StoreClient
    watched: Watched
    editor: ImageEditor
    pid: int
    tmp_path: Path
    #: row key of an upload (or of a copy brought back by Undo) -> the sha of its bytes
    uploads: dict[str, str] = field(default_factory=dict)
    #: every sha uploaded at least once (no image may carry one twice)
    shas: set[str] = field(default_factory=set)
    #: the sha of the picture at each URL a create was given
    url_shas: dict[str, str] = field(default_factory=dict)
    downloader: ImageDownloader | None = None
    made: int = 0

    def saw(self, product_id: int, state: ImageState) -> None:
        """Every upload the queue ever showed, with the sha of the bytes it sends."""
        for item in state.pending:
            op = item.op
            if isinstance(op, CreateFromFile) and op.sha256:
                self.uploads.setdefault(op.row_key, op.sha256)
                self.shas.add(op.sha256)
            elif isinstance(op, CreateFromUrl) and op.url in self.url_shas:
                self.uploads.setdefault(op.row_key, self.url_shas[op.url])

    @property
    def state(self) -> ImageState:
        return self.watched.states[self.pid]

    def rows(self) -> list[ViewRow]:
        return self.state.view()

    def settle(self) -> None:
        self.qtbot.waitUntil(self.watched.settled, timeout=WAIT_MS)

    def new_file(self) -> NewFile:
        self.made += 1
        content = noisy_png(1000 + self.made)
        path = self.tmp_path / f"Drop {self.made}.png"
        path.write_bytes(content)
        self.shas.add(sha(content))
        return NewFile(path, path.name, sha(content), len(content))

    def picture_url(self) -> str:
        """The address of a picture on the store's CDN that no image of the product has."""
        other = self.emu.add_product(f"Source {self.made}", f"SRC{self.made}", image_count=1)
        self.made += 1
        faults, self.emu.faults = self.emu.faults, Faults()
        try:
            (image,) = self.client.all_images(other)
        finally:
            self.emu.faults = faults
        assert image.standard_url and self.downloader is not None
        self.url_shas[image.standard_url] = sha(self.downloader.fetch(image.standard_url))
        self.shas.add(self.url_shas[image.standard_url])
        return image.standard_url

    def failed(self) -> list[Pending]:
        return [item for item in self.state.pending if item.sync.phase is Phase.FAILED]

    def retry_every_failure(self) -> None:
        """The merchant presses Retry on each failed card until none is left."""
        for _ in range(5):
            failed = self.failed()
            if not failed:
                break
            for item in failed:
                self.watched.queue.retry(item.op.op_id)
            self.qtbot.waitUntil(lambda: self.watched.queue.is_idle() and all(
                item.sync.phase is not Phase.WAITING for item in self.state.pending),
                timeout=WAIT_MS)
            self.settle()
        assert self.state.pending == ()


def intended(state: ImageState) -> list[ViewRow]:
    """The rows the merchant asked for: the view with every failed change counted in."""
    return view(state.snapshot, [Pending(item.op) for item in state.pending])


def looks(rows: list[ViewRow]) -> list[tuple[str, str, bool]]:
    return [(row.key, row.image.description or "", row.image.is_thumbnail) for row in rows]


TECHNICAL = re.compile(r"\b(GET|PUT|POST|DELETE|HTTP)\b|/stores/|/v[23]/|\(\d{3}\)|\b[45]\d\d\b")


def assert_every_failure_shown(scene: Scene) -> None:
    """Each failed change marks the cards it is about FAILED, with a reason in words."""
    rows = {row.key: row for row in scene.rows()}
    for item in scene.failed():
        op = item.op
        # Merchant words: no method, path or status code (those belong behind "Details").
        assert item.sync.reason and not TECHNICAL.search(item.sync.reason), item.sync.reason
        if isinstance(op, (CreateFromFile, CreateFromUrl, UpdateFields, Delete)):
            keys = [op.row_key]
        elif isinstance(op, Reorder):
            keys = [key for key in op.order if key in rows]
        else:
            assert isinstance(op, DeleteAll)
            keys = list(rows)
        assert keys, f"a failed change with no card to show it: {op}"
        if isinstance(op, Reorder):
            # The cards that moved say so (not every card the order lists).
            assert any(rows[key].badge is Badge.FAILED and rows[key].reason for key in keys), op
            continue
        for key in keys:
            assert key in rows, f"the card of a failed change is not shown: {op}"
            assert rows[key].badge is Badge.FAILED and rows[key].reason, rows[key]


def assert_store_is_the_view(scene: Scene) -> None:
    store = scene.emu._running_store()
    images = sorted(store.images(scene.pid), key=lambda image: (image.sort_order, image.id))
    rows = scene.rows()
    assert [row.server_id for row in rows] == [image.id for image in images]
    assert [(row.image.description or "", row.image.is_thumbnail) for row in rows] == [
        (image.description or "", image.is_thumbnail) for image in images]
    assert all(row.badge is Badge.NONE for row in rows)
    for row in rows:
        if row.key in scene.uploads:
            original = store.original(row.server_id or 0)
            assert original is not None and sha(original) == scene.uploads[row.key], row
    originals = [store.original(image.id) for image in images]
    counts: dict[str, int] = {}
    for original in originals:
        if original is not None:
            counts[sha(original)] = counts.get(sha(original), 0) + 1
    duplicates = {digest: n for digest, n in counts.items() if digest in scene.shas and n > 1}
    assert duplicates == {}, ("an upload reached the store more than once", [
        (row.key, row.server_id) for row, original in zip(rows, originals)
        if original is not None and sha(original) in duplicates],
        {key: digest for key, digest in scene.uploads.items() if digest in duplicates})


def run_under_faults(scene: Scene, kind: str, act: Callable[[], None]) -> None:
    """`act` while the store fails; every failure shown; Retry once the store is well; the
    store ends as the merchant meant."""
    with faults_on(scene.emu, kind):
        act()
        scene.settle()
        assert_every_failure_shown(scene)
        meant = looks(intended(scene.state))
    scene.retry_every_failure()
    assert looks(scene.rows()) == meant
    assert_store_is_the_view(scene)


@pytest.fixture
def scene(qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue,
          tmp_path: Path) -> Iterator[Scene]:
    emu = empty_emulator
    pid = emu.add_product("Mug", "MUG", image_count=IMAGES)
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


# ---- the verbs -----------------------------------------------------------------------------

def _add_files(scene: Scene, rows: list[ViewRow]) -> Edit | None:
    return add_edit(rows, files=[scene.new_file(), scene.new_file()], position=2)


def _add_urls(scene: Scene, rows: list[ViewRow]) -> Edit | None:
    url = scene.picture_url()
    return add_edit(rows, urls=[url], position=1)


VERBS: dict[str, Callable[[Scene, list[ViewRow]], Edit | None]] = {
    "alt text": lambda s, rows: alt_text_edit(rows, {rows[1].key: "Red mug, side view",
                                                     rows[3].key: "Red mug, handle"}),
    "thumbnail": lambda s, rows: thumbnail_edit(rows, rows[3].key),
    "move": lambda s, rows: move_edit(rows, [rows[0].key, rows[2].key], 5),
    "step": lambda s, rows: step_edit(rows, [rows[2].key, rows[3].key], +1),
    "make first": lambda s, rows: to_front_edit(rows, [rows[4].key]),
    "to back": lambda s, rows: to_back_edit(rows, [rows[1].key]),
    "delete one": lambda s, rows: delete_edit(rows, [rows[2].key]),
    "delete some": lambda s, rows: delete_edit(rows, [rows[1].key, rows[4].key]),
    "delete all": lambda s, rows: delete_edit(rows, [row.key for row in rows]),
    "add files": _add_files,
    "add urls": _add_urls,
}


@pytest.mark.parametrize("kind", FAULTS)
@pytest.mark.parametrize("verb", list(VERBS))
def test_a_verb_its_undo_and_its_redo_end_as_the_merchant_last_saw_them(
        scene: Scene, verb: str, kind: str) -> None:
    edit = VERBS[verb](scene, scene.rows())
    assert edit is not None
    run_under_faults(scene, kind, lambda: scene.editor.apply(scene.pid, edit))

    run_under_faults(scene, kind, scene.editor.undo_stack.undo)
    run_under_faults(scene, kind, scene.editor.undo_stack.redo)


# ---- a seeded random merchant --------------------------------------------------------------

def random_edit(scene: Scene, rng: random.Random) -> tuple[Edit | None, float]:
    """A verb on rows the merchant picks at random from what the grid shows now; the hold
    a delete gets (short: its Undo must sometimes come in time, sometimes not)."""
    rows = scene.rows()
    keys = [row.key for row in rows]
    some = rng.sample(keys, rng.randint(1, min(3, len(keys)))) if keys else []
    verbs: list[Callable[[], Edit | None]] = [
        lambda: add_edit(rows, files=[scene.new_file() for _ in range(rng.randint(1, 2))],
                         position=rng.randint(0, len(rows))),
    ]
    if keys:
        verbs += [
            lambda: alt_text_edit(rows, {key: f"alt {rng.randrange(1000)}" for key in some}),
            lambda: thumbnail_edit(rows, some[0]),
            lambda: move_edit(rows, some, rng.randint(0, len(rows))),
            lambda: step_edit(rows, some, rng.choice((-1, 1))),
            lambda: to_front_edit(rows, some),
            lambda: to_back_edit(rows, some),
            lambda: delete_edit(rows, some),
            lambda: add_edit(rows, urls=[scene.picture_url()], position=rng.randint(0, len(rows))),
        ]
        if rng.random() < 0.1:
            verbs.append(lambda: delete_edit(rows, keys))
    edit = rng.choice(verbs)()
    is_delete = edit is not None and edit.label.startswith("Delete")
    return edit, (rng.choice((0.0, 0.3, 2.0)) if is_delete else 0.0)


@pytest.mark.parametrize("seed", range(1, 9))
def test_random_verbs_undos_and_redos_under_random_faults_end_as_the_merchant_meant(
        qtbot: QtBot, empty_emulator: StoreEmulator, clients, make_queue, tmp_path: Path,
        seed: int) -> None:
    emu = empty_emulator
    rng = random.Random(seed)
    pid = emu.add_product("Mug", "MUG", image_count=12)
    client = clients(emu)
    downloader = ImageDownloader()
    watched = make_queue(emu, fetch_picture=downloader.fetch)
    loaded(watched, client, pid)
    qtbot.waitUntil(lambda: pid in watched.states, timeout=WAIT_MS)
    editor = ImageEditor(watched.queue)
    scene = Scene(qtbot, emu, client, watched, editor, pid, tmp_path, downloader=downloader)
    watched.queue.stateChanged.connect(scene.saw)
    stack = editor.undo_stack
    try:
        for _ in range(25):
            kind = rng.choice(("500", "drop", "drop_after_commit"))
            rate = rng.choice((0.0, 0.2, 0.5))
            emu.faults = Faults(**{f"{'error' if kind == '500' else kind}_rate": rate})
            roll = rng.random()
            if roll < 0.15 and stack.canUndo():
                print(f"undo {stack.undoText()}")
                stack.undo()
            elif roll < 0.22 and stack.canRedo():
                print(f"redo {stack.redoText()}")
                stack.redo()
            else:
                edit, hold_s = random_edit(scene, rng)
                print(f"{kind} {rate}: {edit and edit.label} (hold {hold_s} s)")
                editor.apply(pid, edit, hold_s=hold_s)
            if rng.random() < 0.3:
                scene.settle()
                print("settled:", [(row.key, row.badge.name) for row in scene.rows()])
        scene.settle()
        assert_every_failure_shown(scene)
        faults_off(emu)
        qtbot.waitUntil(lambda: watched.settled(), timeout=WAIT_MS)
        meant = looks(intended(scene.state))
        for item in scene.state.pending:
            print("pending", item.sync.phase.name, type(item.op).__name__,
                  getattr(item.op, "row_key", getattr(item.op, "order", "")))
        print("meant", [m[0] for m in meant])
        scene.retry_every_failure()
        assert looks(scene.rows()) == meant
        assert_store_is_the_view(scene)
    finally:
        faults_off(emu)
        editor.deleteLater()
        downloader.close()
