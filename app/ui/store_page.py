"""The store's page: products on the left, the chosen product's image grid, details on the right."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (QLabel, QLineEdit, QListView, QSplitter, QVBoxLayout, QWidget)

from app.api.models import Product, ProductImage
from app.services.session import StoreSession, describe_error
from app.services.tasks import Task
from app.ui.details_pane import DetailsPane
from app.ui.image_grid import ImageGridView
from app.ui.image_model import ImageListModel, ImageRoles
from app.ui.product_model import PICTURE_SIZE, ProductListModel, ProductRoles

MIN_GRID_COLUMNS = 3  # at the default card size, even in a 900 px wide window


class StorePage(QWidget):
    productOpened = Signal(object)        # Product | None
    imagesLoaded = Signal(int, int)       # product id, image count
    imagesFailed = Signal(str)
    selectionCountChanged = Signal(int)

    def __init__(self, session: StoreSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._images_task: Task | None = None
        self.current_product: Product | None = None
        self._pending_product_id: int | None = None
        self.images_ready = False
        self.images_failed = False

        # Products
        self.search_field = QLineEdit()
        self.search_field.setPlaceholderText("Search products by name or SKU")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setAccessibleName("Search products")
        self._search_timer = QTimer(self, singleShot=True, interval=300)
        self._search_timer.timeout.connect(self._apply_search)
        self.search_field.textChanged.connect(self._search_timer.start)
        self.product_model = ProductListModel(session, self)
        self.product_view = QListView()
        self.product_view.setModel(self.product_model)
        self.product_view.setIconSize(PICTURE_SIZE)
        self.product_view.setUniformItemSizes(True)
        self.product_view.setSpacing(2)
        self.product_view.setAccessibleName("Products")
        self.product_view.selectionModel().currentChanged.connect(self._product_chosen)
        self.product_status = QLabel("")
        self.product_status.setWordWrap(True)
        self.product_status.setAccessibleName("Product list status")
        self.product_model.loadingChanged.connect(self._products_loading)
        self.product_model.loadFailed.connect(self._products_failed)
        self.product_model.rowsInserted.connect(self._products_arrived)
        products = QWidget()
        products_layout = QVBoxLayout(products)
        products_layout.setContentsMargins(0, 0, 0, 0)
        products_layout.addWidget(self.search_field)
        products_layout.addWidget(self.product_view, 1)
        products_layout.addWidget(self.product_status)

        # Images
        self.image_model = ImageListModel(session.thumbnails, self)
        self.grid = ImageGridView()
        self.grid.set_loader(session.thumbnails)
        self.grid.set_preview_loader(session.side_pictures)
        self.grid.setModel(self.image_model)
        self.grid.selectionModel().selectionChanged.connect(self._selection_changed)
        self.image_model.dataChanged.connect(self._pictures_changed)
        self.grid_header = QLabel("Choose a product to see its images.")
        self.grid_header.setAccessibleName("Image grid heading")
        grid_area = QWidget()
        grid_layout = QVBoxLayout(grid_area)
        grid_layout.setContentsMargins(0, 0, 0, 0)
        grid_layout.addWidget(self.grid_header)
        grid_layout.addWidget(self.grid, 1)

        # Details
        self.details = DetailsPane()
        self.details.set_loader(session.side_pictures)
        self.details.set_inspector(session.inspect_rendition)

        # The grid keeps three default cards across; the side panes give way to it.
        grid_area.setMinimumWidth(self.grid.width_for_columns(MIN_GRID_COLUMNS))
        products.setMinimumWidth(180)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(products)
        splitter.addWidget(grid_area)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 760, 280])
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)

    def start(self, product_id: int | None = None) -> None:
        """Loads the first page of products; opens `product_id`, else the first product."""
        self._pending_product_id = product_id
        self.product_model.set_keyword("")
        if product_id is not None:
            self.open_product_id(product_id)

    # ---- products -----------------------------------------------------------------------

    def _apply_search(self) -> None:
        self.product_model.set_keyword(self.search_field.text())

    def _products_loading(self, loading: bool) -> None:
        self.product_status.setText("Loading products…" if loading else
                                    ("" if self.product_model.rowCount() else
                                     "No products match." if self.product_model.keyword
                                     else "This store has no products."))
        self.product_status.setStyleSheet("")

    def _products_failed(self, message: str) -> None:
        self.product_status.setText(f"Products could not be loaded. {message}")
        self.product_status.setStyleSheet("color: #d93025;")
        if self.image_model.product_id is None:
            self.grid_header.setText("No products to show yet: see the message under the "
                                     "product list, then press Refresh (F5).")

    def _products_arrived(self) -> None:
        if self.current_product is None and self._pending_product_id is None:
            # Show something at once: the first product's images.
            self.product_view.setCurrentIndex(self.product_model.index(0))
        elif self._pending_product_id is not None:
            row = self.product_model.row_of(self._pending_product_id)
            if row is not None:
                self.product_view.selectionModel().blockSignals(True)
                self.product_view.setCurrentIndex(self.product_model.index(row))
                self.product_view.selectionModel().blockSignals(False)
                self.current_product = self.product_model.product_at(row)
                self._pending_product_id = None
                self._update_header()  # the images may have come first
                self.productOpened.emit(self.current_product)

    def _product_chosen(self) -> None:
        index = self.product_view.currentIndex()
        if index.isValid():
            self._pending_product_id = None
            self.open_product(index.data(ProductRoles.Product))

    def open_product(self, product: Product) -> None:
        self.current_product = product
        self.productOpened.emit(product)
        self.open_product_id(product.id, product.name)

    def open_product_id(self, product_id: int, name: str | None = None) -> None:
        """Shows a product's images; answers for the previous product are dropped."""
        if self._images_task is not None:
            self._images_task.cancel()
        self.images_ready = False
        self.images_failed = False
        self.image_model.set_images(product_id, [])
        self.details.show_image(None)
        self.grid_header.setText(f"Loading the images of {name or f'product {product_id}'}…")
        self._images_task = self.session.load_images(
            product_id,
            on_success=lambda images, pid=product_id: self._images_arrived(pid, images),
            on_failure=self._images_failed)

    def refresh(self) -> None:
        """Loads the images again, and the product list too if it had failed."""
        if self.product_model.failed:
            self.product_model.reload()
        self.reload_images()

    def reload_images(self) -> None:
        if self.image_model.product_id is not None:
            self.open_product_id(self.image_model.product_id,
                                 self.current_product.name if self.current_product else None)

    def _images_arrived(self, product_id: int, images: list[ProductImage]) -> None:
        self._images_task = None
        self.image_model.set_images(product_id, images)
        self.images_ready = True
        self.product_model.update_image_count(product_id, len(images))
        self._update_header()
        if images:
            # Keyboard focus starts on the first card, but nothing is selected: the details
            # pane shows the product at a glance until the merchant picks a card.
            self.grid.selectionModel().setCurrentIndex(
                self.image_model.index(0), QItemSelectionModel.SelectionFlag.NoUpdate)
        self._show_details()
        self.selectionCountChanged.emit(0)
        self.imagesLoaded.emit(product_id, len(images))

    @property
    def image_count(self) -> int | None:
        """How many images the shown product has, once they are loaded."""
        if not self.images_ready or self.images_failed:
            return None
        return self.image_model.rowCount()

    def _update_header(self) -> None:
        product_id = self.image_model.product_id
        if product_id is None or self.image_count is None:
            return
        name = self.current_product.name if self.current_product and \
            self.current_product.id == product_id else f"Product {product_id}"
        count = self.image_count
        self.grid_header.setText(f"{name}: {count} image{'s' if count != 1 else ''}"
                                 if count else f"{name} has no images yet.")

    def _images_failed(self, error: Exception) -> None:
        self._images_task = None
        self.images_ready = True
        self.images_failed = True
        message = describe_error(error)
        self.grid_header.setText(f"The images could not be loaded. {message}")
        self.imagesFailed.emit(message)

    # ---- selection and details ----------------------------------------------------------

    def _selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        self.selectionCountChanged.emit(len(self.grid.selectionModel().selectedIndexes()))
        self._show_details()

    def _pictures_changed(self, first, last, roles) -> None:  # type: ignore[no-untyped-def]
        """A picture of the multi-selection strip arrived: show it."""
        rows = sorted(index.row() for index in self.grid.selectionModel().selectedIndexes())
        if len(rows) > 1 and any(first.row() <= row <= last.row() for row in rows[:4]):
            self._show_details()

    def _show_details(self) -> None:
        """The details pane shows what is selected: one image, a summary, or the product."""
        rows = sorted(index.row() for index in self.grid.selectionModel().selectedIndexes())
        model = self.image_model
        if not rows:
            if self.images_ready and not self.images_failed:
                self.details.show_overview(model.images())
            else:
                self.details.show_image(None)
        elif len(rows) == 1:
            index = model.index(rows[0])
            self.details.show_image(index.data(ImageRoles.Image), rows[0] + 1,
                                    model.rowCount(), index.data(Qt.ItemDataRole.DecorationRole))
        else:
            self.details.show_selection(
                [model.image_at(row) for row in rows], model.rowCount(),
                [model.index(row).data(Qt.ItemDataRole.DecorationRole) for row in rows[:4]])

    def sizeHint(self) -> QSize:
        return QSize(1280, 800)
