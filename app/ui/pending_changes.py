"""The Pending changes panel: every change not yet on the store, per product, with Discard.

It listens to the write queue (`stateChanged` carries one product's whole `ImageState`, so a
product's section is brought up to date from it, at most once a frame and only while the
panel is shown; nothing is read from the journal here) and asks the
queue to withdraw a change (`revert`; an upload is `cancel`led, which also stops one on its
way). A change being sent cannot be discarded: its button says so.

Plain widgets in a scroll area rather than a tree: every Discard is a real button in the tab
order, so the panel works from the keyboard alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton,
                               QScrollArea, QSizePolicy, QVBoxLayout, QWidget)

from app.services.change_words import WAITING, state_words, summary
from app.services.image_state import CreateFromFile, CreateFromUrl, ImageState, Pending, Phase

if TYPE_CHECKING:
    from app.services.write_queue import WriteQueue
    from app.ui.store_page import StorePage

EMPTY_TEXT = "Every change is on the store."
#: The queue's states are shown at most once a frame: a drop of 500 files reports 500 of them.
UPDATE_MS = 16
FAILED_COLOUR = "#d93025"
#: A product's name when nothing better is known.
NameLookup = Callable[[int], "str | None"]


def product_heading(product_id: int, lookup: NameLookup | None) -> str:
    name = lookup(product_id) if lookup is not None else None
    return name or f"Product {product_id}"


def names_from_page(page: StorePage) -> NameLookup:
    """A product's name as the open page knows it (the product list, or the open product)."""
    def lookup(product_id: int) -> str | None:
        current = page.current_product
        if current is not None and current.id == product_id:
            return current.name
        row = page.product_model.row_of(product_id)
        return page.product_model.product_at(row).name if row is not None else None
    return lookup


def _ask(parent: QWidget, title: str, text: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                      parent)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Discard


class _ChangeRow(QFrame):
    """One change: what it is, where it is, and Discard."""

    def __init__(self, item: Pending, waiting: str, discard: Callable[[Pending], None]) -> None:
        super().__init__()
        self.item = item
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 2, 0, 2)
        words = QVBoxLayout()
        self.what_label = QLabel(summary(item.op))
        self.what_label.setTextFormat(Qt.TextFormat.PlainText)
        self.what_label.setWordWrap(True)
        self.state_label = QLabel()
        self.state_label.setTextFormat(Qt.TextFormat.PlainText)
        self.state_label.setWordWrap(True)
        words.addWidget(self.what_label)
        words.addWidget(self.state_label)
        layout.addLayout(words, 1)
        self.discard_button = QPushButton("Discard")
        self.discard_button.setAccessibleName(f"Discard: {self.what_label.text()}")
        self.discard_button.clicked.connect(lambda: discard(self.item))
        layout.addWidget(self.discard_button, 0, Qt.AlignmentFlag.AlignTop)
        self.show_state(waiting)

    def show_state(self, waiting: str) -> None:
        sync = self.item.sync
        self.state_label.setText(state_words(sync, waiting=waiting))
        failed = sync.phase is Phase.FAILED
        self.state_label.setStyleSheet(f"color: {FAILED_COLOUR};" if failed else "color: gray;")
        sending = sync.phase is Phase.SENDING
        uploading = isinstance(self.item.op, (CreateFromFile, CreateFromUrl))
        # An upload on its way can be stopped; any other change being sent is already there.
        self.discard_button.setEnabled(not sending or uploading)
        self.discard_button.setToolTip(
            "It is being sent: once it is on the store, Undo takes it back." if sending and
            not uploading else "Withdraw this change: the store never gets it.")


