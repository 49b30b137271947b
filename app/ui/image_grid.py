"""The grid of image cards: a QListView in ListMode flowing left to right and wrapping.

IconMode would move cards to pixel positions on a drop instead of reordering rows, so the
grid is ListMode with wrapping (as calibre's cover grid). The view tells the model how big a
picture box is, and tells the thumbnail loader which cards are on screen so requests for
cards that scrolled away are dropped.

Pictures arriving repaint only their own cards: QListView answers any dataChanged by
repainting the whole viewport, and paints every card in the bounding box of the dirty region,
each in Python; the view instead marks the changed cards' rects dirty and paints the region
rect by rect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import (QCoreApplication, QEvent, QMimeData, QModelIndex, QPoint, QRect,
                            QSize, Qt, QTimer, Signal)
from PySide6.QtGui import (QContextMenuEvent, QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent,
                           QDropEvent, QKeyEvent, QMouseEvent, QPaintEvent, QWheelEvent)
from PySide6.QtWidgets import QAbstractItemView, QListView, QMenu, QStyle, QWidget

from app.api.models import ProductImage
from app.services.image_state import display_order
from app.ui.card_delegate import PICTURE_ASPECT, CardDelegate, CardGeometry
from app.ui.grid_drag import CardDragging
from app.ui.image_context_menu import ImageContextMenu
from app.ui.image_model import ImageListModel, ImageRoles, PictureState
from app.ui.card_sizes import DEFAULT_PICTURE_WIDTH, MAX_PICTURE_WIDTH, MIN_PICTURE_WIDTH
from app.ui.loupe import Loupe

if TYPE_CHECKING:
    from app.services.thumbnails import ThumbnailLoader

__all__ = ["DEFAULT_PICTURE_WIDTH", "MAX_PICTURE_WIDTH", "MIN_PICTURE_WIDTH", "ImageGridView"]

ZOOM_STEP = 1.25
MIN_GAP = 8        # pixels between cards, at least
MAX_ROW_GAP = 16   # rows stay close even when one wide column leaves a wide gutter
#: Roles that change only how a card's picture looks, never its size or text.
PICTURE_ROLES = frozenset({int(Qt.ItemDataRole.DecorationRole), int(ImageRoles.PictureState)})


class ImageGridView(QListView):
    pictureWidthChanged = Signal(int)
    #: The merchant dropped these cards (row keys, in grid order) before this row (row count:
    #: at the end). The page makes it a move; the rows move when the queue's state comes back.
    rowsDropped = Signal(list, int)
    #: Anything else dropped on the grid (files, links, picture data), before this row: the
    #: adding screen's hook. Drags with urls or image data show the same insertion line.
    externalDrop = Signal(QMimeData, int)

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
            "Ctrl+A selects all, Esc clears it. Space shows the image large; the Menu key "
            "or Shift+F10 opens its menu. Ctrl+plus and Ctrl+minus change the size.")
        self._delegate = CardDelegate(self)
        self.setItemDelegate(self._delegate)
        self._loader: ThumbnailLoader | None = None
        self._prefetched_for: int | None = None  # the product whose first screen was guessed
        self._preview_loader: ThumbnailLoader | None = None
        self._visible_timer = QTimer(self, singleShot=True, interval=0)
        self._visible_timer.timeout.connect(self._report_visible)
        self.verticalScrollBar().valueChanged.connect(self._visible_timer.start)
        self.picture_width = DEFAULT_PICTURE_WIDTH
        #: The card menu; editing screens add their verbs with add_actions / add_section.
        self.context_menu = ImageContextMenu(self)
        self.context_menu.previewRequested.connect(self._preview_image_id)
        self.preview: Loupe | None = None
        #: Drag to reorder, and where drops land (see app/ui/grid_drag.py).
        self.dragging = CardDragging(self)

    def set_reorderable(self, reorderable: bool) -> None:
        """Cards can be dragged to reorder them (only when changes can be kept)."""
        self.dragging.reorderable = reorderable

    def set_loader(self, loader: ThumbnailLoader | None) -> None:
        self._loader = loader

    def set_card_delegate(self, delegate: CardDelegate) -> None:
        """Paints the cards with `delegate` (e.g. one that also edits a caption in place)."""
        delegate.picture_width = self._delegate.picture_width
        delegate.cell_size = QSize(self._delegate.cell_size)
        self._delegate = delegate
        self.setItemDelegate(delegate)

    def set_preview_loader(self, loader: ThumbnailLoader | None) -> None:
        """The loader of the large preview's pictures (not the grid's: its requests are
        dropped as cards scroll away)."""
        self._preview_loader = loader
        if self.preview is not None:
            self.preview.set_loader(loader)

    def image_model(self) -> ImageListModel | None:
        model = self.model()
        return model if isinstance(model, ImageListModel) else None

    def setModel(self, model) -> None:  # type: ignore[no-untyped-def, override]
        super().setModel(model)
        if isinstance(model, ImageListModel):
            model.set_picture_size(self._device_picture_size())
            model.modelReset.connect(self._visible_timer.start)
            model.modelReset.connect(self.close_preview)
            self.preview = Loupe(model, self)
            self.preview.set_loader(self._preview_loader)
            self.preview.rowChanged.connect(self._preview_moved)

    # ---- large preview, menu, keys ------------------------------------------------------

    def open_preview(self, index: QModelIndex | None = None) -> None:
        """Shows the image of `index` (default: the current card) over the grid."""
        index = index if index is not None and index.isValid() else self.currentIndex()
        if self.preview is None or not index.isValid():
            return
        self.setCurrentIndex(index)  # selects it, so the details pane shows the same image
        self.preview.open_at(index.row())

    def close_preview(self) -> None:
        if self.preview is not None:
            self.preview.close_loupe()

    def preview_is_open(self) -> bool:
        return self.preview is not None and self.preview.isVisible()

    def _preview_image_id(self, image_id: int) -> None:
        model = self.image_model()
        if model is not None:
            self.open_preview(model.index_of(image_id))

    def _preview_moved(self, row: int) -> None:
        index = self.model().index(row, 0)
        self.setCurrentIndex(index)
        self.scrollTo(index)

    def selected_images(self) -> list[ProductImage]:
        """The selected images in display order."""
        rows = sorted(index.row() for index in self.selectionModel().selectedIndexes())
        model = self.image_model()
        return [model.image_at(row) for row in rows] if model is not None else []

    def show_context_menu(self, index: QModelIndex, global_position: QPoint) -> QMenu | None:
        """The menu for `index`'s card: for the whole selection if the card is in it."""
        if not index.isValid():
            return None
        if not self.selectionModel().isSelected(index):
            self.setCurrentIndex(index)  # right-click on an unselected card selects it
        return self.context_menu.popup(self.selected_images(), global_position, self)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if event.reason() == QContextMenuEvent.Reason.Mouse:
            index = self.indexAt(event.pos())
            position = event.globalPos()
        else:
            index = self.currentIndex()
            position = self.viewport().mapToGlobal(self.card_rect(index).center())
        if self.show_context_menu(index, position) is not None:
            event.accept()
        else:
            event.ignore()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and event.button() == Qt.MouseButton.LeftButton:
            self.open_preview(index)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, modifiers = event.key(), event.modifiers()
        if key == Qt.Key.Key_Escape and self.selectionModel().hasSelection():
            self.clearSelection()
        elif key == Qt.Key.Key_Space and not modifiers:
            self.open_preview()
        elif key == Qt.Key.Key_Menu or (key == Qt.Key.Key_F10 and modifiers
                                        == Qt.KeyboardModifier.ShiftModifier):
            index = self.currentIndex()
            self.show_context_menu(index, self.viewport().mapToGlobal(
                self.card_rect(index).center()))
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    # ---- drag and drop (app/ui/grid_drag.py) ---------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        super().mousePressEvent(event)  # a press on a selected card keeps the selection
        self.dragging.mouse_pressed(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if not self.dragging.mouse_moved(event):
            super().mouseMoveEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.dragging.drag_entered(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self.dragging.drag_moved(event)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.dragging.drag_left()
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        self.dragging.dropped(event)

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
            # A hidden row (a filter) has no rect: the next shown row stands for it.
            shown = middle
            while shown < count and self.isRowHidden(shown):
                shown += 1
            if (shown < count
                    and self.visualRect(model.index(shown, 0)).bottom() < viewport.top()):
                low = middle + 1
            else:
                high = middle
        row = low
        while row < count and (self.isRowHidden(row) or self.visualRect(
                model.index(row, 0)).top() <= viewport.bottom()):
            row += 1
        return range(low, row)

    def visible_image_ids(self) -> list[int]:
        """The image ids of the cards on screen (hidden rows left out)."""
        model = self.model()
        return [model.index(row, 0).data(ImageRoles.ImageId) for row in self.visible_rows()
                if not self.isRowHidden(row)]

    def visible_pictures_settled(self) -> tuple[bool, int]:
        """(every visible card has loaded or failed, how many failed)."""
        model = self.model()
        failed = 0
        for row in self.visible_rows():
            if self.isRowHidden(row):
                continue
            state = model.index(row, 0).data(ImageRoles.PictureState)
            if state == PictureState.LOADING:
                return False, failed
            failed += state == PictureState.FAILED
        return True, failed

    def cards_per_screen(self) -> int:
        """How many cards the viewport shows at once, a partly visible row included. While
        the grid is hidden behind a "Loading…" panel (a QStackedWidget sizes only the page it
        shows), the panel's place is where it will be."""
        viewport = self.viewport().size()
        parent = self.parentWidget()
        if not self.isVisible() and parent is not None:
            frame = 2 * self.frameWidth()
            scroll_bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
            area = parent.contentsRect().size()
            viewport = QSize(area.width() - frame - scroll_bar, area.height() - frame)
        card = self._delegate.geometry().size
        columns = self.columns_for_width(viewport.width())
        gutter = max(0, (viewport.width() - columns * card.width()) // (columns + 1))
        rows = viewport.height() // max(1, card.height() + min(gutter, MAX_ROW_GAP)) + 1
        return columns * rows

    def first_screen_prefetch(self) -> Callable[[list[ProductImage]], None] | None:
        """A thread-safe function that, given the first images a listing brings, starts
        loading the pictures of the cards that will fill the screen, at the size the cards
        will ask for: for `StoreSession.load_images(on_first_page=…)`, called after the model
        was emptied for the product. The rest of a long listing (and its boundary check) then
        no longer delays the first pictures; a wrong guess costs a few downloads, dropped by
        the next `retain` if they have not started."""
        loader, model = self._loader, self.image_model()
        if loader is None or model is None or model.product_id == self._prefetched_for:
            return None  # the same product again (a reload): its pictures are still in RAM
        self._prefetched_for = model.product_id
        if self.window().isVisible():
            # A page just shown has its layout pending: settle it, so the count is right.
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        count, size, generation = self.cards_per_screen(), QSize(model.picture_size), \
            loader.generation

        def prefetch(images: list[ProductImage]) -> None:
            # Last first: the loader is a stack, so the first card's picture starts first.
            for image in reversed(display_order(images)[:count]):
                url = image.rendition_url(size.width())
                if url is not None:
                    loader.prefetch(image.id, url, size, generation)

        return prefetch

    def _report_visible(self) -> None:
        if self._loader is not None and self.image_model() is not None:
            self._loader.retain(self.visible_image_ids())

    def _fit_grid(self) -> None:
        """Spreads the columns over the whole width with the same gutter everywhere.

        n cards and n + 1 gutters fill the viewport: each cell is a card plus the gutter to
        its left, and the card sits in the cell's right corner, so the left edge, the gaps
        between cards and the right edge are equal (to a pixel or two of rounding). Rows get
        the same gutter, capped so one wide column does not float in empty space.
        """
        card = self._delegate.geometry().size
        width = self.viewport().width()
        columns = self.columns_for_width(width)
        # MIN_GAP decides the number of columns; a card wider than the view minus two
        # gaps still gets equal (narrower) gutters.
        gutter = max(0, (width - columns * card.width()) // (columns + 1))
        cell = QSize(card.width() + gutter, card.height() + min(gutter, MAX_ROW_GAP))
        if cell != self._delegate.cell_size or cell != self.gridSize():
            self._delegate.cell_size = cell
            self.setGridSize(cell)
            self.scheduleDelayedItemsLayout()
        self._visible_timer.start()

    def columns_for_width(self, viewport_width: int) -> int:
        card = self._delegate.geometry().size
        return max(1, (viewport_width - MIN_GAP) // (card.width() + MIN_GAP))

    def width_for_columns(self, columns: int, picture_width: int = DEFAULT_PICTURE_WIDTH) -> int:
        """The view width (frame and scroll bar included) that fits `columns` cards."""
        card = CardGeometry(picture_width, self._delegate.geometry().line_height).size
        scroll_bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return (columns * card.width() + (columns + 1) * MIN_GAP + scroll_bar
                + 2 * self.frameWidth())

    def card_rect(self, index: QModelIndex) -> QRect:
        """Where the card of `index` is drawn, in viewport coordinates."""
        return self._delegate.card_rect(self.visualRect(index))

    def indexAt(self, point: QPoint) -> QModelIndex:
        # A click in a gutter is a click on the background, not on the card beside it.
        index = super().indexAt(point)
        if index.isValid() and not self.card_rect(index).contains(point):
            return QModelIndex()
        return index

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self._fit_grid()


    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        model = self.image_model()
        if model is not None:
            model.set_picture_size(self._device_picture_size())

    # ---- repainting only what changed ---------------------------------------------------

    def dataChanged(self, top_left: QModelIndex, bottom_right: QModelIndex,  # type: ignore[override]
                    roles: list[int] = []) -> None:  # noqa: B006 - Qt's signature
        if not roles or not {int(role) for role in roles} <= PICTURE_ROLES:
            super().dataChanged(top_left, bottom_right, roles)
            return
        # A picture arrived (or failed): only its card changes look, not size or text.
        rows = self.visible_rows()
        first, last = max(top_left.row(), rows.start), min(bottom_right.row(), rows.stop - 1)
        viewport = self.viewport()
        for row in range(first, last + 1):
            viewport.update(self.visualRect(self.model().index(row, 0)))

    def paintEvent(self, event: QPaintEvent) -> None:
        # QListView paints every card in the dirty region's bounding rect: for a region of a
        # few scattered cards, paint it one rect at a time instead.
        region = event.region()
        bounds = region.boundingRect()
        rects = list(region)
        if len(rects) > 1 and _area(rects) * 2 < bounds.width() * bounds.height():
            for rect in rects:
                super().paintEvent(QPaintEvent(rect))
            return
        super().paintEvent(event)

    # ---- retry on the error badge -------------------------------------------------------

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.dragging.mouse_released()
        index = self.indexAt(event.position().toPoint())
        model = self.image_model()
        if (index.isValid() and model is not None and event.button() == Qt.MouseButton.LeftButton
                and index.data(ImageRoles.PictureState) == PictureState.FAILED):
            badge = self._delegate.geometry().badge_rect(self.card_rect(index))
            if badge.adjusted(-30, -4, 30, 24).contains(event.position().toPoint()):
                model.retry_picture(index.data(ImageRoles.ImageId))
        super().mouseReleaseEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.DevicePixelRatioChange:
            model = self.image_model()
            if model is not None:
                model.set_picture_size(self._device_picture_size())
        return super().event(event)


def _area(rects: list[QRect]) -> int:
    return sum(rect.width() * rect.height() for rect in rects)
