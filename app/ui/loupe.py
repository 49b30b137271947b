"""The large preview ("loupe"): one image over the whole grid, as a photo manager shows it.

It opens at once with the picture the grid already has, scaled up, and swaps in the largest
rendition when the thumbnail loader brings it (downloaded, decoded and scaled on a worker).
Left and Right move through the product's images; Esc or Space closes.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, Signal
from PySide6.QtGui import (QColor, QFont, QFontMetrics, QImage, QKeyEvent, QMouseEvent, QPainter,
                           QPaintEvent, QPixmap)
from PySide6.QtWidgets import QWidget

from app.api.models import ProductImage
from app.services.thumbnails import ThumbnailLoader, switch_loader
from app.ui.details_pane import fit_rect
from app.ui.image_model import ImageListModel

BACKDROP = QColor(24, 24, 27, 242)
TEXT = QColor("#f1f3f4")
MUTED = QColor("#bdc1c6")
MISSING_ALT = QColor("#fdd663")
MARGIN = 16


class Loupe(QWidget):
    """Covers the grid while open (the grid stays underneath, scroll bar included).

    It is a sibling of the widget it covers, so the covered widget's own children (a scroll
    area raises its scroll bars) never show through it.
    """

    #: The row shown changed (the grid selects it, so the details pane follows).
    rowChanged = Signal(int)
    #: Closed on this row.
    closed = Signal(int)

    def __init__(self, model: ImageListModel, covers: QWidget) -> None:
        super().__init__(covers)
        self._covers = covers
        self._model = model
        self._loader: ThumbnailLoader | None = None
        self._row = -1
        self._picture = QPixmap()
        #: The URL of the picture on screen ("" for the grid's smaller one, shown meanwhile).
        self.shown_url = ""
        self.load_error = ""
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Large preview")
        self.setAccessibleDescription("Left and Right arrows: previous and next image. "
                                      "Esc or Space: close.")
        covers.installEventFilter(self)
        self.hide()

    def set_loader(self, loader: ThumbnailLoader | None) -> None:
        self._loader = switch_loader(self._loader, loader, self._on_loaded, self._on_failed)

    # ---- opening, moving, closing -------------------------------------------------------

    @property
    def row(self) -> int:
        return self._row

    @property
    def image(self) -> ProductImage | None:
        count = self._model.rowCount()
        return self._model.image_at(self._row) if 0 <= self._row < count else None

    def open_at(self, row: int) -> None:
        host = self._covers.parentWidget() or self._covers
        if self.parentWidget() is not host:
            self.setParent(host)
        self._follow()
        self.show()
        self.raise_()
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.show_row(row)

    def show_row(self, row: int) -> None:
        count = self._model.rowCount()
        if not 0 <= row < count:
            return
        changed = row != self._row
        self._row = row
        image = self._model.image_at(row)
        # What the grid already has, scaled, until the big picture arrives.
        small = self._model.index(row).data(Qt.ItemDataRole.DecorationRole)
        self._picture = small if isinstance(small, QPixmap) else QPixmap()
        self.shown_url = ""
        self.load_error = ""
        largest = image.rendition_url(1 << 30)
        if largest and self._loader is not None:
            self._loader.request(("loupe", image.id), largest, self._device_box())
        self.setAccessibleName(f"Large preview, {self.position_text}")
        self.update()
        if changed:
            self.rowChanged.emit(row)

    def close_loupe(self) -> None:
        if self.isVisible():
            self.hide()
            self._covers.setFocus(Qt.FocusReason.OtherFocusReason)
            self.closed.emit(self._row)

    def _device_box(self) -> QSize:
        ratio = self.devicePixelRatioF()
        box = self.picture_box()
        return QSize(round(box.width() * ratio), round(box.height() * ratio))

    # ---- what it shows ------------------------------------------------------------------

    @property
    def position_text(self) -> str:
        return f"{self._row + 1} of {self._model.rowCount()}"

    @property
    def caption(self) -> str:
        image = self.image
        return image.description if image is not None and image.description else "No alt text"

    def _caption_height(self) -> int:
        return 2 * QFontMetrics(self.font()).height() + MARGIN

    def picture_box(self) -> QRect:
        return self.rect().adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN - self._caption_height())

    def picture_rect(self) -> QRect:
        if self._picture.isNull():
            return QRect()
        return fit_rect(self._picture.deviceIndependentSize().toSize(), self.picture_box())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKDROP)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if not self._picture.isNull():
            painter.drawPixmap(self.picture_rect(), self._picture)
        else:
            painter.setPen(MUTED)
            painter.drawText(self.picture_box(), Qt.AlignmentFlag.AlignCenter,
                             self.load_error or "Loading the picture…")
        # Position and alt text, drawn as plain text, elided to the width.
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        bottom = self.rect().adjusted(MARGIN, 0, -MARGIN, -MARGIN // 2)
        hint = "← → previous / next · Esc close"
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(TEXT)
        first = QRect(bottom.left(), bottom.bottom() - 2 * line, bottom.width(), line)
        painter.drawText(first, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         self.position_text)
        painter.setFont(self.font())
        painter.setPen(MUTED)
        painter.drawText(first, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, hint)
        image = self.image
        painter.setPen(TEXT if image is not None and image.description else MISSING_ALT)
        second = QRect(bottom.left(), bottom.bottom() - line, bottom.width(), line)
        painter.drawText(second, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(" ".join(self.caption.split()),
                                            Qt.TextElideMode.ElideRight, second.width()))

    # ---- arrivals -----------------------------------------------------------------------

    def _on_loaded(self, key: object, url: str, image: QImage, box_width: int) -> None:
        current = self.image
        if current is not None and key == ("loupe", current.id):
            self._picture = QPixmap.fromImage(image)
            self.shown_url = url
            self.update()

    def _on_failed(self, key: object, url: str, message: str) -> None:
        current = self.image
        if current is not None and key == ("loupe", current.id):
            self.load_error = f"The large picture could not be loaded. {message}"
            self.update()

    # ---- keys and mouse -----------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Escape, Qt.Key.Key_Space):
            self.close_loupe()
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_PageDown):
            self.show_row(min(self._row + 1, self._model.rowCount() - 1))
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_PageUp):
            self.show_row(max(self._row - 1, 0))
        elif key == Qt.Key.Key_Home:
            self.show_row(0)
        elif key == Qt.Key.Key_End:
            self.show_row(self._model.rowCount() - 1)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.close_loupe()

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002 - Qt's name
        return False  # Tab stays in the loupe while it covers the grid

    def _follow(self) -> None:
        """Takes the covered widget's place."""
        if self.parentWidget() is self._covers:
            self.setGeometry(self._covers.rect())
        else:
            self.setGeometry(self._covers.geometry())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._covers and event.type() in (QEvent.Type.Resize, QEvent.Type.Move) \
                and self.isVisible():
            self._follow()
        return False

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        if self.isVisible() and self.image is not None:
            image = self.image
            largest = image.rendition_url(1 << 30)
            if largest and self._loader is not None and not self.shown_url:
                self._loader.request(("loupe", image.id), largest, self._device_box())
