"""Dragging cards to reorder them, and where a drop lands in the wrapping grid.

An internal move travels as a private MIME type that names the product and the row keys (never
server ids: an upload has none yet). The view only says what was dropped where (`mime_for`,
`rows_in`, `insertion_at`); the store page turns that into a move through the editor, and the
rows move when the queue's state comes back, so the model never moves rows by itself (which
QListView's InternalMove would do).

Where a drop lands is drawn as a vertical line in the gutter between two cards (also after the
last card of a line), by an overlay on the viewport: the cards' paint path stays untouched.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QPoint, QRect, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (QColor, QDrag, QDragEnterEvent, QDragMoveEvent, QDropEvent, QFont,
                           QImage, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen, QPixmap)
from PySide6.QtWidgets import QAbstractItemView, QAbstractScrollArea, QApplication, QWidget

from app.ui.card_delegate import PICTURE_ASPECT
from app.ui.image_model import ImageRoles

if TYPE_CHECKING:
    from app.ui.image_grid import ImageGridView

#: Cards of this application being moved inside one product's grid.
ROWS_MIME = "application/x-product-image-manager-rows+json"
MAX_DRAG_KEYS = 10_000  # a product has at most a few hundred images; anything bigger is not ours

LINE_WIDTH = 4            # the indicator's core, in pixels
LINE_OUTLINE = 1          # a light edge on each side, so it shows on any background
AUTOSCROLL_MARGIN = 40    # pixels from the top or bottom edge where dragging scrolls
AUTOSCROLL_INTERVAL_MS = 30
AUTOSCROLL_MAX_STEP = 24  # pixels per tick at the very edge


def mime_for(product_id: int, keys: Sequence[str]) -> QMimeData:
    """What a drag of these cards carries: the product and the row keys, in grid order."""
    mime = QMimeData()
    payload = {"product_id": product_id, "keys": list(keys)}
    mime.setData(ROWS_MIME, json.dumps(payload).encode("utf-8"))
    return mime


def rows_in(mime: QMimeData, product_id: int | None) -> list[str] | None:
    """The row keys of an internal drag of `product_id`'s cards; None for anything else (a
    drag from another product or window, or data that is not ours)."""
    if product_id is None or not mime.hasFormat(ROWS_MIME):
        return None
    try:
        payload = json.loads(bytes(mime.data(ROWS_MIME).data()).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("product_id") != product_id:
        return None
    keys = payload.get("keys")
    if not isinstance(keys, list) or not 0 < len(keys) <= MAX_DRAG_KEYS \
            or not all(isinstance(key, str) for key in keys):
        return None
    return keys


def is_external_image_drag(mime: QMimeData) -> bool:
    """Files, links or picture data from elsewhere (the add helper's `externalDrop`)."""
    return mime.hasUrls() or mime.hasImage()


# ---- where a drop lands ----------------------------------------------------------------------

@dataclass(frozen=True)
class Insertion:
    row: int       # the dropped cards go before this row (row count: at the end)
    line: QRect    # where the indicator is drawn, in viewport coordinates


@dataclass(frozen=True)
class Slot:
    """One card as laid out: its row, its cell (card plus the gutter on its left) and the card."""

    row: int
    cell: QRect
    card: QRect


def insertion_at(point: QPoint, slots: Sequence[Slot], row_count: int) -> Insertion | None:
    """Where cards dropped at `point` go, among the laid-out `slots` (in row order, usually
    the visible ones). The line of cards under the pointer is chosen first (the nearest one
    above or below when the pointer is past them), then the gap nearest the pointer in it."""
    if not slots:
        return None
    lines: list[list[Slot]] = []
    for slot in slots:
        if lines and lines[-1][0].cell.top() == slot.cell.top():
            lines[-1].append(slot)
        else:
            lines.append([slot])
    line = next((each for each in lines if point.y() <= each[0].cell.bottom()), lines[-1])
    last = line[-1]
    past_the_end = point.y() > last.cell.bottom() and last.row == row_count - 1
    before = None if past_the_end else next(
        (slot for slot in line if point.x() < slot.card.center().x()), None)
    if before is not None:
        gutter_middle = (before.cell.left() + before.card.left()) // 2
        return Insertion(before.row, _line_rect(gutter_middle, before.card))
    gutter = max(LINE_WIDTH, last.card.left() - last.cell.left())
    return Insertion(last.row + 1, _line_rect(last.card.right() + gutter // 2, last.card))


def _line_rect(x: int, card: QRect) -> QRect:
    width = LINE_WIDTH + 2 * LINE_OUTLINE
    return QRect(x - width // 2, card.top() - 2, width, card.height() + 4)


class InsertionIndicator(QWidget):
    """The line where dropped cards will land: the selection colour with a light outline
    (visible on the page's background and on any picture), mouse-transparent so drops still
    reach the viewport under it."""

    def __init__(self, viewport: QWidget) -> None:
        super().__init__(viewport)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setAccessibleName("Drop position")
        self.row: int | None = None
        self.hide()

    def show_at(self, insertion: Insertion) -> None:
        self.row = insertion.row
        if self.geometry() != insertion.line:
            self.setGeometry(insertion.line)
        self.show()
        self.raise_()

    def clear(self) -> None:
        self.row = None
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = QRectF(self.rect())
        painter.fillRect(rect, QColor(255, 255, 255))
        core = rect.adjusted(LINE_OUTLINE, LINE_OUTLINE, -LINE_OUTLINE, -LINE_OUTLINE)
        painter.fillRect(core, self.palette().color(QPalette.ColorRole.Highlight).darker(130))
        painter.end()


class EdgeAutoScroll:
    """Scrolls the view while a drag hovers near its top or bottom edge: faster nearer it."""

    def __init__(self, view: QAbstractScrollArea) -> None:
        self._view = view
        self._step = 0
        self._timer = QTimer(view, interval=AUTOSCROLL_INTERVAL_MS)
        self._timer.timeout.connect(self._tick)

    def follow(self, point: QPoint) -> None:
        height = self._view.viewport().height()
        if point.y() < AUTOSCROLL_MARGIN:
            depth = AUTOSCROLL_MARGIN - point.y()
            self._step = -max(1, AUTOSCROLL_MAX_STEP * depth // AUTOSCROLL_MARGIN)
        elif point.y() > height - AUTOSCROLL_MARGIN:
            depth = point.y() - (height - AUTOSCROLL_MARGIN)
            self._step = max(1, AUTOSCROLL_MAX_STEP * depth // AUTOSCROLL_MARGIN)
        else:
            self._step = 0
        if self._step and not self._timer.isActive():
            self._timer.start()
        elif not self._step:
            self._timer.stop()

    def stop(self) -> None:
        self._step = 0
        self._timer.stop()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def _tick(self) -> None:
        bar = self._view.verticalScrollBar()
        before = bar.value()
        bar.setValue(before + self._step)
        if bar.value() == before:
            self._timer.stop()  # at the end: nothing more to show


# ---- what the pointer carries ----------------------------------------------------------------

BADGE_DIAMETER = 26


def drag_pixmap(picture: QPixmap | None, size: QSize, count: int,
                palette: QPalette) -> QPixmap:
    """The first card's picture (or a plain tile while it loads) with a count badge when
    several cards move."""
    ratio = picture.devicePixelRatio() if picture is not None and not picture.isNull() else 1.0
    # Painted on a QImage: raster painting onto a transparent QPixmap may drop an opaque
    # picture on some platforms (seen under xcb).
    canvas = QImage(size * ratio, QImage.Format.Format_ARGB32_Premultiplied)
    canvas.setDevicePixelRatio(ratio)
    canvas.fill(Qt.GlobalColor.transparent)
    painter = QPainter(canvas)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    box = QRectF(0, 0, size.width(), size.height()).adjusted(2, 2, -2, -2)
    painter.setOpacity(0.85)
    painter.fillRect(box, palette.color(QPalette.ColorRole.Base))
    if picture is not None and not picture.isNull():
        shown = picture.size() / picture.devicePixelRatio()
        shown.scale(box.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRectF(0, 0, shown.width(), shown.height())
        target.moveCenter(box.center())
        # Opaque for sure: a decoded picture's padding byte may be 0 (Pillow's "BGRX"), which
        # an opaque card ignores but this transparent canvas would take as alpha.
        painter.drawImage(target.toRect(),
                          picture.toImage().convertToFormat(QImage.Format.Format_RGB888))
    painter.setOpacity(1.0)
    painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2))
    painter.drawRect(box)
    if count > 1:
        text = str(count) if count < 1000 else "999+"
        font = QFont(painter.font())
        font.setBold(True)
        painter.setFont(font)
        width = max(BADGE_DIAMETER, painter.fontMetrics().horizontalAdvance(text) + 12)
        badge = QRectF(size.width() - width, 0, width, BADGE_DIAMETER)
        painter.setPen(QPen(QColor(255, 255, 255), 2))
        painter.setBrush(palette.color(QPalette.ColorRole.Highlight).darker(130))
        painter.drawRoundedRect(badge.adjusted(1, 1, -1, -1), BADGE_DIAMETER / 2,
                                BADGE_DIAMETER / 2)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return QPixmap.fromImage(canvas)


# ---- the grid's side of it -------------------------------------------------------------------

DRAG_PICTURE_MAX_WIDTH = 160


class CardDragging:
    """The image grid's drag and drop: a press on a card and a move past the drag distance
    drags the selected cards; a drag over the grid shows where it would land; a drop of our
    own cards becomes `view.rowsDropped(keys, row)`, anything with files, links or picture
    data `view.externalDrop(mime, row)`. Esc while dragging cancels (Qt's drag loop)."""

    def __init__(self, view: ImageGridView) -> None:
        self._view = view
        self.indicator = InsertionIndicator(view.viewport())
        self.autoscroll = EdgeAutoScroll(view)
        self._press: QPoint | None = None
        #: Cards can be dragged to reorder them (off when the session cannot keep changes).
        self.reorderable = False
        view.setAcceptDrops(True)
        view.viewport().setAcceptDrops(True)
        view.setDropIndicatorShown(False)  # ours is the line between cards

    # ---- starting a drag ----------------------------------------------------------------

    def mouse_pressed(self, event: QMouseEvent) -> None:
        point = event.position().toPoint()
        on_card = self._view.indexAt(point).isValid()
        self._press = point if (self.reorderable and on_card
                                and event.button() == Qt.MouseButton.LeftButton) else None

    def mouse_moved(self, event: QMouseEvent) -> bool:
        """True when the move belongs to a drag (pressed on a card): the view must not turn
        it into a rubber-band selection."""
        if self._press is None or not event.buttons() & Qt.MouseButton.LeftButton:
            self._press = None
            return False
        travel = (event.position().toPoint() - self._press).manhattanLength()
        if travel >= QApplication.startDragDistance():
            self._press = None
            self.start_drag()
        return True

    def mouse_released(self) -> None:
        self._press = None

    def dragged_keys(self) -> list[str]:
        view = self._view
        rows = sorted(index.row() for index in view.selectionModel().selectedIndexes())
        model = view.model()
        return [model.index(row, 0).data(ImageRoles.RowKey) for row in rows]

    def drag_for(self, keys: Sequence[str]) -> QDrag | None:
        """The QDrag a drag of these cards runs (its mime is `mime_for`)."""
        model = self._view.image_model()
        if model is None or model.product_id is None or not keys:
            return None
        drag = QDrag(self._view)
        drag.setMimeData(mime_for(model.product_id, keys))
        first = model.index_of_key(keys[0])
        picture = first.data(Qt.ItemDataRole.DecorationRole)
        width = min(DRAG_PICTURE_MAX_WIDTH, self._view.picture_width)
        size = QSize(width, round(width * PICTURE_ASPECT))
        drag.setPixmap(drag_pixmap(picture if isinstance(picture, QPixmap) else None, size,
                                   len(keys), self._view.palette()))
        drag.setHotSpot(QPoint(size.width() // 2, size.height() // 2))
        return drag

    def start_drag(self) -> Qt.DropAction:
        drag = self.drag_for(self.dragged_keys())
        if drag is None:
            return Qt.DropAction.IgnoreAction
        # Qt's loop runs until the drop or Esc; the view's drop handler applied the move.
        result = drag.exec(Qt.DropAction.MoveAction)
        self._end()
        self._view.setState(QAbstractItemView.State.NoState)
        return result

    # ---- a drag over the grid -----------------------------------------------------------

    def _ours(self, mime: QMimeData) -> list[str] | None:
        model = self._view.image_model()
        return rows_in(mime, model.product_id if model is not None else None)

    def _wanted(self, mime: QMimeData) -> bool:
        if mime.hasFormat(ROWS_MIME):
            return self.reorderable and self._ours(mime) is not None
        return is_external_image_drag(mime)

    def insertion(self, point: QPoint) -> Insertion | None:
        view = self._view
        model = view.model()
        if model is None:
            return None
        slots = []
        for row in view.visible_rows():
            index = model.index(row, 0)
            slots.append(Slot(row, view.visualRect(index), view.card_rect(index)))
        if not slots:
            return Insertion(0, QRect(AUTOSCROLL_MARGIN // 2, 8, LINE_WIDTH + 2 * LINE_OUTLINE,
                                      max(24, view.viewport().height() // 4)))
        return insertion_at(point, slots, model.rowCount())

    def drag_entered(self, event: QDragEnterEvent) -> None:
        if not self._wanted(event.mimeData()):
            event.ignore()
            return
        self._accept(event)
        self._show(event.position().toPoint())

    def drag_moved(self, event: QDragMoveEvent) -> None:
        if not self._wanted(event.mimeData()):
            event.ignore()
            return
        point = event.position().toPoint()
        self._accept(event)
        self.autoscroll.follow(point)
        self._show(point)

    def drag_left(self) -> None:
        self._end()

    def dropped(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        if not self._wanted(mime):
            self._end()
            event.ignore()
            return
        insertion = self.insertion(event.position().toPoint())
        row = insertion.row if insertion is not None else self._view.model().rowCount()
        self._end()
        keys = self._ours(mime)
        if keys is not None:
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
            self._view.rowsDropped.emit(keys, row)
        else:
            event.acceptProposedAction()
            self._view.externalDrop.emit(mime, row)

    def _accept(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(ROWS_MIME):
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        else:
            event.acceptProposedAction()

    def _show(self, point: QPoint) -> None:
        insertion = self.insertion(point)
        if insertion is None:
            self.indicator.clear()
        else:
            self.indicator.show_at(insertion)

    def _end(self) -> None:
        self.autoscroll.stop()
        self.indicator.clear()
