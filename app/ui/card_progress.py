"""What an upload's card says while it is not on the store yet: waiting, uploading n %,
cancelling, or failed, drawn as a band across the bottom of its picture box.

The card delegate calls `paint_upload` after the card's own parts; only the few cards of
uploads under way have anything to draw, so nothing here is cached.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen

from app.services.image_state import NO_ID, Badge
from app.ui.image_model import ImageRoles, PictureState

Index = QModelIndex | QPersistentModelIndex

BAND_BACKGROUND = QColor(255, 255, 255, 230)
TRACK = QColor("#dadce0")
FILL = QColor("#1a73e8")
TEXT = QColor("#3c4043")
FAILED = QColor("#d93025")
PICTURE_BACKGROUND = QColor("#f1f3f4")
GLYPH = QColor("#9aa0a6")
BAR_HEIGHT = 4
#: Narrower picture boxes show the bar only: the words would not fit.
MIN_WORDS_WIDTH = 80
#: Words for a band too narrow for the first ones.
SHORTER = {"Waiting to upload": "Waiting", "Upload failed": "Failed"}


def upload_words(index: Index) -> tuple[str, float | None] | None:
    """(what the card says, the fraction of its file sent, if known), or None for a card
    that is not an upload under way."""
    image = index.data(ImageRoles.Image)
    if image is None or image.id != NO_ID:
        return None
    if index.data(ImageRoles.UploadCancelling):
        return "Cancelling…", None
    badge = index.data(ImageRoles.SyncBadge)
    if badge is Badge.SENDING:
        fraction = index.data(ImageRoles.UploadProgress)
        if fraction is None:
            return "Uploading…", None
        return f"Uploading {int(fraction * 100)} %", fraction  # 100 % only once all left
    if badge is Badge.WAITING:
        return "Waiting to upload", None
    if badge is Badge.FAILED:
        return "Upload failed", None
    return None


def paint_upload(painter: QPainter, picture: QRect, index: Index, font: QFont,
                 keep_clear: QRectF | None = None) -> None:
    """Draws the upload band of `index`'s card over the bottom of `picture`, left of
    `keep_clear` (the sync mark's corner); nothing for other cards."""
    words = upload_words(index)
    if words is None:
        return
    text, fraction = words
    if index.data(ImageRoles.PictureState) == PictureState.NONE:
        # Not "No picture": its picture is on its way. The glyph covers the card's sync mark
        # too, which the band says in words, so the band may take the whole width.
        _paint_upload_glyph(painter, picture)
        keep_clear = None
    metrics = QFontMetrics(font)
    show_words = picture.width() >= MIN_WORDS_WIDTH
    right = picture.right() + 1 - 4
    if keep_clear is not None:
        right = min(right, int(keep_clear.left()) - 4)
    if metrics.horizontalAdvance(text) > right - picture.left() - 12:
        # Beside the sync mark (a card showing its picture) the words are cut to what counts.
        text = SHORTER.get(text, f"{int(fraction * 100)} %" if fraction is not None else text)
    failed = text in ("Upload failed", "Failed")
    band_height = (metrics.height() + 4 if show_words else 0) + BAR_HEIGHT + 6
    if failed:
        band_height -= BAR_HEIGHT + 2
    band = QRectF(picture.left() + 4, picture.bottom() + 1 - 4 - band_height,
                  max(8, right - picture.left() - 4), band_height)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(BAND_BACKGROUND)
    painter.drawRoundedRect(band, 4, 4)
    if show_words:
        painter.setFont(font)
        painter.setPen(FAILED if failed else TEXT)
        line = QRectF(band.left() + 4, band.top() + 2, band.width() - 8, metrics.height())
        painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(text, Qt.TextElideMode.ElideRight,
                                            int(line.width())))
    if not failed:  # the red mark and the tooltip say the rest
        track = QRectF(band.left() + 4, band.bottom() - 3 - BAR_HEIGHT, band.width() - 8,
                       BAR_HEIGHT)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(TRACK)
        painter.drawRoundedRect(track, BAR_HEIGHT / 2, BAR_HEIGHT / 2)
        if fraction:
            done = QRectF(track.left(), track.top(),
                          max(BAR_HEIGHT, track.width() * fraction), BAR_HEIGHT)
            painter.setBrush(FILL)
            painter.drawRoundedRect(done, BAR_HEIGHT / 2, BAR_HEIGHT / 2)
    painter.restore()


def _paint_upload_glyph(painter: QPainter, picture: QRect) -> None:
    """An arrow rising out of a tray, over the picture box's placeholder."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.fillRect(picture, PICTURE_BACKGROUND)
    side = min(picture.width(), picture.height()) * 0.32
    centre = QPointF(picture.center().x() + 0.5, picture.top() + picture.height() * 0.42)
    pen = QPen(GLYPH, max(1.5, side / 10), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
               Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    top = QPointF(centre.x(), centre.y() - side / 2)
    painter.drawLine(QPointF(centre.x(), centre.y() + side * 0.2), top)
    painter.drawLine(top, QPointF(centre.x() - side * 0.3, top.y() + side * 0.3))
    painter.drawLine(top, QPointF(centre.x() + side * 0.3, top.y() + side * 0.3))
    tray_y = centre.y() + side * 0.45
    painter.drawPolyline([QPointF(centre.x() - side / 2, tray_y - side * 0.25),
                          QPointF(centre.x() - side / 2, tray_y),
                          QPointF(centre.x() + side / 2, tray_y),
                          QPointF(centre.x() + side / 2, tray_y - side * 0.25)])
    painter.restore()
