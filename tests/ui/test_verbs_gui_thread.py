"""The GUI thread never waits while the merchant edits: every verb, its undo and its redo run
with the guard on (no network, SQLite, file or decoding work on the GUI thread), and the store
ends where the merchant left it."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.api import StoreClient
from app.services import edit_verbs
from app.services.edit_verbs import NewFile
from tests.api.conftest import picture_bytes
from tests.ui.conftest import oauth_for


def _settled(page) -> bool:  # type: ignore[no-untyped-def]
    queue = page.session.queue
    return queue.is_idle() and queue.pending_count() == 0


def _store(emulator, guard) -> list:  # type: ignore[no-untyped-def]
    """The store's images in storefront order (the test's own look, not the app's)."""
    with guard.paused():
        client = StoreClient(oauth_for(emulator))
        try:
            return sorted(client.all_images(4), key=lambda i: (i.sort_order, i.id))
        finally:
            client.close()


def _check_store_matches_grid(qtbot, page, emulator, guard) -> None:  # type: ignore[no-untyped-def]
    def same() -> bool:
        rows = page.view_rows()
        have = _store(emulator, guard)
        return [(r.image.description or "", r.image.is_thumbnail) for r in rows] == \
            [(i.description or "", i.is_thumbnail) for i in have]

    try:
        qtbot.waitUntil(same, timeout=30000)
    except Exception:
        rows = page.view_rows()
        have = _store(emulator, guard)
        raise AssertionError(
            f"grid {[(r.key, r.image.id, r.badge.name, r.image.description) for r in rows]}\n"
            f"store {[(i.id, i.description) for i in have]}") from None


def test_every_verb_its_undo_and_redo_leave_the_gui_thread_free(
        qtbot: QtBot, emulator, open_store, gui_thread_guard, tmp_path: Path) -> None:
    with gui_thread_guard.paused():
        files = []
        for n in range(3):
            files.append(tmp_path / f"drop {n}.png")
            files[-1].write_bytes(picture_bytes("png", (30 + n, 20)))
    gui_thread_guard.watched_dirs += [str(tmp_path / "journal"), str(tmp_path)]
    page = open_store(emulator, 4)
    editor = page.editor
    assert editor is not None
    stack = editor.undo_stack
    rows = page.view_rows

    def do(edit, *, delete: bool = False) -> None:  # type: ignore[no-untyped-def]
        assert edit is not None
        (editor.delete if delete else editor.apply)(4, edit)
        qtbot.waitUntil(lambda: _settled(page), timeout=30000)

    do(edit_verbs.alt_text_edit(rows(), {rows()[0].key: "Beanie, folded"}))
    do(edit_verbs.thumbnail_edit(rows(), rows()[3].key))
    do(edit_verbs.move_edit(rows(), [rows()[5].key, rows()[7].key], 1))
    do(edit_verbs.step_edit(rows(), [rows()[2].key], +1))
    do(edit_verbs.to_front_edit(rows(), [rows()[9].key]))
    do(edit_verbs.add_edit(rows(), [NewFile(path, path.name) for path in files], position=2))
    do(edit_verbs.delete_edit(rows(), [rows()[4].key, rows()[6].key]), delete=True)
    _check_store_matches_grid(qtbot, page, emulator, gui_thread_guard)
    # Every one undone (the delete by copies of its pictures), then every one made again.
    done = stack.count()
    for _ in range(done):
        stack.undo()
        qtbot.waitUntil(lambda: _settled(page), timeout=30000)
    for _ in range(done):
        stack.redo()
        qtbot.waitUntil(lambda: _settled(page), timeout=30000)
    _check_store_matches_grid(qtbot, page, emulator, gui_thread_guard)
    assert len(_store(emulator, gui_thread_guard)) == len(rows())
