"""The GUI-thread guard over the verbs `test_verbs_gui_thread` leaves out: adding a picture by
its web address, sending cards to the back, and deleting every image of a product (the bulk
request), each with its undo and redo."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.services import edit_verbs
from tests.ui.test_verbs_gui_thread import _check_store_matches_grid, _settled, _store


def test_url_add_to_back_and_delete_all_leave_the_gui_thread_free(
        qtbot: QtBot, emulator, open_store, gui_thread_guard, tmp_path: Path) -> None:
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

    do(edit_verbs.add_edit(rows(), urls=[rows()[0].image.zoom_url], position=1))
    do(edit_verbs.to_back_edit(rows(), [rows()[0].key, rows()[2].key]))
    _check_store_matches_grid(qtbot, page, emulator, gui_thread_guard)
    count = len(rows())
    do(edit_verbs.delete_edit(rows(), [row.key for row in rows()]), delete=True)
    assert rows() == [] and _store(emulator, gui_thread_guard) == []
    stack.undo()  # every image back, from the copies kept before the bulk delete
    qtbot.waitUntil(lambda: _settled(page), timeout=60000)
    assert len(rows()) == count
    _check_store_matches_grid(qtbot, page, emulator, gui_thread_guard)
    stack.redo()
    qtbot.waitUntil(lambda: _settled(page), timeout=30000)
    assert rows() == [] and _store(emulator, gui_thread_guard) == []
    while stack.canUndo():
        stack.undo()
        qtbot.waitUntil(lambda: _settled(page), timeout=60000)
    _check_store_matches_grid(qtbot, page, emulator, gui_thread_guard)
