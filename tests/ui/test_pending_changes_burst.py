"""A drop of many files reports one state per queued change, each one change longer: the
Pending changes panel keeps the rows it has and makes only the new ones (rebuilding every row
for every state froze the window for a minute on a drop of 500 files)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

import app.ui.pending_changes as pending_changes
from app.api.models import ProductImage
from app.services.image_state import CreateFromUrl, ImageState, Snapshot, new_row_key, next_op_id
from app.ui.pending_changes import PendingChangesPanel


def count_rows(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every change row the panel makes from now on, in the order made."""
    made: list[object] = []

    class CountedRow(pending_changes._ChangeRow):
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(pending_changes, "_ChangeRow", CountedRow)
    return made


def test_a_burst_of_states_makes_each_row_once_and_keeps_the_order(
        qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    made = count_rows(monkeypatch)
    panel = PendingChangesPanel(lambda product_id: "Lamp")
    qtbot.addWidget(panel)
    panel.show()
    image = ProductImage(id=7, product_id=5, image_file="a/b/lamp.jpg", description="")
    ops = [CreateFromUrl(op_id=next_op_id(), row_key=new_row_key(),
                         url=f"https://cdn.example/{n}.jpg", position=1 + n) for n in range(60)]
    state = ImageState(Snapshot(5, (image,)))
    for op in ops:   # the worst case: each state in a frame of its own
        state = state.add(op)
        panel._state_changed(5, state)
        panel.flush()
    assert len(made) == 60 and panel.change_count() == 60
    first = panel._sections[5].rows[0]
    # One change withdrawn from the middle: its row goes, the others stay, in order.
    fewer = ImageState(Snapshot(5, (image,)))
    for op in ops[:30] + ops[31:]:
        fewer = fewer.add(op)
    panel._state_changed(5, fewer)
    panel.flush()
    section = panel._sections[5]
    assert len(made) == 60 and panel.change_count() == 59 and section.rows[0] is first
    layout = section.rows_layout
    assert [layout.itemAt(n).widget() for n in range(layout.count())] == section.rows
    assert [row.item.op.op_id for row in section.rows] == [op.op_id for op in ops
                                                           if op is not ops[30]]


def test_a_burst_of_states_is_shown_once_a_frame(
        qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    made = count_rows(monkeypatch)
    panel = PendingChangesPanel(lambda product_id: "Lamp")
    qtbot.addWidget(panel)
    panel.show()
    counts: list[int] = []
    panel.countChanged.connect(counts.append)
    image = ProductImage(id=7, product_id=5, image_file="a/b/lamp.jpg", description="")
    state = ImageState(Snapshot(5, (image,)))
    for n in range(40):
        state = state.add(CreateFromUrl(op_id=next_op_id(), row_key=new_row_key(),
                                        url=f"https://cdn.example/{n}.jpg", position=1 + n))
        panel._state_changed(5, state)
    assert made == []   # nothing built while the burst lasts
    qtbot.waitUntil(lambda: panel.change_count() == 40, timeout=2000)
    assert len(made) == 40 and counts == [40]   # each row once, the count said once


def test_a_hidden_panel_counts_the_changes_and_builds_their_rows_when_shown(
        qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    made = count_rows(monkeypatch)
    panel = PendingChangesPanel(lambda product_id: "Lamp")
    qtbot.addWidget(panel)
    image = ProductImage(id=7, product_id=5, image_file="a/b/lamp.jpg", description="")
    state = ImageState(Snapshot(5, (image,)))
    for n in range(30):
        state = state.add(CreateFromUrl(op_id=next_op_id(), row_key=new_row_key(),
                                        url=f"https://cdn.example/{n}.jpg", position=1 + n))
        panel._state_changed(5, state)
        panel.flush()
    assert panel.change_count() == 30 and made == []   # counted, nothing built
    panel.show()
    assert len(made) == 30 and len(panel._sections[5].rows) == 30
    assert all(row.isVisible() for row in panel._sections[5].rows)
