"""Alt text edited in place, over a card's caption (issue 9 §4).

The Qt way: the grid's delegate creates the editor (`createEditor`), fills it
(`setEditorData`), places it over the caption (`updateEditorGeometry`) and hands the finished
text on (`setModelData`). It hands it to the page's `ImageEditor` through `altTextCommitted`,
never to `model.setData`: every change goes through the undo stack and the write queue.

`CardEditingDelegate` is the card painter plus that editor part, so painting stays in
card_delegate.py. `InPlaceAltText` starts editing: F2 (an action, so the Edit menu shows it),
Enter on the current card, a double-click on the caption (a double-click on the picture still
opens the large preview). In the editor, Enter or leaving it saves, Esc cancels, Tab saves and
goes on to the next card's text (Shift+Tab: the previous one).

Nothing typed is lost: the view keeps the editor on a persistent index, so rows inserted,
moved or removed around it (an upload landing) move the editor with its card; a picture or
badge arriving for the card never overwrites what is typed (`setEditorData` only fills an
editor the merchant has not typed in); and `finish` saves an open editor before its rows go
away (another product, a reload, closing the window).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QLineEdit,
    QStyleOptionViewItem,
    QWidget,
)

from app.services.alt_text_batch import MAX_ALT_TEXT, clean_alt_text
from app.services.image_state import ViewRow
from app.ui import shortcuts
from app.ui.card_delegate import PADDING, CardDelegate
from app.ui.image_grid import ImageGridView
from app.ui.image_model import ImageListModel
from app.ui.plain_text import tooltip

Index = QModelIndex | QPersistentModelIndex

#: Room for a few words even on the smallest cards (the editor then overlaps the gutters).
MIN_EDITOR_WIDTH = 120


@dataclass(frozen=True)
class CardText:
    """Finished alt text of one card: the product and row it was typed for (the row as it was
    when the editor opened, in case it is no longer shown when the text is saved)."""

    product_id: int
    row: ViewRow
    text: str


class CaptionEditor(QLineEdit):
    """One line of alt text over a card's caption; the whole text in its tooltip."""

    def __init__(self, product_id: int, row: ViewRow, index: Index,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.product_id = product_id
        self.row = row
        #: The card being written (follows it when rows move around it).
        self.index = QPersistentModelIndex(index)
        #: Esc pressed: what is typed is dropped, even when the editor closes later.
        self.cancelled = False
        self.setMaxLength(MAX_ALT_TEXT)
        self.setPlaceholderText("Describe the picture")
        self.setAccessibleName("Alt text")
        self.setAccessibleDescription("Enter saves, Esc cancels, Tab saves and edits the next "
                                      "image's alt text.")
        self.textChanged.connect(lambda text: self.setToolTip(tooltip(text)))


class CardEditingDelegate(CardDelegate):
    """The card painter, plus an alt text editor over the caption."""

    #: The merchant finished a card's alt text (a CardText; only when it changed).
    altTextCommitted = Signal(object)
    #: Tab (+1) or Shift+Tab (-1) in an editor: its text was committed; edit the next card.
    stepRequested = Signal(object, int)  # QPersistentModelIndex of the card left, step

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        #: Whether alt text can be changed at all (a session that keeps changes).
        self.editable = False

    # ---- the editor -----------------------------------------------------------------------

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # type: ignore[override]
                     index: Index) -> QWidget | None:
        row = self._row(index)
        if not self.editable or row is None:
            return None
        return CaptionEditor(self._product_id(index), row, index, parent)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        # Called again whenever the card changes (a picture, a badge, the store's answer):
        # what the merchant typed wins over what the card says.
        if not isinstance(editor, CaptionEditor) or editor.isModified():
            return
        row = self._row(index)
        if row is not None:
            editor.row = row
            editor.setAccessibleName(f"Alt text of image {index.row() + 1}")
            editor.setText(row.image.description or "")
            editor.selectAll()

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,  # type: ignore[override]
                     index: Index) -> None:
        if isinstance(editor, CaptionEditor):
            self.commit(editor)

    def commit(self, editor: CaptionEditor) -> None:
        """Hands on the editor's text if the merchant changed it (at most once per typing)."""
        if editor.cancelled or not editor.isModified():
            return
        editor.setModified(False)
        text = clean_alt_text(editor.text())
        if text != (editor.row.image.description or ""):
            self.altTextCommitted.emit(CardText(editor.product_id, editor.row, text))

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem,
                             index: Index) -> None:
        area = editor.parentWidget().rect() if editor.parentWidget() is not None else None
        editor.setGeometry(self.editor_rect(option.rect, editor.sizeHint().height(), area))

    def editor_rect(self, cell: QRect, height: int, area: QRect | None = None) -> QRect:
        """Over the caption, as wide as the card; on cards too small for a caption, over the
        bottom of the picture, and never narrower than a few words (kept inside `area`)."""
        geometry = self.geometry()
        card = self.card_rect(cell)
        if geometry.text_lines:
            middle = geometry.text_rect(card).center().y()
        else:
            middle = geometry.picture_rect(card).bottom() - height // 2
        inset = PADDING // 2
        width = max(card.width() - 2 * inset, MIN_EDITOR_WIDTH)
        rect = QRect(0, middle - height // 2 + 1, width, height)
        rect.moveLeft(card.center().x() - width // 2)
        if area is not None and area.isValid() and area.width() >= width:
            rect.moveLeft(max(area.left(), min(rect.left(), area.right() + 1 - width)))
        return rect

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:
        if isinstance(editor, CaptionEditor) and isinstance(event, QKeyEvent) \
                and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                step = -1 if key == Qt.Key.Key_Backtab or shift else 1
                self.commit(editor)
                left = QPersistentModelIndex(editor.index)
                self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
                self.stepRequested.emit(left, step)
                return True
            if key == Qt.Key.Key_Escape:
                editor.cancelled = True  # and the base class closes it without saving
        return super().eventFilter(editor, event)

    # ---- helpers --------------------------------------------------------------------------

    @staticmethod
    def _row(index: Index) -> ViewRow | None:
        model = index.model()
        if not isinstance(model, ImageListModel) or not 0 <= index.row() < model.rowCount():
            return None
        return model.rows()[index.row()]

    @staticmethod
    def _product_id(index: Index) -> int:
        model = index.model()
        return (model.product_id or 0) if isinstance(model, ImageListModel) else 0


class InPlaceAltText(QObject):
    """Starts and steps the card editor of `grid` (whose delegate is a CardEditingDelegate)."""

    _HINT_MARK = "Alt text"

    def __init__(self, grid: ImageGridView, delegate: CardEditingDelegate) -> None:
        super().__init__(grid)
        self.grid = grid
        self.delegate = delegate
        # Editing starts only where this says so (keys, caption double-click, the action).
        grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        delegate.stepRequested.connect(self._step)
        self.action = QAction(shortcuts.EDIT_ALT_TEXT.name, grid)
        self.action.setStatusTip("Write the alt text of the current image on its card")
        keys = shortcuts.resolve([shortcuts.EDIT_ALT_TEXT])[shortcuts.EDIT_ALT_TEXT]
        self.action.setShortcuts(keys)
        self.action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        if keys:
            self.action.setToolTip(f"{self.action.statusTip()} "
                                   f"({shortcuts.native_text(keys[0])})")
        self.action.triggered.connect(lambda: self.start())
        grid.addAction(self.action)
        self._viewport = grid.viewport()
        grid.installEventFilter(self)
        self._viewport.installEventFilter(self)
        self.set_editable(False)

    def set_editable(self, editable: bool) -> None:
        self.delegate.editable = editable
        self.action.setEnabled(editable)
        # Screen readers hear how to write a card's alt text (the keys from the table).
        description = self.grid.accessibleDescription().split(self._HINT_MARK)[0].rstrip()
        keys = self.action.shortcuts()
        if editable and keys:
            description += (f" {self._HINT_MARK}: {shortcuts.native_text(keys[0])} or Enter "
                            "writes the current image's alt text on its card.")
        self.grid.setAccessibleDescription(description)
        if not editable:
            self.finish()

    def editor(self) -> CaptionEditor | None:
        """The open editor, if any."""
        for editor in self.grid.viewport().findChildren(CaptionEditor):
            if editor.isVisible() and not editor.cancelled:
                return editor
        return None

    def start(self, index: QModelIndex | None = None) -> bool:
        """Opens the editor on `index`'s card (default: the current card)."""
        grid = self.grid
        index = index if index is not None else grid.currentIndex()
        if (not self.delegate.editable or not index.isValid()
                or grid.isRowHidden(index.row())):
            return False
        if grid.state() == QAbstractItemView.State.EditingState:
            return False
        selection = grid.selectionModel()
        if index != grid.currentIndex() or not selection.isSelected(index):
            selection.setCurrentIndex(index, selection.SelectionFlag.ClearAndSelect)
        grid.scrollTo(index)
        grid.edit(index)
        return grid.state() == QAbstractItemView.State.EditingState

    def finish(self) -> None:
        """Saves what is typed in an open editor and closes it (before its rows go away)."""
        editor = self.editor()
        if editor is not None:
            self.delegate.commit(editor)
            self.delegate.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def _step(self, left: QPersistentModelIndex, step: int) -> None:
        model = self.grid.model()
        row = left.row() if left.isValid() else self.grid.currentIndex().row()
        row += step
        while 0 <= row < model.rowCount() and self.grid.isRowHidden(row):
            row += step
        if 0 <= row < model.rowCount():
            self.start(model.index(row, 0))
        elif left.isValid():
            # No next card: stay on this one, its text saved.
            self.grid.setCurrentIndex(QModelIndex(left))

    def _caption_hit(self, index: QModelIndex, point) -> bool:  # type: ignore[no-untyped-def]
        geometry = self.delegate.geometry()
        if not geometry.text_lines:
            return False
        card = self.delegate.card_rect(self.grid.visualRect(index))
        return geometry.text_rect(card).adjusted(-PADDING, -PADDING // 2,
                                                 PADDING, PADDING).contains(point)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.KeyPress and watched is self.grid:
            grid = self.grid
            if (isinstance(event, QKeyEvent)
                    and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                    and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
                    and grid.state() != QAbstractItemView.State.EditingState):
                return self.start()
        elif (kind == QEvent.Type.MouseButtonDblClick and watched is self._viewport
              and isinstance(event, QMouseEvent)
              and event.button() == Qt.MouseButton.LeftButton and self.delegate.editable):
            point = event.position().toPoint()
            index = self.grid.indexAt(point)
            if index.isValid() and self._caption_hit(index, point):
                return self.start(index)
        return False
