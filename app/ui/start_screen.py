"""The first screen: saved stores, "Connect a store", "Open the demo store"."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QVBoxLayout, QWidget)

from app import APP_NAME
from app.services.store_registry import SavedStore


class StartScreen(QWidget):
    openDemoRequested = Signal()
    connectRequested = Signal()
    openSavedRequested = Signal(object)    # SavedStore
    removeSavedRequested = Signal(object)  # SavedStore

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column = QWidget()
        column.setMaximumWidth(520)
        layout = QVBoxLayout(column)

        title = QLabel(APP_NAME)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        intro = QLabel("Curate your store's product images: order them, write their alt text, "
                       "pick each product's thumbnail.")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        layout.addSpacing(12)
        layout.addWidget(QLabel("Saved stores:"))
        self.saved_list = QListWidget()
        self.saved_list.setAccessibleName("Saved stores")
        self.saved_list.itemActivated.connect(self._open_item)
        layout.addWidget(self.saved_list)
        self.empty_hint = QLabel("No saved stores yet.")
        self.empty_hint.setStyleSheet("color: #5f6368;")
        layout.addWidget(self.empty_hint)

        buttons = QHBoxLayout()
        self.open_button = QPushButton("&Open")
        self.open_button.clicked.connect(self._open_selected)
        self.remove_button = QPushButton("&Remove…")
        self.remove_button.setToolTip("Forget the store and delete its secret from the keyring")
        self.remove_button.clicked.connect(self._remove_selected)
        self.connect_button = QPushButton("&Connect a store…")
        self.connect_button.clicked.connect(self.connectRequested)
        self.demo_button = QPushButton("Open the &demo store")
        self.demo_button.setDefault(True)
        self.demo_button.clicked.connect(self.openDemoRequested)
        for button in (self.open_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.connect_button)
        buttons.addWidget(self.demo_button)
        layout.addLayout(buttons)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Status message")
        layout.addWidget(self.message)
        outer.addWidget(column)
        self.saved_list.currentItemChanged.connect(self._update_buttons)
        self._update_buttons()

    def set_stores(self, stores: list[SavedStore]) -> None:
        self.saved_list.clear()
        for store in stores:
            detail = store.store_hash if store.kind == "oauth" else store.store_url
            item = QListWidgetItem(f"{store.label}  —  {detail}")
            item.setData(Qt.ItemDataRole.UserRole, store)
            self.saved_list.addItem(item)
        self.empty_hint.setVisible(not stores)
        if stores:
            self.saved_list.setCurrentRow(0)
        self._update_buttons()

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #d93025;" if error else "")

    def _selected(self) -> SavedStore | None:
        item = self.saved_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _update_buttons(self) -> None:
        has = self._selected() is not None
        self.open_button.setEnabled(has)
        self.remove_button.setEnabled(has)

    def _open_item(self, item: QListWidgetItem) -> None:
        self.openSavedRequested.emit(item.data(Qt.ItemDataRole.UserRole))

    def _open_selected(self) -> None:
        store = self._selected()
        if store is not None:
            self.openSavedRequested.emit(store)

    def _remove_selected(self) -> None:
        store = self._selected()
        if store is not None:
            self.removeSavedRequested.emit(store)
