"""The grid of image cards: a QListView in ListMode flowing left to right and wrapping.

IconMode would move cards to pixel positions on a drop instead of reordering rows, so the
grid is ListMode with wrapping (as calibre's cover grid). The view tells the model how big a
picture box is, and tells the thumbnail loader which cards are on screen so requests for
cards that scrolled away are dropped.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from app.services.thumbnails import ThumbnailLoader
from app.ui.card_delegate import PICTURE_ASPECT, CardDelegate
from app.ui.image_model import ImageListModel, ImageRoles, PictureState

MIN_PICTURE_WIDTH = 44    # the CDN's tiny rendition, shown 1:1
MAX_PICTURE_WIDTH = 386   # the thumbnail rendition
DEFAULT_PICTURE_WIDTH = 110
ZOOM_STEP = 1.25
MIN_GAP = 8        # pixels between cards, at least
GRID_MARGIN = 2


class ImageGridView(QListView):
    pictureWidthChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setSpacing(0)  # the grid size (see _fit_grid) spaces the cards
        self.setContentsMargins(0, 0, 0, 0)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionRectVisible(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setMouseTracking(True)
        self.setAccessibleName("Product images")
        self.setAccessibleDescription(
            "Images in storefront order. Arrow keys move, Shift extends the selection, "
            "Ctrl+A selects all, Ctrl+plus and Ctrl+minus change the size.")
        self._delegate = CardDelegate(self)
        self.setItemDelegate(self._delegate)
        self._loader: ThumbnailLoader | None = None
        self._visible_timer = QTimer(self, singleShot=True, interval=0)
        self._visible_timer.timeout.connect(self._report_visible)
        self.verticalScrollBar().valueChanged.connect(self._visible_timer.start)
        self.picture_width = DEFAULT_PICTURE_WIDTH

    def set_loader(self, loader: ThumbnailLoader | None) -> None:
        self._loader = loader

    def image_model(self) -> ImageListModel | None:
        model = self.model()
        return model if isinstance(model, ImageListModel) else None

    def setModel(self, model) -> None:  # type: ignore[no-untyped-def, override]
        super().setModel(model)
        if isinstance(model, ImageListModel):
            model.set_picture_size(self._device_picture_size())
            model.modelReset.connect(self._visible_timer.start)

    # ---- size ---------------------------------------------------------------------------

    @property
    def picture_width(self) -> int:
        return self._delegate.picture_width

    @picture_width.setter
    def picture_width(self, width: int) -> None:
        width = max(MIN_PICTURE_WIDTH, min(MAX_PICTURE_WIDTH, int(width)))
        if width == self._delegate.picture_width and self.model() is not None:
            return
        self._delegate.picture_width = width
        model = self.image_model()
        if model is not None:
            model.set_picture_size(self._device_picture_size())
        self._fit_grid()
        self._visible_timer.start()
        self.pictureWidthChanged.emit(width)

    def _device_picture_size(self) -> QSize:
        ratio = self.devicePixelRatioF()
        width = round(self.picture_width * ratio)
        return QSize(width, round(width * PICTURE_ASPECT))

    def zoom_in(self) -> None:
        self.picture_width = round(self.picture_width * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.picture_width = round(self.picture_width / ZOOM_STEP)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.picture_width = round(self.picture_width * ZOOM_STEP ** steps)
            event.accept()
            return
        super().wheelEvent(event)

    # ---- what is on screen --------------------------------------------------------------

    def visible_rows(self) -> range:
        """The rows whose cards intersect the viewport.

        Cards are laid out in row order, so their bottoms never decrease: a binary search
        finds the first visible one, then a short walk finds the end.
        """
        model = self.model()
        if model is None or model.rowCount() == 0:
            return range(0)
        viewport = self.viewport().rect()
        count = model.rowCount()
        low, high = 0, count
        while low < high:
            middle = (low + high) // 2
            if self.visualRect(model.index(middle, 0)).bottom() < viewport.top():
                low = middle + 1
            else:
                high = middle
        row = low
        while row < count and self.visualRect(model.index(row, 0)).top() <= viewport.bottom():
            row += 1
        return range(low, row)

    def visible_image_ids(self) -> list[int]:
        model = self.model()
        return [model.index(row, 0).data(ImageRoles.ImageId) for row in self.visible_rows()]

    def visible_pictures_settled(self) -> tuple[bool, int]:
        """(every visible card has loaded or failed, how many failed)."""
        model = self.model()
        failed = 0
        for row in self.visible_rows():
            state = model.index(row, 0).data(ImageRoles.PictureState)
            if state == PictureState.LOADING:
                return False, failed
            failed += state == PictureState.FAILED
        return True, failed

    def _report_visible(self) -> None:
        if self._loader is not None and self.image_model() is not None:
            self._loader.retain(self.visible_image_ids())

    def _fit_grid(self) -> None:
        """Spreads the columns over the whole width instead of leaving a ragged gap.

        Each grid cell gets an equal share of the viewport; the delegate centres its card in
        the cell. Setting the grid size also relayouts the uniform-size cache.
        """
        card = self._delegate.geometry().size
        available = max(1, self.viewport().width() - 2 * GRID_MARGIN)
        columns = max(1, available // (card.width() + MIN_GAP))
        cell_width = max(card.width() + MIN_GAP, available // columns)
        grid = QSize(cell_width, card.height() + MIN_GAP)
        if grid != self.gridSize():
            self.setGridSize(grid)
        self._visible_timer.start()

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self._fit_grid()

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        model = self.image_model()
        if model is not None:
            model.set_picture_size(self._device_picture_size())

    # ---- retry on the error badge -------------------------------------------------------

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        index = self.indexAt(event.position().toPoint())
        model = self.image_model()
        if (index.isValid() and model is not None and event.button() == Qt.MouseButton.LeftButton
                and index.data(ImageRoles.PictureState) == PictureState.FAILED):
            badge = self._delegate.geometry().badge_rect(self._delegate.card_rect(self.visualRect(index)))
            if badge.adjusted(-30, -4, 30, 24).contains(event.position().toPoint()):
                model.retry_picture(index.data(ImageRoles.ImageId))
        super().mouseReleaseEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.DevicePixelRatioChange:
            model = self.image_model()
            if model is not None:
                model.set_picture_size(self._device_picture_size())
        return super().event(event)
