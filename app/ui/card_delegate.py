"""Draws one image card: picture, position, thumbnail star, description snippet, badges.

One delegate paints every card (calibre's grid does the same); nothing per card is a widget,
which keeps a 1000-image product as cheap to scroll as a 10-image one.

What does not change from card to card is drawn once and blitted: the card's frame with its
picture box and placeholder (per size, look and device pixel ratio), the star, the position
pills, and the wrapped lines of each description. A card's paint is then a few blits, the
picture and two lines of text (benchmarks/card_paint.py measures it).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from math import ceil, cos, pi, sin
from typing import Callable, Hashable

from PySide6.QtCore import (QModelIndex, QPersistentModelIndex, QPoint, QPointF, QRect, QRectF,
                            QSize, QSizeF, Qt)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.api.models import ProductImage
from app.services.image_state import Badge
from app.ui.card_progress import paint_upload
from app.ui.image_model import ImageRoles, PictureState

Index = QModelIndex | QPersistentModelIndex

PICTURE_ASPECT = 1.3  # the CDN's portrait boxes (44x58, 220x290, 386x513) are ~3:4
PADDING = 8
TEXT_LINES = 2
MIN_TEXT_WIDTH = 80  # narrower cards hide their alt text: two words would not fit
FRAME_MARGIN = 2  # the frame's pen reaches this far outside the card rect
#: How many small drawn parts (pills, stars) and wrapped descriptions are kept: a pill for
#: each position of the largest product (1000), so scrolling it never redraws them.
PART_CACHE_SIZE = 1100
LINE_CACHE_SIZE = 4096
#: The drawn descriptions of a few screens of cards (a 386 px card's two lines are ~50 kB).
TEXT_CACHE_BYTES = 8 * 1024 * 1024

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

    def sync_rect(self, picture: QRect) -> QRectF:
        """The sync mark (waiting, sending, failed), in the picture's bottom-right corner:
        clear of the position pill and the star at the top."""
        star = self.star_rect(picture)
        inset = star.top() - picture.top()
        return QRectF(star.left(), picture.bottom() + 1 - inset - star.height(),
                      star.width(), star.height())

    def pill_rect(self, picture: QRect, text_width: int) -> QRectF | None:
        """The position pill in the top-left corner; None where it would touch the star
        (small cards: the position is in the tooltip and the details instead)."""
        inset = 4.0
        pill = QRectF(picture.left() + inset, picture.top() + inset, text_width + 10,
                      self.line_height + 2)
        if pill.right() + inset > self.star_rect(picture).left():
            return None
        return pill


class _Lru:
    """A small LRU of drawn parts; keys say everything the drawing depends on. Bounded by
    the sum of the entries' cost (1 each unless `cost` says otherwise, e.g. bytes)."""

    def __init__(self, capacity: int, cost: Callable[[object], int] = lambda _: 1) -> None:
        self.capacity = capacity
        self._cost = cost
        self._total = 0
        self._entries: OrderedDict[Hashable, object] = OrderedDict()

    def get(self, key: Hashable) -> object | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: Hashable, value: object) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self._total -= self._cost(old)
        self._entries[key] = value
        self._total += self._cost(value)
        while self._total > self.capacity and len(self._entries) > 1:
            self._total -= self._cost(self._entries.popitem(last=False)[1])

    def clear(self) -> None:
        self._entries.clear()
        self._total = 0


def _pixmap_bytes(pixmap: object) -> int:
    return pixmap.width() * pixmap.height() * 4 if isinstance(pixmap, QPixmap) else 0


