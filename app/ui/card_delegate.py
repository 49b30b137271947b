"""Draws one image card: picture, position, thumbnail star, description snippet, badges.

One delegate paints every card (calibre's grid does the same); nothing per card is a widget,
which keeps a 1000-image product as cheap to scroll as a 10-image one.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import cos, pi, sin

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.api.models import ProductImage
from app.ui.image_model import ImageRoles, PictureState

Index = QModelIndex | QPersistentModelIndex

PICTURE_ASPECT = 1.3  # the CDN's portrait boxes (44x58, 220x290, 386x513) are ~3:4
PADDING = 8
TEXT_LINES = 2

CARD_BACKGROUND = QColor("#ffffff")
CARD_BORDER = QColor("#dadce0")
PICTURE_BACKGROUND = QColor("#f1f3f4")
SELECTION = QColor("#1a73e8")
SELECTION_FILL = QColor("#e8f0fe")
MUTED_TEXT = QColor("#5f6368")
MISSING_ALT = QColor("#b06000")
STAR = QColor("#f9ab00")
ERROR = QColor("#d93025")


@dataclass(frozen=True)
class CardGeometry:
    """Where each part of a card goes, for a picture box `picture_width` pixels wide."""

    picture_width: int
    line_height: int

    @property
    def picture_height(self) -> int:
        return round(self.picture_width * PICTURE_ASPECT)

    @property
    def size(self) -> QSize:
        return QSize(self.picture_width + 2 * PADDING,
                     self.picture_height + 3 * PADDING + TEXT_LINES * self.line_height)

    def picture_rect(self, card: QRect) -> QRect:
        return QRect(card.left() + PADDING, card.top() + PADDING,
                     self.picture_width, self.picture_height)

    def text_rect(self, card: QRect) -> QRect:
        top = card.top() + 2 * PADDING + self.picture_height
        return QRect(card.left() + PADDING, top, self.picture_width,
                     TEXT_LINES * self.line_height)

    def badge_rect(self, card: QRect) -> QRect:
        """The error badge: the middle of the picture, where a click means "retry"."""
        side = max(20, min(40, self.picture_width // 3))
        picture = self.picture_rect(card)
        return QRect(picture.center().x() - side // 2, picture.center().y() - side // 2,
                     side, side)


class CardDelegate(QStyledItemDelegate):
    def __init__(self, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.picture_width = 110
        #: While a banner says the image server is failing, failed cards show a quiet
        #: placeholder instead of a red badge each.
        self.quiet_failures = False
        self._font = QFont()
        self._small_font = QFont()
        self._small_font.setPointSizeF(max(7.0, self._font.pointSizeF() * 0.85))

    def geometry(self) -> CardGeometry:
        return CardGeometry(self.picture_width, QFontMetrics(self._small_font).height())

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return self.geometry().size

    def card_rect(self, cell: QRect) -> QRect:
        """The card, centred horizontally in its grid cell."""
        size = self.geometry().size
        card = QRect(0, 0, size.width(), size.height())
        card.moveTopLeft(cell.topLeft())
        card.moveLeft(cell.left() + (cell.width() - size.width()) // 2)
        return card.adjusted(1, 1, -1, -1)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        image: ProductImage | None = index.data(ImageRoles.Image)
        if image is None:
            return
        geometry = self.geometry()
        card = self.card_rect(option.rect)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)

        self._paint_frame(painter, QRectF(card), selected, hovered, focused)
        picture_rect = geometry.picture_rect(card)
        painter.fillRect(picture_rect, PICTURE_BACKGROUND)
        state: PictureState = index.data(ImageRoles.PictureState)
        pixmap: QPixmap | None = index.data(Qt.ItemDataRole.DecorationRole)
        if pixmap is not None and not pixmap.isNull():
            self._paint_picture(painter, picture_rect, pixmap)
        elif state == PictureState.FAILED and self.quiet_failures:
            self._paint_placeholder(painter, picture_rect, "No picture")
        elif state == PictureState.FAILED:
            self._paint_error_badge(painter, geometry.badge_rect(card))
        else:
            self._paint_placeholder(painter, picture_rect,
                                    "No picture" if state == PictureState.NONE else "Loading…")
        self._paint_position(painter, picture_rect, index.data(ImageRoles.Position))
        if image.is_thumbnail:
            self._paint_star(painter, picture_rect)
        self._paint_description(painter, geometry.text_rect(card), image)
        painter.restore()

    def _paint_frame(self, painter: QPainter, rect: QRectF, selected: bool, hovered: bool,
                     focused: bool) -> None:
        path = QPainterPath()
        path.addRoundedRect(rect, 6, 6)
        painter.fillPath(path, SELECTION_FILL if selected else CARD_BACKGROUND)
        pen = QPen(SELECTION if (selected or focused) else
                   (MUTED_TEXT if hovered else CARD_BORDER))
        pen.setWidthF(2.0 if selected else 1.0)
        if focused and not selected:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawPath(path)

    @staticmethod
    def _paint_picture(painter: QPainter, box: QRect, pixmap: QPixmap) -> None:
        size = pixmap.deviceIndependentSize().toSize().scaled(box.size(),
                                                             Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(0, 0, size.width(), size.height())
        target.moveCenter(box.center())
        painter.drawPixmap(target, pixmap)

    def _paint_placeholder(self, painter: QPainter, box: QRect, text: str) -> None:
        painter.setPen(MUTED_TEXT)
        painter.setFont(self._small_font)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_error_badge(self, painter: QPainter, badge: QRect) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(ERROR)
        painter.drawEllipse(badge)
        painter.setPen(QColor("white"))
        bold = QFont(self._font)
        bold.setBold(True)
        bold.setPixelSize(max(10, int(badge.height() * 0.6)))
        painter.setFont(bold)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, "!")
        painter.setPen(ERROR)
        painter.setFont(self._small_font)
        below = QRect(badge.left() - 30, badge.bottom() + 4, badge.width() + 60,
                      QFontMetrics(self._small_font).height())
        painter.drawText(below, Qt.AlignmentFlag.AlignCenter, "Click to retry")

    def _paint_position(self, painter: QPainter, picture: QRect, position: int) -> None:
        painter.setFont(self._small_font)
        metrics = QFontMetrics(self._small_font)
        text = str(position)
        pill = QRectF(picture.left() + 4, picture.top() + 4,
                      metrics.horizontalAdvance(text) + 10, metrics.height() + 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(32, 33, 36, 190))
        painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
        painter.setPen(QColor("white"))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)

    @staticmethod
    def _paint_star(painter: QPainter, picture: QRect) -> None:
        radius = max(7.0, min(12.0, picture.width() / 10))
        center = QPointF(picture.right() - radius - 4, picture.top() + radius + 4)
        star = QPolygonF()
        for point in range(10):
            r = radius if point % 2 == 0 else radius * 0.45
            angle = -pi / 2 + point * pi / 5
            star.append(QPointF(center.x() + r * cos(angle), center.y() + r * sin(angle)))
        painter.setPen(QPen(QColor("#7a5200"), 1))
        painter.setBrush(STAR)
        painter.drawPolygon(star)

    def _paint_description(self, painter: QPainter, rect: QRect, image: ProductImage) -> None:
        painter.setFont(self._small_font)
        metrics = QFontMetrics(self._small_font)
        if image.description:
            painter.setPen(QColor("#202124"))
            text = image.description
        else:
            painter.setPen(MISSING_ALT)
            text = "No alt text"
        # Wrap to TEXT_LINES lines, eliding the last.
        words = text.split()
        lines: list[str] = []
        current = ""
        for word in words:
            candidate = f"{current} {word}".strip()
            if metrics.horizontalAdvance(candidate) <= rect.width() or not current:
                current = candidate
            else:
                lines.append(current)
                current = word
            if len(lines) == TEXT_LINES:
                break
        if len(lines) < TEXT_LINES and current:
            lines.append(current)
        remaining = " ".join(words)
        for number, line in enumerate(lines[:TEXT_LINES]):
            is_last = number == TEXT_LINES - 1 or number == len(lines) - 1
            shown = metrics.elidedText(remaining if is_last else line,
                                       Qt.TextElideMode.ElideRight, rect.width())
            painter.drawText(QRect(rect.left(), rect.top() + number * metrics.height(),
                                   rect.width(), metrics.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)
            remaining = remaining[len(line):].strip()
