"""The status bar: store, product, image counts, API budget and online state at a glance."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app.api.rate_limit import RateLimitSnapshot


class StoreStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store_label = self._add("Store", "No store")
        self.product_label = self._add("Product", "")
        self.images_label = self._add("Images of this product", "")
        self.selection_label = self._add("Selected images", "")
        self.store_images_label = self._add("Images in the store", "")
        self.budget_label = self._add("API requests left in this window", "")
        self.online_label = self._add("Connection", "")

    def _add(self, accessible_name: str, text: str) -> QLabel:
        label = QLabel(text)
        label.setAccessibleName(accessible_name)
        label.setContentsMargins(6, 0, 6, 0)
        self.addPermanentWidget(label)
        return label

    def set_store(self, label: str) -> None:
        self.store_label.setText(label)

    def set_product(self, name: str, image_count: int | None) -> None:
        self.product_label.setText(name)
        self.images_label.setText("" if image_count is None else
                                  f"{image_count} image{'s' if image_count != 1 else ''}")

    def show_selection(self, selected: int, total: int) -> None:
        """"12 of 300 selected"; nothing when nothing is selected."""
        self.selection_label.setText(f"{selected} of {total} selected" if selected else "")

    def set_store_image_count(self, count: int | None) -> None:
        self.store_images_label.setText("" if count is None else f"Store: {count:,} images")

    def set_rate_limit(self, snapshot: RateLimitSnapshot | None) -> None:
        if snapshot is None or snapshot.left is None:
            self.budget_label.setText("")
        elif snapshot.quota:
            self.budget_label.setText(f"API budget {snapshot.left}/{snapshot.quota}")
        else:
            self.budget_label.setText(f"API budget {snapshot.left} this hour")

    def set_online(self, online: bool) -> None:
        self.online_label.setText("● Online" if online else "○ Offline")
        self.online_label.setStyleSheet("color: #188038;" if online else "color: #d93025;")
