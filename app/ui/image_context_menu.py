"""The menu of an image card (right-click, the Menu key or Shift+F10).

Built afresh for the cards it is opened on. The viewing verbs are built in; the editing
screens add theirs with `add_actions` (persistent QActions whose enabled state and shortcuts
their owner keeps) or `add_section` (a function that adds entries for the images at hand).
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QPoint, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMenu, QWidget

from app.api.models import ProductImage

#: (menu, images the menu is for) -> None; adds entries for those images.
MenuSection = Callable[[QMenu, list[ProductImage]], None]

RENDITIONS = [("zoom_url", "Largest (zoom)"), ("thumbnail_url", "Thumbnail"),
              ("standard_url", "Standard"), ("tiny_url", "Tiny")]


class ImageContextMenu(QObject):
    """Builds and shows the card menu; emits what the grid should do."""

    #: The merchant chose "Open large preview" for this image id.
    previewRequested = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sections: list[MenuSection] = []
        self.last_menu: QMenu | None = None  # what was shown last (tests look at it)

    def add_actions(self, actions: list[QAction]) -> None:
        """Adds a section of persistent actions (e.g. "Set as thumbnail", "Delete")."""
        self.add_section(lambda menu, images: menu.addActions(actions))

    def add_section(self, section: MenuSection) -> None:
        self._sections.append(section)

    def build(self, images: list[ProductImage], parent: QWidget | None = None) -> QMenu:
        menu = QMenu(parent)
        menu.setAccessibleName("Image actions")
        if len(images) == 1:
            image = images[0]
            preview = menu.addAction("Open large preview")
            preview.setShortcut("Space")  # shown as a hint; the grid handles the key
            preview.triggered.connect(lambda: self.previewRequested.emit(image.id))
            self._add_copy_addresses(menu, image)
        copy_ids = menu.addAction("Copy image id" if len(images) == 1 else
                                  f"Copy {len(images)} image ids")
        copy_ids.triggered.connect(
            lambda: copy_text("\n".join(str(image.id) for image in images)))
        for section in self._sections:
            menu.addSeparator()
            section(menu, images)
        self.last_menu = menu
        return menu

    @staticmethod
    def _add_copy_addresses(menu: QMenu, image: ProductImage) -> None:
        submenu = menu.addMenu("Copy picture address")
        for field, label in RENDITIONS:
            url = getattr(image, field)
            action = submenu.addAction(label)
            action.setEnabled(bool(url))
            if url:
                action.setToolTip(url)
                action.triggered.connect(lambda _=False, u=url: copy_text(u))
        submenu.setEnabled(image.has_renditions)

    def popup(self, images: list[ProductImage], global_position: QPoint,
              parent: QWidget | None = None) -> QMenu | None:
        if not images:
            return None
        menu = self.build(images, parent)
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(global_position)
        return menu


def copy_text(text: str) -> None:
    QGuiApplication.clipboard().setText(text)
