"""A side dock (Pending changes, History) opens readable beside the grid: in a 900 px window
the layout used to keep the grid's three columns and both panes and leave the dock a 70 px
strip of broken words. The grid gives one column while a dock is open, the dock takes it."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.ui.store_page import MIN_GRID_COLUMNS, MIN_GRID_COLUMNS_BESIDE_DOCK

READABLE = 190  # px: a change's words and its Discard button side by side


def test_the_pending_changes_dock_opens_readable_in_a_small_window_and_gives_back_the_column(
        qtbot: QtBot, emulator, open_store) -> None:
    page = open_store(emulator, 6)
    window = page.window()
    window.resize(900, 620)
    qtbot.waitUntil(lambda: window.width() == 900, timeout=5000)
    grid_area = page._grid_area
    assert grid_area.minimumWidth() == page.grid.width_for_columns(MIN_GRID_COLUMNS)
    window.show_pending_changes()
    qtbot.waitUntil(lambda: window.pending_dock.width() >= READABLE, timeout=5000)
    assert window.width() == 900  # the window does not grow past what it was given
    assert grid_area.minimumWidth() == page.grid.width_for_columns(MIN_GRID_COLUMNS_BESIDE_DOCK)
    window.pending_dock.close()
    qtbot.waitUntil(lambda: grid_area.minimumWidth()
                    == page.grid.width_for_columns(MIN_GRID_COLUMNS), timeout=5000)
