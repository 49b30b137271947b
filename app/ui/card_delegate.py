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
MIN_TEXT_WIDTH = 80  # narrower cards hide their alt text: two words would not fit

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
    def text_lines(self) -> int:
        """Two lines of alt text, or none on cards too narrow to read them."""
        return TEXT_LINES if self.picture_width >= MIN_TEXT_WIDTH else 0

    @property
    def size(self) -> QSize:
        text = 2 * PADDING + self.text_lines * self.line_height if self.text_lines else PADDING
        return QSize(self.picture_width + 2 * PADDING, self.picture_height + PADDING + text)

    def picture_rect(self, card: QRect) -> QRect:
        return QRect(card.left() + PADDING, card.top() + PADDING,
                     self.picture_width, self.picture_height)

    def text_rect(self, card: QRect) -> QRect:
        top = card.top() + 2 * PADDING + self.picture_height
        return QRect(card.left() + PADDING, top, self.picture_width,
                     self.text_lines * self.line_height)

    def badge_rect(self, card: QRect) -> QRect:
        """The error badge: the middle of the picture, where a click means "retry"."""
        side = max(20, min(40, self.picture_width // 3))
        picture = self.picture_rect(card)
        return QRect(picture.center().x() - side // 2, picture.center().y() - side // 2,
                     side, side)

    def star_rect(self, picture: QRect) -> QRectF:
        """The thumbnail star, in the picture's top-right corner."""
        radius = max(5.0, min(12.0, picture.width() / 10))
        inset = 2.0 if picture.width() < MIN_TEXT_WIDTH else 4.0
        return QRectF(picture.right() + 1 - inset - 2 * radius, picture.top() + inset,
                      2 * radius, 2 * radius)

    def pill_rect(self, picture: QRect, text_width: int) -> QRectF | None:
        """The position pill in the top-left corner; None where it would touch the star
        (small cards: the position is in the tooltip and the details instead)."""
        inset = 4.0
        pill = QRectF(picture.left() + inset, picture.top() + inset, text_width + 10,
                      self.line_height + 2)
        if pill.right() + inset > self.star_rect(picture).left():
            return None
        return pill


class CardDelegate(QStyledItemDelegate):
    def __init__(self, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.picture_width = 110
        #: While a banner says the image server is failing, failed cards show a quiet
        #: placeholder instead of a red badge each.
        self.quiet_failures = False
        #: Set by the view to the card plus its gutter; invalid until the view lays out.
        self.cell_size = QSize()
        self._font = QFont()
        self._small_font = QFont()
        self._small_font.setPointSizeF(max(7.0, self._font.pointSizeF() * 0.85))

    def geometry(self) -> CardGeometry:
        return CardGeometry(self.picture_width, QFontMetrics(self._small_font).height())

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        # The view's cell (card plus the gutter before it), so QListView's item rects tile
        # the viewport and the card can sit with an even gutter on every side.
        return QSize(self.cell_size) if self.cell_size.isValid() else self.geometry().size

    def card_rect(self, cell: QRect) -> QRect:
        """The card inside its cell: in the bottom-right corner, so the gutter before it
        (left and above) is the cell's spare width and height, the same for every card."""
        size = self.geometry().size
        card = QRect(0, 0, size.width(), size.height())
        card.moveBottomRight(cell.bottomRight())
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
        self._paint_position(painter, geometry, picture_rect, index.data(ImageRoles.Position))
        if image.is_thumbnail:
            self._paint_star(painter, geometry.star_rect(picture_rect))
        if geometry.text_lines:
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

    def _paint_position(self, painter: QPainter, geometry: CardGeometry, picture: QRect,
                        position: int) -> None:
        painter.setFont(self._small_font)
        text = str(position)
        pill = geometry.pill_rect(picture, QFontMetrics(self._small_font).horizontalAdvance(text))
        if pill is None:
            return
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(32, 33, 36, 190))
        painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
        painter.setPen(QColor("white"))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)

    @staticmethod
    def _paint_star(painter: QPainter, box: QRectF) -> None:
        radius = box.width() / 2
        center = box.center()
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