def _transparent_pixmap(size: QSizeF, ratio: float) -> QPixmap:
    pixmap = QPixmap(ceil(size.width() * ratio), ceil(size.height() * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    return pixmap


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
        self._small_metrics = QFontMetrics(self._small_font)
        self._parts = _Lru(PART_CACHE_SIZE)  # pills and stars: small
        self._bases: dict[tuple[tuple[bool, bool, bool], str], QPixmap] = {}
        self._bases_size: tuple[object, ...] = ()
        self._lines = _Lru(LINE_CACHE_SIZE)
        self._texts = _Lru(TEXT_CACHE_BYTES, _pixmap_bytes)
        self._geometry = CardGeometry(self.picture_width, self._small_metrics.height())

    def geometry(self) -> CardGeometry:
        if self._geometry.picture_width != self.picture_width:
            self._geometry = CardGeometry(self.picture_width, self._small_metrics.height())
        return self._geometry

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
        state: PictureState = index.data(ImageRoles.PictureState)
        pixmap: QPixmap | None = index.data(Qt.ItemDataRole.DecorationRole)
        has_picture = pixmap is not None and not pixmap.isNull()
        if has_picture:
            look = "picture"
        elif state == PictureState.FAILED:
            look = "quiet" if self.quiet_failures else "error"
        else:
            look = "none" if state == PictureState.NONE else "loading"
        ratio = painter.device().devicePixelRatioF()
        painter.drawPixmap(card.topLeft() - QPoint(FRAME_MARGIN, FRAME_MARGIN),
                           self._card_base(geometry, card.size(), option.state, look, ratio))
        picture_rect = geometry.picture_rect(card)
        if has_picture:
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            self._paint_picture(painter, picture_rect, pixmap)
            painter.restore()
        pill = self._pill(geometry, picture_rect, index.data(ImageRoles.Position), ratio)
        if pill is not None:
            painter.drawPixmap(pill[0], pill[1])
        if image.is_thumbnail:
            star = geometry.star_rect(picture_rect)
            painter.drawPixmap(star.topLeft() - QPointF(1, 1), self._star(star.size(), ratio))
        badge = index.data(ImageRoles.SyncBadge)
        if badge is not None and badge is not Badge.NONE:
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint_sync(painter, geometry.sync_rect(picture_rect), badge)
            painter.restore()
            paint_upload(painter, picture_rect, index, self._small_font,
                         geometry.sync_rect(picture_rect))
        if geometry.text_lines:
            text_rect = geometry.text_rect(card)
            painter.drawPixmap(text_rect.topLeft(), self._description(text_rect.size(), image,
                                                                      ratio))

    def paint_uncached(self, painter: QPainter, option: QStyleOptionViewItem,
                       index: Index) -> None:
        """Draws every part afresh: what `paint` drew before its parts were cached, kept as
        the baseline of benchmarks/card_paint.py and the reference of the look tests."""
        image: ProductImage | None = index.data(ImageRoles.Image)
        if image is None:
            return
        geometry = self.geometry()
        card = self.card_rect(option.rect)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self._paint_frame(painter, QRectF(card), *_flags(option.state))
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
        badge = index.data(ImageRoles.SyncBadge)
        if badge is not None and badge is not Badge.NONE:
            self._paint_sync(painter, geometry.sync_rect(picture_rect), badge)
            paint_upload(painter, picture_rect, index, self._small_font,
                         geometry.sync_rect(picture_rect))
        if geometry.text_lines:
            self._paint_description(painter, geometry.text_rect(card), image, cached=False)
        painter.restore()

    # ---- parts drawn once ---------------------------------------------------------------

    def _card_base(self, geometry: CardGeometry, size: QSize, state: QStyle.StateFlag,
                   look: str, ratio: float) -> QPixmap:
        """The frame, the picture box and what stands in for a missing picture."""
        flags = _flags(state)
        size_key = (geometry, size.width(), size.height(), ratio)
        if size_key != self._bases_size:  # a few big pixmaps per size: keep one size's only
            self._bases.clear()
            self._bases_size = size_key
        cached = self._bases.get((flags, look))
        if cached is not None:
            return cached
        pixmap = _transparent_pixmap(QSizeF(size.width() + 2 * FRAME_MARGIN,
                                            size.height() + 2 * FRAME_MARGIN), ratio)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = QRect(FRAME_MARGIN, FRAME_MARGIN, size.width(), size.height())
        self._paint_frame(painter, QRectF(card), *flags)
        picture_rect = geometry.picture_rect(card)
        painter.fillRect(picture_rect, PICTURE_BACKGROUND)
        if look == "error":
            self._paint_error_badge(painter, geometry.badge_rect(card))
        elif look in ("quiet", "none"):
            self._paint_placeholder(painter, picture_rect, "No picture")
        elif look == "loading":
            self._paint_placeholder(painter, picture_rect, "Loading…")
        painter.end()
        self._bases[(flags, look)] = pixmap
        return pixmap

    def _pill(self, geometry: CardGeometry, picture: QRect, position: int,
              ratio: float) -> tuple[QPointF, QPixmap] | None:
        """The position pill and where it goes, or None where it does not fit."""
        key = ("pill", position, geometry.line_height, ratio)
        cached = self._parts.get(key)
        # The text's width is kept with its pixmap: measuring it shapes the text (~10 µs).
        width = cached[0] if isinstance(cached, tuple) else \
            self._small_metrics.horizontalAdvance(str(position))
        pill = geometry.pill_rect(picture, width)
        if pill is None:
            return None
        if not isinstance(cached, tuple):
            pixmap = _transparent_pixmap(pill.size(), ratio)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint_pill(painter, QRectF(QPointF(0, 0), pill.size()), str(position))
            painter.end()
            cached = (width, pixmap)
            self._parts.put(key, cached)
        return pill.topLeft(), cached[1]

    def _star(self, size: QSizeF, ratio: float) -> QPixmap:
        key = ("star", size.width(), ratio)
        cached = self._parts.get(key)
        if isinstance(cached, QPixmap):
            return cached
        pixmap = _transparent_pixmap(size + QSizeF(2, 2), ratio)  # room for the outline
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_star(painter, QRectF(QPointF(1, 1), size))
        painter.end()
        self._parts.put(key, pixmap)
        return pixmap

    def _description(self, size: QSize, image: ProductImage, ratio: float) -> QPixmap:
        key = (image.description, size.width(), size.height(), ratio)
        cached = self._texts.get(key)
        if isinstance(cached, QPixmap):
            return cached
        pixmap = _transparent_pixmap(QSizeF(size), ratio)
        painter = QPainter(pixmap)
        self._paint_description(painter, QRect(QPoint(0, 0), size), image)
        painter.end()
        self._texts.put(key, pixmap)
        return pixmap

    # ---- drawing ------------------------------------------------------------------------

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
        text = str(position)
        pill = geometry.pill_rect(picture, self._small_metrics.horizontalAdvance(text))
        if pill is not None:
            self._paint_pill(painter, pill, text)

    def _paint_pill(self, painter: QPainter, pill: QRectF, text: str) -> None:
        painter.setFont(self._small_font)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(32, 33, 36, 190))
        painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
        painter.setPen(QColor("white"))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)

    @staticmethod
    def _paint_sync(painter: QPainter, box: QRectF, badge: Badge) -> None:
        """A clock (waiting), an up arrow (being sent) or a red "!" (failed; the card's
        tooltip says why). Drawn, not cached: only the few cards with changes have one."""
        fill, ink = {Badge.WAITING: (QColor("white"), MUTED_TEXT),
                     Badge.SENDING: (SELECTION, QColor("white")),
                     Badge.FAILED: (ERROR, QColor("white"))}[badge]
        painter.setPen(QPen(ink if badge is Badge.WAITING else fill, 1))
        painter.setBrush(fill)
        painter.drawEllipse(box)
        centre, r = box.center(), box.width() / 2
        pen = QPen(ink, max(1.2, r / 5), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if badge is Badge.WAITING:   # clock hands: three o'clock
            painter.drawLine(centre, QPointF(centre.x(), centre.y() - r * 0.6))
            painter.drawLine(centre, QPointF(centre.x() + r * 0.45, centre.y()))
        elif badge is Badge.SENDING:  # an arrow up: on its way to the store
            top = QPointF(centre.x(), centre.y() - r * 0.55)
            painter.drawLine(QPointF(centre.x(), centre.y() + r * 0.55), top)
            painter.drawLine(top, QPointF(centre.x() - r * 0.4, centre.y() - r * 0.15))
            painter.drawLine(top, QPointF(centre.x() + r * 0.4, centre.y() - r * 0.15))
        else:                         # "!"
            painter.drawLine(QPointF(centre.x(), centre.y() - r * 0.55),
                             QPointF(centre.x(), centre.y() + r * 0.1))
            painter.drawPoint(QPointF(centre.x(), centre.y() + r * 0.5))

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

    def _paint_description(self, painter: QPainter, rect: QRect, image: ProductImage,
                           cached: bool = True) -> None:
        text = image.description or "No alt text"
        key = (text, rect.width())
        lines = self._lines.get(key) if cached else None
        if not isinstance(lines, tuple):
            lines = self._wrap(text, rect.width())
            if cached:
                self._lines.put(key, lines)
        painter.setFont(self._small_font)
        painter.setPen(QColor("#202124") if image.description else MISSING_ALT)
        height = self._small_metrics.height()
        for number, line in enumerate(lines):
            painter.drawText(QRect(rect.left(), rect.top() + number * height, rect.width(),
                                   height),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line)

    def _wrap(self, text: str, width: int) -> tuple[str, ...]:
        """`text` wrapped to TEXT_LINES lines of `width` pixels, the last one elided."""
        metrics = self._small_metrics
        words = text.split()
        lines: list[str] = []
        current = ""
        for word in words:
            candidate = f"{current} {word}".strip()
            if metrics.horizontalAdvance(candidate) <= width or not current:
                current = candidate
            else:
                lines.append(current)
                current = word
            if len(lines) == TEXT_LINES:
                break
        if len(lines) < TEXT_LINES and current:
            lines.append(current)
        remaining = " ".join(words)
        shown: list[str] = []
        for number, line in enumerate(lines[:TEXT_LINES]):
            is_last = number == TEXT_LINES - 1 or number == len(lines) - 1
            shown.append(metrics.elidedText(remaining if is_last else line,
                                            Qt.TextElideMode.ElideRight, width))
            remaining = remaining[len(line):].strip()
        return tuple(shown)


def _flags(state: QStyle.StateFlag) -> tuple[bool, bool, bool]:
    """(selected, hovered, focused): all a card's frame depends on."""
    return (bool(state & QStyle.StateFlag.State_Selected),
            bool(state & QStyle.StateFlag.State_MouseOver),
            bool(state & QStyle.StateFlag.State_HasFocus))
