"""A dropped file that goes (moved, deleted) after it was checked but before the journal kept
its bytes cannot be uploaded: the merchant is told which one and what to do, never left with
a picture that silently never arrives (issue 9 §1, every failure shown)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.services.edit_verbs import NewFile, add_edit


def test_a_file_gone_before_it_was_kept_is_named_with_what_to_do(
        qtbot: QtBot, emulator, open_store, tmp_path: Path) -> None:
    page = open_store(emulator, 1)
    assert page.editor is not None
    gone = tmp_path / "Beach tote.png"  # checked, then deleted before the queue copied it
    count = page.image_model.rowCount()
    page.editor.apply(1, add_edit(page.view_rows(), [NewFile(gone, gone.name)], position=0))
    banner = page.changes_banner
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=15000)
    text = banner.text
    assert "Beach tote.png" in text and "add it again" in text.lower(), text
    assert "Errno" not in text and str(tmp_path) not in text, text
    assert page.session.queue.drain(5.0) and page.session.queue.pending_count() == 0
    assert page.image_model.rowCount() == count
