"""A store's first product gets the network and the CPU before the product list's extras.

When a store opens, its product list fills at the same time as the first product's grid, and
each row asks for a picture and an image count: ten more downloads, decodes and requests
competing with the twenty pictures of the grid's first screen (measured: ~15 ms later, on 2
cores). The merchant looks at the grid first, so the list's extras wait until every card on
screen has its picture (or a failure), until the product fails or has no image, or for
`HEAD_START_MS` at most.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QObject, QTimer

from app.ui.image_grid import ImageGridView
from app.ui.product_model import ProductListModel

#: The longest the product list waits, whatever becomes of the first screen.
HEAD_START_MS = 1500


class SideWorkHold(QObject):
    """Holds `products`' pictures and counts until `grid`'s first screen is in."""

    def __init__(self, grid: ImageGridView, products: ProductListModel,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._grid = grid
        self._products = products
        self._model: QAbstractItemModel | None = None
        self._timer = QTimer(self, singleShot=True, interval=HEAD_START_MS)
        self._timer.timeout.connect(self.release)

    def start(self) -> None:
        self._products.hold_side_work()
        self._timer.start()
        self._model = self._grid.model()
        if self._model is not None:
            self._model.dataChanged.connect(self._pictures_arrived)

    def release(self) -> None:
        """Also for "nothing more will come": the product failed, or has no images."""
        if not self._products.side_work_held:
            return
        self._timer.stop()
        if self._model is not None:
            self._model.dataChanged.disconnect(self._pictures_arrived)
            self._model = None
        self._products.release_side_work()

    def _pictures_arrived(self, *_: object) -> None:
        # Only after an arrival: before the grid's first layout no row is visible, and
        # "every visible card is settled" would hold for nothing.
        if self._grid.visible_rows() and self._grid.visible_pictures_settled()[0]:
            self.release()
