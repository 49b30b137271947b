""""Only images without alt text": the grid hides the cards that have some (issue 9 §4).

Rows are hidden in the view (`QListView.setRowHidden`), not filtered out by a proxy model: the
grid, the selection, the persistent indexes of an open editor and the model's row-key based
`apply_state` all keep working on the one model, and positions stay the storefront's.
What the filter keeps promising:
- a card whose alt text is written while it is shown stays until the merchant moves on (the
  current card changes): it does not vanish under the mouse or the editor;
- a card that loses its alt text (an undo) shows at once; new cards show if they have none;
- a hidden card is never selected, so a verb on "the selection" never reaches a card the
  merchant cannot see (Ctrl+A selects the shown cards only);
- cards cannot be dragged while the filter is on: a drop among some of the cards would put
  them between hidden ones the merchant cannot see.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from app.services.image_state import RowKey
from app.ui.image_grid import ImageGridView
from app.ui.image_model import ImageListModel, ImageRoles
from app.ui.plain_text import ElidedLabel


def _images(count: int) -> str:
    return f"{count} image{'s' if count != 1 else ''}"


class MissingAltTextFilter(QObject):
    """Hides the grid's cards that have alt text while `active`."""

    #: The filter was turned on or off, or the number of cards it shows changed.
    changed = Signal()

    def __init__(self, grid: ImageGridView, model: ImageListModel) -> None:
        super().__init__(grid)
        self.grid = grid
        self.model = model
        self.active = False
        self._kept: set[RowKey] = set()  # written while shown: stay until the merchant moves on
        self._drag_was_enabled = grid.dragEnabled()
        self._busy = False
        # After the view's own slots (connected in setModel), which clear hidden rows on reset.
        model.modelReset.connect(self._refilter)
        model.rowsInserted.connect(self._rows_inserted)
        model.rowsRemoved.connect(lambda *_: self.changed.emit())
        model.dataChanged.connect(self._data_changed)
        selection = grid.selectionModel()
        selection.currentChanged.connect(self._current_changed)
        selection.selectionChanged.connect(self._selection_changed)
        self.action = QAction("Only images &without alt text", grid)
        self.action.setCheckable(True)
        self.action.setStatusTip("Show only the images that have no alt text yet")
        self.action.setToolTip(self.action.statusTip())
        self.action.toggled.connect(self.set_active)

    # ---- what is shown --------------------------------------------------------------------

    def set_active(self, active: bool) -> None:
        if active == self.active:
            return
        self.active = active
        self._kept.clear()
        if active:
            self._drag_was_enabled = self.grid.dragEnabled()
            self.grid.setDragEnabled(False)
        else:
            self.grid.setDragEnabled(self._drag_was_enabled)
        if self.action.isChecked() != active:
            self.action.setChecked(active)
        self._refilter(keep_current=False)

    def missing_count(self) -> int:
        return sum(1 for image in self.model.images() if not (image.description or "").strip())

    def shown_count(self) -> int:
        return sum(1 for row in range(self.model.rowCount()) if not self.grid.isRowHidden(row))

    def status_text(self) -> str:
        """"Showing 4 of 30 images (without alt text)"; "" while the filter is off."""
        if not self.active:
            return ""
        total = self.model.rowCount()
        shown = self.shown_count()
        if total and not shown:
            return f"Every one of the {_images(total)} has alt text."
        return f"Showing {shown} of {_images(total)} (without alt text)"

    def _has_text(self, row: int) -> bool:
        image = self.model.image_at(row)
        return bool((image.description or "").strip())

    def _should_hide(self, row: int, current: int) -> bool:
        """Whether a card is hidden: it has alt text, and it is neither a kept one nor the
        current one still on screen (a hidden card never comes back by becoming current)."""
        if not self.active or not self._has_text(row):
            return False
        if row == current and not self.grid.isRowHidden(row):
            return False
        return self.model.index(row).data(ImageRoles.RowKey) not in self._kept

    def _refilter(self, keep_current: bool = True) -> None:
        """Hides every card with alt text but the kept ones (and the current one, unless the
        filter was just turned on); the current card moves to a shown one."""
        if self._busy:
            return
        self._busy = True
        try:
            current = self.grid.currentIndex()
            current_row = current.row() if current.isValid() and keep_current else -1
            for row in range(self.model.rowCount()):
                hide = self._should_hide(row, current_row)
                if self.grid.isRowHidden(row) != hide:
                    self.grid.setRowHidden(row, hide)
            self._drop_hidden_selection()
            if current.isValid() and self.grid.isRowHidden(current.row()):
                shown = next((row for row in range(self.model.rowCount())
                              if not self.grid.isRowHidden(row)), None)
                self.grid.selectionModel().setCurrentIndex(
                    self.model.index(shown) if shown is not None else QModelIndex(),
                    QItemSelectionModel.SelectionFlag.NoUpdate)
        finally:
            self._busy = False
        self.changed.emit()

    def _drop_hidden_selection(self) -> None:
        selection = self.grid.selectionModel()
        hidden = QItemSelection()
        for index in selection.selectedIndexes():
            if self.grid.isRowHidden(index.row()):
                hidden.select(index, index)
        if not hidden.isEmpty():
            selection.select(hidden, QItemSelectionModel.SelectionFlag.Deselect)

    # ---- following the model and the merchant ---------------------------------------------

    def _rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        if self.active:
            for row in range(first, last + 1):
                self.grid.setRowHidden(row, self._should_hide(row, -1))
        self.changed.emit()

    def _data_changed(self, top: QModelIndex, bottom: QModelIndex, roles: list[int]) -> None:
        if roles and int(ImageRoles.Image) not in {int(role) for role in roles}:
            return  # a picture arrived: the alt text did not change
        if self.active:
            for row in range(top.row(), bottom.row() + 1):
                hidden = self.grid.isRowHidden(row)
                if hidden and not self._has_text(row):
                    self.grid.setRowHidden(row, False)  # lost its text (an undo): back
                elif not hidden and self._has_text(row):
                    self._kept.add(self.model.index(row).data(ImageRoles.RowKey))
        self.changed.emit()

    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self.active and not self._busy:
            # The merchant moved on: cards written meanwhile leave the filtered view.
            self._kept.clear()
            self._refilter()

    def _selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        if self.active and not self._busy and any(
                self.grid.isRowHidden(index.row()) for index in selected.indexes()):
            self._busy = True
            try:
                self._drop_hidden_selection()
            finally:
                self._busy = False


class FilterBar(QWidget):
    """The toggle above the grid, and what it shows."""

    def __init__(self, alt_filter: MissingAltTextFilter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.alt_filter = alt_filter
        self.toggle = QToolButton()
        self.toggle.setDefaultAction(alt_filter.action)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toggle.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.toggle.setAccessibleName("Only images without alt text")
        self.status = ElidedLabel()
        self.status.setAccessibleName("Image filter status")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toggle)
        layout.addWidget(self.status, 1)
        alt_filter.changed.connect(self.update_text)
        self.update_text()

    def update_text(self) -> None:
        alt_filter = self.alt_filter
        missing = alt_filter.missing_count()
        alt_filter.action.setText(f"Only images &without alt text ({missing})")
        self.status.setText(alt_filter.status_text())
