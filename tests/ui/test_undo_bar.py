"""The Undo bar after a delete goes a few seconds after the store did it, whatever else the
merchant does meanwhile (it stayed, "Undo (and 4 later changes)", while they kept editing)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.ui import undo_bar
from app.ui.undo_bar import UndoBar


def test_news_after_the_delete_was_sent_does_not_keep_the_bar(
        qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(undo_bar, "LINGER_MS", 1000)
    bar = UndoBar()
    qtbot.addWidget(bar)
    bar.show_held("Deleted 3 images.", 0.1)
    bar.sent("Deleted 3 images from the store.")
    qtbot.wait(700)
    # Each later state of the product says "sent" again (the merchant edits other cards).
    bar.set_undo_reach(4)
    bar.sent("Deleted 3 images from the store.")
    qtbot.wait(600)  # 1.3 s after the first word: gone (a restarted linger would run to 1.7 s)
    assert bar.isHidden()


def test_a_new_delete_brings_the_bar_back_with_its_own_linger(qtbot: QtBot) -> None:
    bar = UndoBar()
    qtbot.addWidget(bar)
    bar.show_held("Deleted 1 image.", 5, "it")
    bar.sent("Deleted 1 image from the store.")
    bar.show_held("Deleted 2 images.", 5)
    assert bar.isVisible() and bar.label.text().startswith("Deleted 2 images. The store")
    bar.sent("Deleted 2 images from the store.")
    assert bar.label.text() == "Deleted 2 images from the store."
