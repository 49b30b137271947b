"""The first screen: the merchant's stores (when there are any), "Connect a store", "Try the demo
store", and what went wrong with either, in words."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QSizePolicy, QVBoxLayout, QWidget)

from app import APP_NAME
from app.services.store_registry import SavedStore

SESSION_ONLY = "this session only"
_MUTED = "color: #5f6368;"
_ERROR = "color: #d93025;"


def _label(text: str, style: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)  # store names and error texts are not markup
    if style:
        label.setStyleSheet(style)
    return label


def _button(text: str, what_it_does: str) -> QPushButton:
    button = QPushButton(text)
    button.setAutoDefault(True)  # Enter presses the focused button, as in a dialog
    button.setAccessibleDescription(what_it_does)
    return button


class StartScreen(QWidget):
    openDemoRequested = Signal()
    connectRequested = Signal()
    openSavedRequested = Signal(object)    # SavedStore
    editSavedRequested = Signal(object)    # SavedStore
    removeSavedRequested = Signal(object)  # SavedStore

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session_only: set[str] = set()
        outer = QVBoxLayout(self)
        outer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column = QWidget()
        column.setMaximumWidth(600)
        column.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(column)
        layout.setSpacing(8)

        title = QLabel(APP_NAME)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        layout.addWidget(_label("Curate your store's product images: put them in order, write "
                                "their alt text, pick each product's thumbnail."))
        # A problem that outlives one message, e.g. a damaged list of saved stores.
        self.notice = _label("", "QLabel { color: #a50e0e; background: #fce8e6; "
                                 "border: 1px solid #f4c7c3; border-radius: 4px; padding: 8px; }")
        self.notice.setAccessibleName("Notice")
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.hide()
        layout.addWidget(self.notice)

        # Saved stores: only when there are some.
        self.saved_box = QWidget()
        saved = QVBoxLayout(self.saved_box)
        saved.setContentsMargins(0, 8, 0, 0)
        self.saved_title = QLabel("&Your stores")
        saved.addWidget(self.saved_title)
        self.saved_list = QListWidget()
        self.saved_list.setAccessibleName("Your stores")
        self.saved_list.setAccessibleDescription("Enter opens the selected store")
        self.saved_list.setStyleSheet("QListWidget::item { padding: 5px 4px; }")
        self.saved_list.itemActivated.connect(self._open_item)
        self.saved_title.setBuddy(self.saved_list)
        saved.addWidget(self.saved_list)
        row = QHBoxLayout()
        self.open_button = _button("&Open", "Open the selected store")
        self.open_button.clicked.connect(self._open_selected)
        self.edit_button = _button("&Edit…", "Change the selected store's name or credentials")
        self.edit_button.setToolTip("Change the store's name or credentials (a new access "
                                    "token, a different API account)")
        self.edit_button.clicked.connect(self._edit_selected)
        self.remove_button = _button("&Remove…", "Forget the selected store")
        self.remove_button.setToolTip("Forget the store and delete its credentials from the "
                                      "keyring; the store itself is not changed")
        self.remove_button.clicked.connect(self._remove_selected)
        for button in (self.open_button, self.edit_button, self.remove_button):
            row.addWidget(button)
        row.addStretch(1)
        saved.addLayout(row)
        for text, slot in (("Open", self._open_selected), ("Edit…", self._edit_selected),
                           ("Remove…", self._remove_selected)):
            action = QAction(text, self.saved_list)
            action.triggered.connect(slot)
            self.saved_list.addAction(action)
        self.saved_list.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.saved_box.hide()
        layout.addWidget(self.saved_box)

        # The two ways in, side by side, each saying what it does.
        choices = QFrame()
        grid = QGridLayout(choices)
        grid.setContentsMargins(0, 12, 0, 0)
        grid.setHorizontalSpacing(16)
        connect_line = ("Use your store's API account. The access token stays in your "
                        "system's keyring.")
        demo_line = ("Look around in a sample store on this computer. Nothing is sent to "
                     "any store.")
        self.connect_button = _button("&Connect a store…", connect_line)
        self.connect_button.clicked.connect(self.connectRequested)
        self.demo_button = _button("Try the &demo store", demo_line)
        self.demo_button.clicked.connect(self.openDemoRequested)
        self.connect_line = _label(connect_line, _MUTED)
        self.demo_line = _label(demo_line, _MUTED)
        for col, (button, line) in enumerate(((self.connect_button, self.connect_line),
                                             (self.demo_button, self.demo_line))):
            button.setMinimumHeight(44)
            big = QFont(button.font())
            big.setPointSizeF(big.pointSizeF() * 1.15)
            button.setFont(big)
            line.setAlignment(Qt.AlignmentFlag.AlignTop)
            grid.addWidget(button, 0, col)
            grid.addWidget(line, 1, col)
            grid.setColumnStretch(col, 1)
        layout.addWidget(choices)

        self.message = _label("")
        self.message.setAccessibleName("Status message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        outer.addWidget(column)

        self.saved_list.currentItemChanged.connect(self._update_buttons)
        for first, second in ((self.saved_list, self.open_button),
                              (self.open_button, self.edit_button),
                              (self.edit_button, self.remove_button),
                              (self.remove_button, self.connect_button),
                              (self.connect_button, self.demo_button)):
            QWidget.setTabOrder(first, second)
        self._update_buttons()

    # ---- what the screen shows ----------------------------------------------------------

    def set_stores(self, stores: Iterable[SavedStore], session_only: Iterable[str] = (),
                   select: str | None = None) -> None:
        """Lists `stores`, marking those whose credentials last only until the app quits;
        keeps (or moves to `select`) the selected store."""
        keep = select or (self._selected().store_id if self._selected() else None)
        self._session_only = set(session_only)
        self.saved_list.clear()
        for store in stores:
            item = QListWidgetItem(self._item_text(store))
            item.setData(Qt.ItemDataRole.UserRole, store)
            if store.store_id in self._session_only:
                item.setToolTip("Kept in memory until you quit: the system keyring could not "
                                "keep its credentials.")
            self.saved_list.addItem(item)
        count = self.saved_list.count()
        self.saved_box.setVisible(count > 0)
        if count:  # as tall as its rows, up to five; then it scrolls
            frame = 2 * self.saved_list.frameWidth()
            self.saved_list.setFixedHeight(
                min(count, 5) * self.saved_list.sizeHintForRow(0) + frame + 2)
        if count:
            ids = [self._store_at(row).store_id for row in range(count)]
            self.saved_list.setCurrentRow(ids.index(keep) if keep in ids else 0)
        self._update_buttons()

    def _item_text(self, store: SavedStore) -> str:
        text = f"{store.label}  —  {store.detail}" if store.label != store.detail else store.label
        return f"{text}  ({SESSION_ONLY})" if store.store_id in self._session_only else text

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(_ERROR if error else "")

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def focus_first(self) -> None:
        """Where the keyboard starts: the stores when there are some, else Connect."""
        (self.saved_list if self.saved_box.isVisibleTo(self) else self.connect_button).setFocus()

    def selected_store(self) -> SavedStore | None:
        return self._selected()

    # ---- reacting -----------------------------------------------------------------------

    def _store_at(self, row: int) -> SavedStore:
        return self.saved_list.item(row).data(Qt.ItemDataRole.UserRole)

    def _selected(self) -> SavedStore | None:
        item = self.saved_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _update_buttons(self) -> None:
        has = self._selected() is not None
        for button in (self.open_button, self.edit_button, self.remove_button):
            button.setEnabled(has)
        for action in self.saved_list.actions():
            action.setEnabled(has)

    def _open_item(self, item: QListWidgetItem) -> None:
        self.openSavedRequested.emit(item.data(Qt.ItemDataRole.UserRole))

    def _open_selected(self) -> None:
        store = self._selected()
        if store is not None:
            self.openSavedRequested.emit(store)

    def _edit_selected(self) -> None:
        store = self._selected()
        if store is not None:
            self.editSavedRequested.emit(store)

    def _remove_selected(self) -> None:
        store = self._selected()
        if store is not None:
            self.removeSavedRequested.emit(store)
