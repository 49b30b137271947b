"""The store page's image verbs: reorder (drag, keys, "Make first"), thumbnail and delete.

Each verb is a QAction (Edit menu, card menu, its keys from app/ui/shortcuts.py bound on the
grid only) that builds an `Edit` from the rows the merchant sees (`app.services.edit_verbs`)
and hands it to the page's editor, which puts it on the undo stack and in the write queue. The
grid changes when the queue's state comes back; then the moved cards stay selected and in view,
and after a delete the next card takes the focus.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QObject, Qt
from PySide6.QtGui import QAction, QIcon, QPixmap
from PySide6.QtWidgets import QMenu

from app.api.models import ProductImage
from app.resources import icon_path
from app.services.edit_verbs import (Edit, move_edit, step_edit, thumbnail_edit, to_back_edit,
                                     to_front_edit)
from app.services.image_state import ImageState, RowKey, ViewRow
from app.ui import shortcuts
from app.ui.delete_flow import DeleteFlow, next_key_after
from app.ui.image_model import ImageRoles
from app.ui.shortcuts import Command
from app.ui.undo_bar import UndoBar

if TYPE_CHECKING:
    from app.ui.store_page import StorePage


def _images(count: int) -> str:
    return f"{count} image{'s' if count != 1 else ''}"


class ImageVerbs(QObject):
    """The verbs of the page's grid; `actions` go to the window's Edit menu."""

    def __init__(self, page: StorePage) -> None:
        super().__init__(page)
        assert page.editor is not None, "no verbs where changes cannot be kept"
        self._page = page
        self._editor = page.editor
        self._grid = grid = page.grid
        self._keys = shortcuts.resolve(shortcuts.WINDOW_COMMANDS + shortcuts.IMAGE_COMMANDS)
        self.move_left_action = self._action(shortcuts.MOVE_LEFT, "Move the selected images "
                                             "one place toward the front", self.move_left)
        self.move_right_action = self._action(shortcuts.MOVE_RIGHT, "Move the selected images "
                                              "one place toward the end", self.move_right)
        self.make_first_action = self._action(shortcuts.MAKE_FIRST, "Put the selected images "
                                              "first, where the storefront starts",
                                              self.make_first)
        self.move_to_end_action = self._action(shortcuts.MOVE_TO_END, "Put the selected images "
                                               "last", self.move_to_end)
        self.thumbnail_action = self._action(shortcuts.SET_THUMBNAIL, "Make the selected image "
                                             "the product's thumbnail (its picture in lists)",
                                             self.set_thumbnail)
        self.delete_action = self._action(shortcuts.DELETE_IMAGES, "Delete the selected images "
                                          "from the store (after a question, with Undo)",
                                          self.delete_selected)
        self.delete_action.setIcon(QIcon(str(icon_path("delete"))))  # it is on the toolbar
        self.actions: list[QAction] = [self.move_left_action, self.move_right_action,
                                       self.make_first_action, self.move_to_end_action,
                                       self.thumbnail_action, self.delete_action]
        self.undo_bar = UndoBar()
        self.delete_flow = DeleteFlow(self._editor, self.undo_bar, page)
        #: Run after each state of the shown product until it returns True (the last verb's
        #: follow-up: select and show the moved cards, focus the card after a delete).
        self._follow: Callable[[], bool] | None = None
        self._available = True
        grid.set_reorderable(True)
        grid.rowsDropped.connect(self.drop)
        grid.context_menu.add_section(self._card_menu)
        grid.selectionModel().selectionChanged.connect(self._update_actions)
        model = page.image_model
        for signal in (model.rowsMoved, model.rowsInserted, model.rowsRemoved,
                       model.modelReset):
            signal.connect(self._update_actions)
        model.dataChanged.connect(self._data_changed)
        queue = page.session.queue
        if queue is not None:
            # After the page's own slot (connected first): the grid already shows the state.
            queue.stateChanged.connect(self._state_changed)
        self._update_actions()

    def _action(self, command: Command, tip: str, slot: Callable[[], object]) -> QAction:
        action = QAction(command.name, self._grid)
        action.setStatusTip(tip)
        keys = self._keys[command]
        action.setShortcuts(keys)
        action.setToolTip(f"{tip} ({shortcuts.native_text(keys[0])})" if keys else tip)
        # On the grid only: the same keys in a text field (Delete, Ctrl+Shift+Left) stay there.
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self._grid.addAction(action)
        return action

    def set_available(self, available: bool) -> None:
        """Off when changes cannot be kept (the journal is unusable)."""
        self._available = available
        self.update_availability()

    def _filtered(self) -> bool:
        """Some cards are hidden (the alt-text filter): a move would land among unseen ones."""
        return getattr(self._page, "alt_filter", None) is not None and self._page.alt_filter.active

    def update_availability(self) -> None:
        """Drag and the move actions follow whether changes can be kept and cards are hidden."""
        self._grid.set_reorderable(self._available and not self._filtered())
        self._update_actions()

    # ---- what the verbs act on ----------------------------------------------------------

    def _product(self) -> int | None:
        page = self._page
        if not self._available or not page.images_ready or page.images_failed:
            return None
        return page.image_model.product_id

    def _rows(self) -> list[ViewRow]:
        return self._page.view_rows()

    def _apply(self, edit: Edit | None, keys: list[RowKey]) -> bool:
        product_id = self._product()
        if product_id is None or edit is None:
            return False
        applied = self._editor.apply(product_id, edit)
        if applied and edit.steps:
            order = list(getattr(edit.steps[0].op, "order", ()))
            self._follow = lambda: self._show_moved(keys, order)
            self._follow_now()
        return applied

    def move_left(self) -> bool:
        keys = self._page.selected_keys()
        return self._apply(step_edit(self._rows(), keys, -1), keys)

    def move_right(self) -> bool:
        keys = self._page.selected_keys()
        return self._apply(step_edit(self._rows(), keys, +1), keys)

    def make_first(self) -> bool:
        keys = self._page.selected_keys()
        return self._apply(to_front_edit(self._rows(), keys), keys)

    def move_to_end(self) -> bool:
        keys = self._page.selected_keys()
        return self._apply(to_back_edit(self._rows(), keys), keys)

    def drop(self, keys: list[RowKey], row: int) -> bool:
        """Cards dropped before `row`: the keys that are still shown move there."""
        rows = self._rows()
        present = {view_row.key for view_row in rows}
        keys = [key for key in keys if key in present]
        if not keys:
            return False
        return self._apply(move_edit(rows, keys, row), keys)

    def set_thumbnail(self) -> bool:
        keys = self._page.selected_keys()
        product_id = self._product()
        if product_id is None or len(keys) != 1:
            return False
        return self._editor.apply(product_id, thumbnail_edit(self._rows(), keys[0]))

    def delete_selected(self) -> bool:
        """Asks (how many, which), then deletes with the Undo bar's seconds of grace."""
        product_id = self._product()
        keys = self._page.selected_keys()
        if product_id is None or not keys:
            return False
        rows = self._rows()
        model = self._page.image_model
        pictures = [picture for picture in (model.index_of_key(key).data(
            Qt.ItemDataRole.DecorationRole) for key in keys[:4]) if isinstance(picture, QPixmap)]
        focus = next_key_after(rows, keys)
        if not self.delete_flow.delete(product_id, rows, keys, pictures):
            return False
        self._follow = lambda: self._focus_after_delete(keys, focus)
        self._follow_now()
        return True

    # ---- after the grid changed ---------------------------------------------------------

    def _state_changed(self, product_id: int, state: ImageState) -> None:
        if product_id != self._page.image_model.product_id or not self._page.images_ready:
            return
        self.delete_flow.state_changed(state)
        self._follow_now()

    def _follow_now(self) -> None:
        if self._follow is not None and self._follow():
            self._follow = None

    def _shown_keys(self) -> list[RowKey]:
        model = self._page.image_model
        return [model.index(row).data(ImageRoles.RowKey) for row in range(model.rowCount())]

    def _show_moved(self, keys: list[RowKey], order: list[RowKey]) -> bool:
        """Once the grid shows the new order: the moved cards selected, current, in view."""
        if not order or self._shown_keys() != order:
            return False
        grid = self._grid
        model = self._page.image_model
        indexes = [model.index_of_key(key) for key in keys]
        indexes = [index for index in indexes if index.isValid()]
        if not indexes:
            return True
        selection_model = grid.selectionModel()
        if set(self._page.selected_keys()) != set(keys):
            selection = QItemSelection()
            for index in indexes:
                selection.select(index, index)
            selection_model.select(selection,
                                   QItemSelectionModel.SelectionFlag.ClearAndSelect)
        current = grid.currentIndex()
        if not current.isValid() or current.data(ImageRoles.RowKey) not in keys:
            selection_model.setCurrentIndex(indexes[0],
                                            QItemSelectionModel.SelectionFlag.NoUpdate)
        grid.scrollTo(grid.currentIndex())
        return True

    def _focus_after_delete(self, keys: list[RowKey], focus: RowKey | None) -> bool:
        shown = set(self._shown_keys())
        if shown & set(keys):
            return False
        grid = self._grid
        index = self._page.image_model.index_of_key(focus) if focus is not None else None
        if index is not None and index.isValid():
            grid.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            grid.scrollTo(index)
        grid.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    # ---- menus --------------------------------------------------------------------------

    def _card_menu(self, menu: QMenu, images: list[ProductImage]) -> None:
        if self._product() is None:
            return
        menu.addActions([self.thumbnail_action, self.make_first_action,
                         self.move_to_end_action])
        menu.addSeparator()
        menu.addAction(self.delete_action)

    def _data_changed(self, first: object, last: object, roles: list[int]) -> None:
        if not roles or ImageRoles.Image in roles:  # not a picture arriving
            self._update_actions()

    def _update_actions(self, *_: object) -> None:
        product_id = self._product()
        rows = self._rows() if product_id is not None else []
        keys = self._page.selected_keys() if product_id is not None else []
        chosen = set(keys)
        movable = bool(keys) and len(keys) < len(rows) and not self._filtered()
        placed = [n for n, row in enumerate(rows) if row.key in chosen]
        count = len(placed)
        self.move_left_action.setEnabled(movable and placed != list(range(count)))
        self.move_right_action.setEnabled(
            movable and placed != list(range(len(rows) - count, len(rows))))
        self.make_first_action.setEnabled(movable and placed != list(range(count)))
        self.move_to_end_action.setEnabled(
            movable and placed != list(range(len(rows) - count, len(rows))))
        single = rows[placed[0]] if count == 1 else None
        self.thumbnail_action.setEnabled(single is not None and not single.image.is_thumbnail)
        self.delete_action.setEnabled(bool(keys))
        self.delete_action.setText(f"Delete {_images(count)}…" if count else "Delete…")
