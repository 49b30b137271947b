"""The store's products, fetched a page at a time as the list scrolls (fetchMore).

Each row shows the product's primary picture and its image count; both load lazily for the
rows that are painted, like the image grid's pictures. `total` is how many products the store
has for the current search, for the "12 products match “mug”" line.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPixmap
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from app.api.models import Product
from app.services.problems import clip
from app.services.session import StoreSession
from app.services.store_sync import describe_synced
from app.services.tasks import Task
from app.ui.plain_text import tooltip

Index = QModelIndex | QPersistentModelIndex
PAGE_SIZE = 50
PICTURE_SIZE = QSize(44, 58)


def _one_line(name: str) -> str:
    """A name from the store as one line of sane length (a tile has two lines: name, counts)."""
    return clip(name, 200)


class ProductRoles:
    Product = Qt.ItemDataRole.UserRole + 1
    ProductId = Qt.ItemDataRole.UserRole + 2
    ImageCount = Qt.ItemDataRole.UserRole + 3


class ProductListModel(QAbstractListModel):
    loadingChanged = Signal(bool)
    loadFailed = Signal(object)    # the Exception; problems.explain() words it
    totalChanged = Signal()        # `total` is known, or unknown again after a new search

    def __init__(self, session: StoreSession, parent: Any = None) -> None:
        super().__init__(parent)
        self._session = session
        self._products: list[Product] = []
        self._row_of: dict[int, int] = {}
        self._keyword = ""
        self._next_page = 1
        self._exhausted = False
        self._failed = False  # a failed page waits for reload(), or the view would re-ask forever
        self._page_task: Task | None = None
        self._total_task: Task | None = None
        #: How many products match the current search, once known.
        self.total: int | None = None
        self.last_error: Exception | None = None
        # Image counts by product id, kept across searches; each asked for once per reload.
        self._counts: dict[int, int] = {}
        #: Products kept for offline use -> when last synced (see set_kept_offline).
        self._kept_offline: dict[int, float | None] = {}
        self._count_requested: set[int] = set()
        #: While True, rows ask the store for neither their picture nor their image count
        #: (see hold_side_work).
        self._side_work_held = False
        self._pictures: dict[str, QIcon] = {}  # by versioned URL: a new picture, a new key
        self._pictures_asked: set[str] = set()  # URLs asked of the loader (see extras_loading)
        self._blank: QIcon | None = None
        app = QGuiApplication.instance()
        #: Pictures are asked for at this many device pixels per pixel (2 on a HiDPI screen).
        self.device_pixel_ratio = app.devicePixelRatio() if app is not None else 1.0
        session.side_pictures.loaded.connect(self._on_picture)

    @property
    def keyword(self) -> str:
        return self._keyword

    @property
    def loading(self) -> bool:
        return self._page_task is not None

    def set_keyword(self, keyword: str, force: bool = False) -> None:
        """Starts a new search (name or SKU); answers for the previous one are dropped."""
        keyword = keyword.strip()
        if keyword == self._keyword and self._products and not force:
            return
        for task in (self._page_task, self._total_task):
            if task is not None:
                task.cancel()
        self._page_task = self._total_task = None
        self.total = None
        self.last_error = None
        self.beginResetModel()
        self._keyword = keyword
        self._products = []
        self._row_of = {}
        self._next_page = 1
        self._exhausted = False
        self._failed = False
        self.endResetModel()
        self.fetchMore(QModelIndex())  # first, so listeners see "loading", never "empty"
        self.totalChanged.emit()

    @property
    def failed(self) -> bool:
        return self._failed

    def reload(self) -> None:
        self._counts.clear()
        self._count_requested.clear()
        self.set_keyword(self._keyword, force=True)

    def product_at(self, row: int) -> Product:
        return self._products[row]

    def row_of(self, product_id: int) -> int | None:
        return self._row_of.get(product_id)

    # ---- paging -------------------------------------------------------------------------

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return (not parent.isValid() and not self._exhausted and not self._failed
                and self._page_task is None)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        page, keyword = self._next_page, self._keyword or None
        self._page_task = self._session.load_products(
            keyword, page, PAGE_SIZE, on_success=self._on_page, on_failure=self._on_page_failed)
        self.loadingChanged.emit(True)

    def _on_page(self, products: list[Product]) -> None:
        self._page_task = None
        first_page = self._next_page == 1
        self._next_page += 1
        if len(products) < PAGE_SIZE:
            self._exhausted = True
            if first_page:
                self._set_total(len(products))
        elif first_page:  # more pages: the store counts them
            self._total_task = self._session.count_products(
                self._keyword or None, on_success=self._set_total,
                on_failure=lambda error: None)  # the line then says "50+ products"
        fresh = [p for p in products if p.id not in self._row_of]
        if fresh:
            first = len(self._products)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            for offset, product in enumerate(fresh):
                self._row_of[product.id] = first + offset
            self._products.extend(fresh)
            self.endInsertRows()
        self.loadingChanged.emit(False)

    def _set_total(self, total: int) -> None:
        self._total_task = None
        self.total = total
        self.totalChanged.emit()

    def _on_page_failed(self, error: Exception) -> None:
        self._page_task = None
        self._failed = True
        self.last_error = error
        self.loadingChanged.emit(False)
        self.loadFailed.emit(error)

    # ---- Qt model API -------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._products)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._products):
            return None
        product = self._products[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{_one_line(product.name)}\n{self._subtitle(product)}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{_one_line(product.name)}, {self._subtitle(product)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            # Escaped: a tooltip guesses rich text, and a name is whatever the store holds.
            return tooltip(f"{_one_line(product.name)}\n{self._subtitle(product)} · "
                           f"id {product.id}")
        if role == Qt.ItemDataRole.DecorationRole:
            return self._picture(product)
        if role == ProductRoles.Product:
            return product
        if role == ProductRoles.ProductId:
            return product.id
        if role == ProductRoles.ImageCount:
            return self._image_count(product)
        return None

    def _subtitle(self, product: Product) -> str:
        count = self._image_count(product)
        images = "… images" if count is None else f"{count} image{'s' if count != 1 else ''}"
        kept = self._kept_offline
        offline = f" · offline, {describe_synced(kept[product.id])}" \
            if product.id in kept else ""
        return f"{clip(product.sku, 60) if product.sku else 'no SKU'} · {images}{offline}"

    def set_kept_offline(self, synced: dict[int, float | None]) -> None:
        """The products kept offline and when each was last synced (their subtitle says
        "offline, synced 2 h ago")."""
        self._kept_offline = dict(synced)
        if self._products:
            self.dataChanged.emit(self.index(0), self.index(len(self._products) - 1), [
                Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole,
                Qt.ItemDataRole.ToolTipRole])

    def hold_side_work(self) -> None:
        """Rows ask for no picture and no image count until `release_side_work`: a store's
        first product gets the connections and the CPU first (the list's ten pictures and
        counts, fetched and decoded meanwhile, delayed its first screen by ~15 ms)."""
        self._side_work_held = True

    def release_side_work(self) -> None:
        if not self._side_work_held:
            return
        self._side_work_held = False
        if self._products:  # painted rows now ask for what they show
            self.dataChanged.emit(self.index(0), self.index(len(self._products) - 1),
                                  [Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.DisplayRole])

    @property
    def side_work_held(self) -> bool:
        return self._side_work_held

    def extras_loading(self) -> bool:
        """Whether painted rows still wait for a picture or an image count they asked for
        (a failed one waits for ever: callers bound their wait), or are held back."""
        return (self._side_work_held
                or any(url not in self._pictures for url in self._pictures_asked)
                or any(pid not in self._counts for pid in self._count_requested))

    def _image_count(self, product: Product) -> int | None:
        count = self._counts.get(product.id, product.image_count)
        if count is None and not self._side_work_held and \
                product.id not in self._count_requested:
            # Asked once per reload, failures included: the per-product count endpoint is not
            # on every store, and a repaint must not turn into a stream of requests.
            self._count_requested.add(product.id)
            self._session.count_product_images(
                product.id,
                on_success=lambda count, pid=product.id: self.update_image_count(pid, count),
                on_failure=lambda error: None)
        return count

    def update_image_count(self, product_id: int, count: int) -> None:
        self._counts[product_id] = count
        row = self._row_of.get(product_id)
        if row is None:
            return
        index = self.index(row)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole,
                                             Qt.ItemDataRole.AccessibleTextRole])

    def set_device_pixel_ratio(self, ratio: float) -> None:
        """A new screen density: pictures are asked for again at the new size."""
        if ratio != self.device_pixel_ratio:
            self.device_pixel_ratio = ratio
            self._pictures.clear()
            self._pictures_asked.clear()
            self._blank = None
            if self._products:
                self.dataChanged.emit(self.index(0), self.index(len(self._products) - 1),
                                      [Qt.ItemDataRole.DecorationRole])

    def _device_picture_size(self) -> QSize:
        return QSize(round(PICTURE_SIZE.width() * self.device_pixel_ratio),
                     round(PICTURE_SIZE.height() * self.device_pixel_ratio))

    def _picture(self, product: Product) -> QIcon:
        box = self._device_picture_size()
        primary = product.primary_image
        url = primary.rendition_url(box.width()) if primary else None
        icon = self._pictures.get(url) if url else None
        if icon is not None:
            return icon
        if url and not self._side_work_held:
            self._pictures_asked.add(url)
            self._session.side_pictures.request(("product", product.id), url, box)
        # A blank tile keeps every row's text aligned while loading, or with no picture.
        return self._placeholder

    @property
    def _placeholder(self) -> QIcon:
        if self._blank is None:
            blank = QPixmap(self._device_picture_size())
            blank.setDevicePixelRatio(self.device_pixel_ratio)
            blank.fill(QColor("#f1f3f4"))
            self._blank = untinted_icon(blank)
        return self._blank

    def _on_picture(self, key: object, url: str, image: QImage, box_width: int) -> None:
        if not (isinstance(key, tuple) and key[0] == "product"):
            return
        product_id = key[1]
        pixmap = QPixmap.fromImage(image)
        # The box it was scaled for says how dense it is (a late answer from before a change
        # of screen keeps its own density, so it is never drawn at twice its size).
        pixmap.setDevicePixelRatio(max(1.0, box_width / PICTURE_SIZE.width()))
        self._pictures[url] = untinted_icon(pixmap)
        row = self._row_of.get(product_id)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


class ProductTileDelegate(QStyledItemDelegate):
    """Tiles as wide as the list, whatever the name: a long name is elided, never a reason
    for a horizontal scroll bar (the list gives every row the viewport's width at least)."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(1, super().sizeHint(option, index).height())


def untinted_icon(pixmap: QPixmap) -> QIcon:
    """An icon that looks the same selected: the view would tint a plain pixmap with the
    selection colour, which changes the product's picture."""
    icon = QIcon()
    for mode in (QIcon.Mode.Normal, QIcon.Mode.Selected, QIcon.Mode.Active):
        icon.addPixmap(pixmap, mode)
    return icon