class _ProductSection(QFrame):
    """A product's heading, its "Discard all" and one row per change."""

    def __init__(self, product_id: int, heading: str,
                 discard_all: Callable[[int], None]) -> None:
        super().__init__()
        self.product_id = product_id
        self.rows: list[_ChangeRow] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 6)
        top = QHBoxLayout()
        self.heading = QLabel(heading)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        top.addWidget(self.heading, 1)
        self.discard_all_button = QPushButton("Discard all")  # its product is the heading beside it
        self.discard_all_button.setAccessibleName(f"Discard all changes of {heading}")
        self.discard_all_button.clicked.connect(lambda: discard_all(self.product_id))
        top.addWidget(self.discard_all_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.rows_layout = QVBoxLayout()
        self.rows_layout.setSpacing(4)
        layout.addLayout(self.rows_layout)

    def set_rows(self, pending: tuple[Pending, ...], waiting: str,
                 discard: Callable[[Pending], None]) -> None:
        # Rows of changes still listed are kept (a drop of 500 files reports 500 states, each
        # one change longer: rebuilding every row each time froze the window for a minute).
        kept: dict[int, _ChangeRow] = {row.item.op.op_id: row for row in self.rows}
        rows: list[_ChangeRow] = []
        for item in pending:
            row = kept.pop(item.op.op_id, None)
            if row is None or row.item.op != item.op:
                if row is not None:
                    kept[item.op.op_id] = row   # the same change, made over: a new row
                row = _ChangeRow(item, waiting, discard)
            elif row.item.sync != item.sync:
                row.item = item
                row.show_state(waiting)
            else:
                row.item = item
            rows.append(row)
        for row in kept.values():
            self.rows_layout.removeWidget(row)
            row.setParent(None)  # type: ignore[call-overload]
            row.deleteLater()
        for at, row in enumerate(rows):
            item = self.rows_layout.itemAt(at)
            if item is None or item.widget() is not row:
                self.rows_layout.removeWidget(row)
                self.rows_layout.insertWidget(at, row)
        self.rows = rows
        self.discard_all_button.setEnabled(any(row.discard_button.isEnabled()
                                               for row in self.rows))


class PendingChangesPanel(QWidget):
    """Lists the queue's pending changes; Discard withdraws them (see the module docstring)."""

    #: The number of changes listed changed (for a dock title, say).
    countChanged = Signal(int)

    def __init__(self, product_name: NameLookup | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Pending changes")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)   # so the empty panel can hold focus
        self.product_name = product_name
        self.queue: WriteQueue | None = None
        #: What a waiting change says (why it waits: see `set_waiting_words`).
        self.waiting = WAITING
        #: The confirmation of "Discard all" (a test replaces it; it must never hang a test).
        self.ask: Callable[[str, str], bool] = lambda title, text: _ask(self, title, text)
        #: Each product's changes not yet on the store, as last reported.
        self._pending: dict[int, tuple[Pending, ...]] = {}
        #: Products whose section does not show their `_pending` yet.
        self._stale: set[int] = set()
        self._count = 0
        self._sections: dict[int, _ProductSection] = {}
        self._update_timer = QTimer(self, singleShot=True, interval=UPDATE_MS)
        self._update_timer.timeout.connect(self.flush)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setSizePolicy(QSizePolicy.Policy.Preferred,
                                       QSizePolicy.Policy.Expanding)
        layout.addWidget(self.empty_label)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        # Lines wrap to the dock's width: never a sideways scroll through a change's name.
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.content = QWidget()
        self.sections_layout = QVBoxLayout(self.content)
        self.sections_layout.setContentsMargins(0, 0, 0, 0)
        self.sections_layout.addStretch(1)
        self.scroll.setWidget(self.content)
        layout.addWidget(self.scroll)
        self._update_empty()

    # ---- the queue ----------------------------------------------------------------------

    def attach(self, queue: WriteQueue | None) -> None:
        """Lists `queue`'s changes from now on (None: a session without one, or none).
        Attach before the queue reports (right after the session is made): what it resumes
        from the journal arrives as `stateChanged` too."""
        if self.queue is not None:
            try:
                self.queue.stateChanged.disconnect(self._state_changed)
            except (RuntimeError, TypeError):
                pass  # the queue is gone already
        self.queue = queue
        for product_id in list(self._sections):
            self._drop_section(product_id)
        self._pending.clear()
        self._stale.clear()
        self._count = 0
        if queue is not None:
            queue.stateChanged.connect(self._state_changed)
        self._update_empty()

    def set_waiting_words(self, waiting: str) -> None:
        """What waiting changes say: "Waiting for the network" while the store cannot be
        reached, "Waiting: you are working offline" while the merchant chose to."""
        if waiting == self.waiting:
            return
        self.waiting = waiting
        for section in self._sections.values():
            for row in section.rows:
                row.show_state(waiting)

    def refresh_names(self, *_: object) -> None:
        """Product names learnt since (the product list loads after the changes arrive)."""
        for product_id, section in self._sections.items():
            section.heading.setText(product_heading(product_id, self.product_name))

    def focus_first(self) -> None:
        """The keyboard starts on the first change's Discard (or the empty text's panel)."""
        for section in self._sections.values():
            for row in section.rows:
                if row.discard_button.isEnabled():
                    row.discard_button.setFocus(Qt.FocusReason.ShortcutFocusReason)
                    return
            section.discard_all_button.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def change_count(self) -> int:
        """The changes listed (as of the last frame; counted while the panel is hidden too)."""
        return self._count

    def _state_changed(self, product_id: int, state: ImageState) -> None:
        pending = tuple(item for item in state.pending if item.sync.phase is not Phase.DONE)
        if pending:
            self._pending[product_id] = pending
        else:
            self._pending.pop(product_id, None)
        self._stale.add(product_id)
        if not self._update_timer.isActive():
            self._update_timer.start()

    def flush(self) -> None:
        """Takes in what the queue reported since the last frame, now. Rows are built only
        while the panel is shown: a drop of 500 files must not make 3,000 hidden widgets."""
        self._update_timer.stop()
        self._count = sum(len(pending) for pending in self._pending.values())
        if self.isVisible():
            self._build_stale()
        self._update_empty()

    def showEvent(self, event: QShowEvent) -> None:
        self._build_stale()   # what arrived while it was hidden
        super().showEvent(event)

    def _build_stale(self) -> None:
        for product_id in sorted(self._stale):
            pending = self._pending.get(product_id)
            if pending is None:
                self._drop_section(product_id)
                continue
            section = self._sections.get(product_id)
            if section is None:
                section = _ProductSection(product_id,
                                          product_heading(product_id, self.product_name),
                                          self._discard_all)
                self._sections[product_id] = section
                self.sections_layout.insertWidget(self.sections_layout.count() - 1, section)
                section.set_rows(pending, self.waiting, self._discard)
                # Shown now, rows and all (the layout would show it on the next turn of the
                # event loop, after the keyboard was given to its first row).
                section.show()
            else:
                section.set_rows(pending, self.waiting, self._discard)
        self._stale.clear()

    def _drop_section(self, product_id: int) -> None:
        section = self._sections.pop(product_id, None)
        if section is not None:
            section.setParent(None)  # type: ignore[call-overload]
            section.deleteLater()

    def _update_empty(self) -> None:
        empty = not self._pending
        self.empty_label.setVisible(empty)
        self.scroll.setVisible(not empty)
        self.countChanged.emit(self.change_count())

    # ---- discarding ---------------------------------------------------------------------

    def _discard(self, item: Pending) -> None:
        queue = self.queue
        if queue is None:
            return
        if isinstance(item.op, (CreateFromFile, CreateFromUrl)):
            queue.cancel(item.op.op_id)  # also stops one on its way
        else:
            queue.revert(item.op.op_id)

    def _discard_all(self, product_id: int) -> None:
        section = self._sections.get(product_id)
        if section is None:
            return
        rows = [row for row in section.rows if row.discard_button.isEnabled()]
        if not rows:
            return
        count = len(rows)
        changes = f"{count} change{'s' if count != 1 else ''}"
        if not self.ask("Discard changes",
                        f"Discard {changes} to {section.heading.text()}? The store never gets "
                        f"{'them' if count != 1 else 'it'}, and this cannot be undone."):
            return
        for row in rows:
            self._discard(row.item)
