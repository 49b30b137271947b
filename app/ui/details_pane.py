"""The selected image at a larger rendition, with every field and its URLs to copy."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import (QFormLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QSizePolicy, QVBoxLayout, QWidget)

from app.api.models import ProductImage
from app.services.thumbnails import ThumbnailLoader

PREVIEW_SIZE = QSize(320, 416)


class DetailsPane(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setMinimumWidth(260)
        self.setAccessibleName("Image details")
        self._loader: ThumbnailLoader | None = None
        self._image: ProductImage | None = None

        body = QWidget()
        layout = QVBoxLayout(body)
        self._preview = QLabel("Select an image to see its details.")
        self._preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._preview.setMinimumHeight(220)
        self._preview.setWordWrap(True)
        self._preview.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._preview.setAccessibleName("Selected image preview")
        layout.addWidget(self._preview)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._fields: dict[str, QLabel] = {}
        for key, label in [("id", "Image id"), ("position", "Position"),
                           ("sort_order", "Sort order"), ("is_thumbnail", "Thumbnail"),
                           ("description", "Description (alt text)"),
                           ("image_file", "File"), ("date_created", "Added")]:
            value = QLabel("—")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
            value.setAccessibleName(label)
            form.addRow(f"{label}:", value)
            self._fields[key] = value
        layout.addLayout(form)

        self._copy_buttons: dict[str, QPushButton] = {}
        urls = QVBoxLayout()
        for key, label in [("zoom_url", "Zoom"), ("thumbnail_url", "Thumbnail"),
                           ("standard_url", "Standard"), ("tiny_url", "Tiny")]:
            row = QHBoxLayout()
            button = QPushButton(f"Copy {label.lower()} URL")
            button.setAccessibleName(f"Copy the {label.lower()} rendition URL")
            button.clicked.connect(lambda _=False, k=key: self._copy(k))
            button.setEnabled(False)
            row.addWidget(button)
            urls.addLayout(row)
            self._copy_buttons[key] = button
        layout.addLayout(urls)
        layout.addStretch(1)
        self.setWidget(body)

    def set_loader(self, loader: ThumbnailLoader | None) -> None:
        if self._loader is not None:
            self._loader.loaded.disconnect(self._on_loaded)
            self._loader.failed.disconnect(self._on_failed)
        self._loader = loader
        if loader is not None:
            loader.loaded.connect(self._on_loaded)
            loader.failed.connect(self._on_failed)

    def show_image(self, image: ProductImage | None, position: int | None = None,
                   placeholder: QPixmap | None = None) -> None:
        self._image = image
        if image is None:
            self._preview.setPixmap(QPixmap())
            self._preview.setText("Select an image to see its details.")
            for value in self._fields.values():
                value.setText("—")
            for button in self._copy_buttons.values():
                button.setEnabled(False)
            return
        values = {
            "id": str(image.id),
            "position": str(position) if position is not None else "—",
            "sort_order": str(image.sort_order),
            "is_thumbnail": "Yes, the product's thumbnail" if image.is_thumbnail else "No",
            "description": image.description or "(none — add alt text for shoppers and search)",
            "image_file": image.image_file or "—",
            "date_created": image.date_created.strftime("%d %b %Y, %H:%M UTC")
            if image.date_created else "—",
        }
        for key, text in values.items():
            self._fields[key].setText(text)
        for key, button in self._copy_buttons.items():
            button.setEnabled(bool(getattr(image, key)))
        # Show the small picture at once, then the bigger rendition when it arrives.
        if placeholder is not None and not placeholder.isNull():
            self._set_preview(placeholder)
        else:
            self._preview.setPixmap(QPixmap())
            self._preview.setText("Loading…")
        ratio = self.devicePixelRatioF()
        box = QSize(round(PREVIEW_SIZE.width() * ratio), round(PREVIEW_SIZE.height() * ratio))
        # The same rule as the grid: the smallest rendition that fills the box (zoom on HiDPI).
        url = image.rendition_url(box.width())
        if url and self._loader is not None:
            self._loader.request(("detail", image.id), url, box)

    def _set_preview(self, pixmap: QPixmap) -> None:
        box = QSize(min(PREVIEW_SIZE.width(), max(200, self.viewport().width() - 24)),
                    PREVIEW_SIZE.height())
        ratio = self.devicePixelRatioF()
        scaled = pixmap.scaled(box * ratio, Qt.AspectRatioMode.KeepAspectRatio,
                               Qt.TransformationMode.SmoothTransformation)
        scaled.setDevicePixelRatio(ratio)
        self._preview.setPixmap(scaled)

    def _on_loaded(self, key: object, url: str, image: QImage, box_width: int) -> None:
        if self._image is not None and key == ("detail", self._image.id):
            self._set_preview(QPixmap.fromImage(image))

    def _on_failed(self, key: object, url: str, message: str) -> None:
        if self._image is not None and key == ("detail", self._image.id):
            if self._preview.pixmap() is None or self._preview.pixmap().isNull():
                self._preview.setText(f"The larger picture could not be loaded. {message}")

    def _copy(self, key: str) -> None:
        if self._image is not None and getattr(self._image, key):
            QGuiApplication.clipboard().setText(getattr(self._image, key))
