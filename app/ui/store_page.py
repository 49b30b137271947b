"""The store's page: products on the left, the chosen product's image grid, details on the right.

Each area speaks inside itself: the product list and the grid each have a `MessagePanel` that
takes the area's place for a failure or a state (loading, empty), and the grid has a banner for
an image server that fails as a whole. Texts from the store are plain text.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from shiboken6 import isValid

from PySide6.QtCore import (QDate, QDateTime, QItemSelection, QItemSelectionModel, QLocale,
                            QModelIndex, QSize, QStandardPaths, Qt, QTimer, Signal)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QFileDialog, QLineEdit, QListView, QMenu, QSplitter,
                               QStackedWidget, QVBoxLayout, QWidget)

from app.api.models import Product, ProductImage
from app.services.picture_health import PictureHealth
from app.services.problems import Remedy, clip, explain
from app.api.errors import ApiError
from app.services.alt_text_batch import clean_alt_text
from app.services.edit_verbs import alt_text_edit, readd_edit
from app.services.write_queue import DELETED_ON_STORE
from app.services.image_state import ImageState, Phase, RowKey, ViewRow
from app.services.session import StoreSession, connection_after
from app.services.store_connection import StoreConnection
from app.services.tasks import Relay, Task
from app.ui.alt_text_filter import FilterBar, MissingAltTextFilter
from app.ui.batch_alt_text import BatchAltTextDialog
from app.ui.conflict_review import ConflictReview
from app.ui.card_editor import CardEditingDelegate, CardText, InPlaceAltText
from app.ui.details_pane import DetailsPane
from app.ui.image_editor import ImageEditor
from app.ui.image_grid import ImageGridView
from app.ui.image_model import ImageListModel, ImageRoles
from app.ui import shortcuts
from app.ui.shortcuts import ADD_IMAGES, PASTE_PICTURES, REFRESH, press_hint
from app.ui.side_work_hold import SideWorkHold
from app.ui.upload_controls import UploadControls
from app.ui.upload_drop_targets import PanelDropTarget, ProductDropTarget
from app.ui.upload_flow import UploadFlow
from app.ui.message_panel import MessageBanner, MessagePanel, PanelKind
from app.ui.offline_banner import OfflineBanner
from app.ui.page_verbs import ImageVerbs
from app.ui.plain_text import ElidedLabel, wrapping_label
from app.ui.product_model import (PICTURE_SIZE, ProductListModel, ProductRoles,
                                  ProductTileDelegate)

MAX_NAME = 120  # characters of a product name in a message title


def _images(count: int) -> str:
    return f"{count} image{'s' if count != 1 else ''}"


def _saved_when(saved_at: float) -> str:
    """"at 14:05 today", "on 28 Nov at 09:10": when a saved copy was made, in local time."""
    moment = QDateTime.fromSecsSinceEpoch(int(saved_at))
    locale = QLocale()
    clock = locale.toString(moment.time(), QLocale.FormatType.ShortFormat)
    if moment.date() == QDate.currentDate():
        return f"at {clock} today"
    return f"on {locale.toString(moment.date(), QLocale.FormatType.ShortFormat)} at {clock}"


def _products(count: int) -> str:
    return f"{count:,} product{'s' if count != 1 else ''}"

MIN_GRID_COLUMNS = 3  # at the default card size, even in a 900 px wide window
MIN_GRID_COLUMNS_BESIDE_DOCK = 2  # one gives way to an open side dock (Pending changes)
#: A state with this many pending changes costs milliseconds to show (a view of each, then
#: the diff), and the queue reports one per step of a 500-file drop: such states reach the
#: grid at most once a frame (the first at once, then the latest). Fewer: as they arrive.
MANY_PENDING = 20
STATE_BATCH_MS = 16
#: "Add images…": the store's formats first; any file may be chosen (the check says why not).
IMAGE_FILE_FILTER = ("Pictures (*.jpg *.jpeg *.png *.gif *.webp *.JPG *.JPEG *.PNG *.GIF *.WEBP);;"
                     "All files (*)")


class StorePage(QWidget):
    productOpened = Signal(object)        # Product | None
    imagesLoaded = Signal(object, int)    # product id (object: ids pass 2**31), image count
    imagesFailed = Signal(str)            # the problem's title
    #: The shown product's image count changed by an edit (product id, count).
    imageCountChanged = Signal(object, int)
    selectionCountChanged = Signal(int)
    #: The merchant pressed "Edit credentials" (a 401 or 403): the window edits the saved store.
    editCredentialsRequested = Signal()
    #: The image server's host while most pictures fail to load from it; "" once they load.
    picturesFailingChanged = Signal(str)

    def __init__(self, session: StoreSession, parent: QWidget | None = None, *,
                 open_first: int | None = None) -> None:
        """`open_first`: the product `start` will open; its listing leaves now, before the
        page's widgets are built (~20 ms), and `start` takes it over."""
        super().__init__(parent)
        self.session = session
        self._images_task: Task | None = None
        self._product_task: Task | None = None  # a product opened by id: its record
        #: The listing on screen while its page boundaries are being checked.
        self._unchecked: tuple[int, list[ProductImage]] | None = None
        #: The listing sent for `open_first` (its product, first-page relay, task) until
        #: `start` adopts it.
        self._early_listing: tuple[int, Relay[list[ProductImage]], Task] | None = None
        if open_first is not None and not session.offline:
            relay: Relay[list[ProductImage]] = Relay()
            self._early_listing = (open_first, relay,
                                   self._list_images(open_first, relay.deliver))
        self.current_product: Product | None = None
        self._pending_product_id: int | None = None
        self.images_ready = False
        self.images_failed = False
        self._health = PictureHealth()

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
        self.product_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.product_view.setItemDelegate(ProductTileDelegate(self.product_view))
        self.product_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.product_view.setAccessibleName("Products")
        self.product_view.selectionModel().currentChanged.connect(self._product_chosen)
        #: One line about the list: how many products (match the search), or that it loads.
        self.product_status = wrapping_label()
        self.product_status.setAccessibleName("Product list status")
        self.product_panel = MessagePanel("Product list")
        self.product_panel.actionTriggered.connect(self._product_panel_action)
        self.product_stack = QStackedWidget()
        self.product_stack.addWidget(self.product_view)
        self.product_stack.addWidget(self.product_panel)
        self.product_model.loadingChanged.connect(self._update_product_state)
        self.product_model.totalChanged.connect(self._update_product_state)
        self.product_model.loadFailed.connect(self._update_product_state)
        self.product_model.loadFailed.connect(self._products_failed)
        self.product_model.rowsInserted.connect(self._products_arrived)
        products = QWidget()
        products_layout = QVBoxLayout(products)
        products_layout.setContentsMargins(0, 0, 0, 0)
        products_layout.addWidget(self.search_field)
        products_layout.addWidget(self.product_status)
        products_layout.addWidget(self.product_stack, 1)

        # Images
        self.image_model = ImageListModel(session.thumbnails, self)
        self.grid = ImageGridView()
        self._shown_state: ImageState | None = None  # the queue's view of the shown product
        self._latest_state: ImageState | None = None  # arrived, not shown yet (next frame)
        self._state_timer = QTimer(self, singleShot=True, interval=STATE_BATCH_MS)
        self._state_timer.timeout.connect(self._apply_latest_state)
        #: The product overview in the details pane, once per burst of row changes.
        self._overview_timer = QTimer(self, singleShot=True, interval=STATE_BATCH_MS)
        self._overview_timer.timeout.connect(self._refresh_overview)
        self.grid.set_loader(session.thumbnails)
        self.grid.set_preview_loader(session.side_pictures)
        self.grid.setModel(self.image_model)
        self.grid.selectionModel().selectionChanged.connect(self._selection_changed)
        self.image_model.dataChanged.connect(self._pictures_changed)
        self.image_model.dataChanged.connect(self._image_data_changed)
        # A move (or a card added or deleted before it) changes the shown card's place:
        # "Position 4 of 8" must follow the number on its card.
        for signal in (self.image_model.rowsMoved, self.image_model.rowsInserted,
                       self.image_model.rowsRemoved):
            signal.connect(self._details_position_changed)
        #: Every edit goes through the editor (its undo stack, then the write queue); None when
        #: this session cannot keep changes.
        self.editor: ImageEditor | None = None
        #: The page's edit actions, for the window's Edit menu (and the grid's card menu).
        self.edit_actions: list[QAction] = []
        if session.queue is not None:
            self.editor = ImageEditor(session.queue, self)
            # The shown product's pending changes reach the grid row by row, never a reset.
            session.queue.stateChanged.connect(self._image_state_changed)
        self.grid_header = ElidedLabel()
        self.grid_header.setAccessibleName("Image grid heading")
        self.grid_panel = MessagePanel("Image grid")
        self.grid_panel.actionTriggered.connect(self._grid_panel_action)
        self.grid_stack = QStackedWidget()
        self.grid_stack.addWidget(self.grid)
        self.grid_stack.addWidget(self.grid_panel)
        self.pictures_banner = MessageBanner("Pictures")
        self.pictures_banner.actionTriggered.connect(self.retry_all_pictures)
        #: Why changes cannot be kept (the journal could not be opened), in the queue's words.
        self.changes_banner = MessageBanner("Changes")
        self.changes_banner.actionTriggered.connect(self.changes_banner.hide)
        #: The store could not be reached: the grid shows the copy saved on this computer.
        self.saved_copy_banner = MessageBanner("Saved copy")
        self.saved_copy_banner.actionTriggered.connect(self._ask_store_again)
        self.saved_copy_at: float | None = None
        #: Changes that met a store changed meanwhile: a banner, and the review dialog.
        self.conflict_review: ConflictReview | None = None
        if session.queue is not None:
            self.conflict_review = ConflictReview(self)
            session.queue.journalProblem.connect(self._journal_problem)
            session.queue.writesUnavailable.connect(self._writes_unavailable)
            session.queue.submitRefused.connect(  # a dropped file gone before it was kept
                lambda _product, _op, reason: self.changes_banner.show_message(reason, "Dismiss"))
            self.grid.context_menu.add_section(self._failed_change_actions)
        session.thumbnails.loaded.connect(self._picture_loaded)
        session.thumbnails.failed.connect(self._picture_failed)
        grid_area = QWidget()
        grid_layout = QVBoxLayout(grid_area)
        grid_layout.setContentsMargins(0, 0, 0, 0)
        grid_layout.addWidget(self.grid_header)
        grid_layout.addWidget(self.pictures_banner)
        grid_layout.addWidget(self.changes_banner)
        if self.conflict_review is not None:
            grid_layout.addWidget(self.conflict_review.banner)
        grid_layout.addWidget(self.saved_copy_banner)
        grid_layout.addWidget(self._build_alt_text())
        # The image verbs (reorder, thumbnail, delete) and the Undo bar of a delete.
        self.verbs: ImageVerbs | None = None
        if self.editor is not None:
            self.verbs = ImageVerbs(self)
            self.edit_actions.extend(self.verbs.actions)
            # While the alt-text filter hides cards, nothing is moved (it would land among
            # cards the merchant cannot see).
            self.alt_filter.changed.connect(self.verbs.update_availability)
            grid_layout.addWidget(self.verbs.undo_bar)
            # "Mug: 11 images" above the grid follows deletes and undone deletes.
            self.image_model.rowsRemoved.connect(self._count_changed)
            self.image_model.rowsInserted.connect(self._count_changed)
        #: Drops, pastes and "Add images…" on their way to the queue (None: no editing).
        self.uploads: UploadFlow | None = None
        self._empty_product = False   # the grid's place says "no images" (a drop fills it)
        if self.editor is not None:
            self.uploads = UploadFlow(self)
            self.uploads.notice.connect(self.editor.notice)
            grid_layout.addWidget(self.uploads.progress_strip)
            ProductDropTarget(self.product_view, self.uploads)
            PanelDropTarget(self.grid_panel, self.uploads)
            # Files, folders, addresses and picture data dropped between the cards land there.
            self.grid.externalDrop.connect(self.uploads.drop)
            self._build_upload_actions()
        grid_layout.addWidget(self.grid_stack, 1)

        # Details
        self.details = DetailsPane()
        self.details.set_loader(session.side_pictures)
        self.details.set_inspector(session.inspect_rendition)
        self.details.set_alt_text_editable(session.queue is not None)
        self.details.altTextSubmitted.connect(self._submit_alt_text)
        self.details.change_notice.retryClicked.connect(
            lambda: self._settle_failed_changes(self._failed_changes_in_details(), retry=True))
        self.details.change_notice.discardClicked.connect(
            lambda: self._settle_failed_changes(self._failed_changes_in_details(), retry=False))

        # The grid keeps three default cards across; the side panes give way to it.
        self._grid_area = grid_area
        self.keep_grid_columns(MIN_GRID_COLUMNS)
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
        #: Offline: since when, and what becomes of the merchant's changes (issue 10 §3).
        self.offline_banner = OfflineBanner(self)
        layout.addWidget(self.offline_banner)
        layout.addWidget(splitter, 1)
        #: Uploads once queued: progress on the cards, Cancel upload / Cancel all uploads.
        self.upload_controls: UploadControls | None = None
        if session.queue is not None:
            self.upload_controls = UploadControls(self, session.queue)
            self.edit_actions.append(self.upload_controls.cancel_all_action)
        self._show_grid_panel("Loading the store's products…", kind=PanelKind.LOADING)
        #: The product list's pictures and counts wait for the first product's first screen.
        self._side_work_hold = SideWorkHold(self.grid, self.product_model, self)
        self.imagesFailed.connect(lambda _: self._side_work_hold.release())
        self.imagesLoaded.connect(lambda _, count: None if count else
                                  self._side_work_hold.release())

    def start(self, product_id: int | None = None) -> None:
        """Loads the first page of products; opens `product_id`, else the first product."""
        self._pending_product_id = product_id
        if not self.session.offline:
            self._side_work_hold.start()
        self.product_model.set_keyword("")
        if self.session.saved_copy is not None:  # "offline, synced 2 h ago" in the list
            self.session.saved_copy.kept_offline(
                lambda kept: self.product_model.set_kept_offline(kept)
                if isValid(self.product_model) else None)
        if product_id is not None:
            self.open_product_id(product_id)

    # ---- products -----------------------------------------------------------------------

    def _apply_search(self) -> None:
        self.product_model.set_keyword(self.search_field.text())

    def _update_product_state(self) -> None:
        """The line above the list, and the list's panel when there is no list to show."""
        model = self.product_model
        rows = model.rowCount()
        keyword = clip(model.keyword, 40)
        if model.failed and not rows:
            self.product_status.setText("")
            problem = explain(model.last_error or Exception("unknown"), "the product list")
            if self._grid_shows(problem.title):
                # One message, not the same one twice side by side.
                self.product_panel.show_state("No products to show",
                                              "The same problem stops the product list from "
                                              "loading.")
            else:
                self.product_panel.show_problem(problem)
            self.product_stack.setCurrentWidget(self.product_panel)
            if self.image_model.product_id is None:
                self._show_grid_panel("No product to show",
                                      "The store's product list could not be loaded: see the "
                                      "message beside this one.")
            return
        self.product_stack.setCurrentWidget(self.product_view)
        if model.failed:
            self.product_status.setText(f"More products could not be loaded: "
                                        f"{press_hint(REFRESH)} to try again.")
        elif model.loading and not rows:
            self.product_status.setText(f"Searching for “{keyword}”…" if keyword
                                        else "Loading products…")
            if not keyword and self.image_model.product_id is None:
                self._show_grid_panel("Loading the store's products…", kind=PanelKind.LOADING)
        elif not rows and self.session.offline:
            self.product_status.setText(
                f"No product saved on this computer matches “{keyword}”." if keyword
                else "No product of this store is saved on this computer yet.")
            if not keyword and self.image_model.product_id is None:
                self._show_grid_panel(
                    "Nothing of this store is saved on this computer",
                    "Products you open are kept here for working offline. Go online to see "
                    "the store's products.")
        elif not rows:
            self.product_status.setText(f"No products match “{keyword}”." if keyword
                                        else "This store has no products.")
            if not keyword and self.image_model.product_id is None:
                self._show_grid_panel(
                    "This store has no products yet",
                    "Add products in the store's control panel, then reload the list.",
                    remedy=Remedy.RELOAD_PRODUCTS)
        else:
            total = model.total
            count = _products(total) if total is not None else f"{rows}+ products"
            if self.session.offline:
                count += " saved on this computer"
            if keyword:
                verb = "matches" if total == 1 else "match"
                self.product_status.setText(f"{count} {verb} “{keyword}”")
            else:
                self.product_status.setText(count)

    def _products_failed(self, _: Exception) -> None:
        if self.session.offline:
            # Asked before the store was found unreachable: the saved list answers instead.
            QTimer.singleShot(0, self.product_model.reload)

    def _product_panel_action(self, remedy: Remedy) -> None:
        if remedy is Remedy.EDIT_CREDENTIALS:
            self.editCredentialsRequested.emit()
        else:
            self.product_model.reload()

    def _products_arrived(self) -> None:
        self._update_product_state()
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
            elif self.current_product is None and self._product_task is None \
                    and not self.session.offline:
                # Opened by id and not on the list's first page: its own record gives the
                # header and the alt-text templates ({product}, {sku}) its name and SKU.
                self._product_task = self.session.load_product(
                    self._pending_product_id, on_success=self._product_record_arrived,
                    on_failure=lambda error: None)  # a later page of the list may bring it

    def _product_record_arrived(self, product: Product) -> None:
        self._product_task = None
        if self.current_product is None and self.image_model.product_id == product.id:
            self.current_product = product  # the list selects its row when it comes
            self._update_header()
            self.productOpened.emit(product)

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
        self.finish_editing()  # alt text being typed is saved before its card goes
        if self._images_task is not None:
            self._images_task.cancel()
        if self._product_task is not None:
            self._product_task.cancel()
            self._product_task = None
        self.images_ready = False
        self.images_failed = False
        self._unchecked = None
        self._empty_product = False
        self._set_pictures_failing(False)
        self._health.reset()
        self.image_model.set_images(product_id, [])
        self.details.show_empty()
        shown = name or f"product {product_id}"
        self._set_header(name or f"Product {product_id}")
        self._show_grid_panel(f"Loading the images of {clip(shown, MAX_NAME)}…",
                              kind=PanelKind.LOADING)
        self.saved_copy_at = None
        self.saved_copy_banner.hide()
        if not self.session.offline:
            self._ask_store(product_id, prefetch=True)
        # What this computer kept of it paints at once; the store's answer then changes only
        # the rows that differ.
        self._ask_saved_copy(product_id)

    def _ask_store_again(self) -> None:
        """Retry under a saved copy: the store is asked again while the copy stays."""
        product_id = self.image_model.product_id
        if product_id is None or self._images_task is not None:
            return
        self.saved_copy_banner.hide()
        self._ask_store(product_id, prefetch=False)

    def _ask_store(self, product_id: int, *, prefetch: bool) -> None:
        """The product's images from the store; `prefetch`: the grid starts its first
        screen's pictures with the listing's first page (not under a saved copy on screen,
        whose pictures are there already)."""
        early, self._early_listing = self._early_listing, None
        if early is not None:
            early_product, relay, task = early
            if early_product == product_id:
                self._images_task = task  # already on its way: the same answer, sooner
                prefetch_hook = self.grid.first_screen_prefetch() if prefetch else None
                if prefetch_hook is not None:
                    relay.attach(prefetch_hook)
                return
            task.cancel()
        self._images_task = self._list_images(
            product_id, self.grid.first_screen_prefetch() if prefetch else None)

    def _list_images(self, product_id: int,
                     on_first_page: Callable[[list[ProductImage]], None] | None) -> Task:
        asked_at = time.monotonic()
        return self.session.load_images(
            product_id,
            on_success=lambda images, pid=product_id: self._images_arrived(pid, images,
                                                                           asked_at),
            on_failure=self._images_failed, on_first_page=on_first_page,
            on_unchecked=lambda images, pid=product_id: self._unchecked_images_arrived(
                pid, images, asked_at))

    @property
    def showing_saved_copy(self) -> bool:
        """The grid shows what this computer kept, not (yet) the store's own answer."""
        return self.saved_copy_at is not None

    def _saved_images_arrived(self, product_id: int, images: list[ProductImage],
                              saved_at: float | None) -> None:
        # The window may have closed (and the page gone) while the answer was on its way.
        if not isValid(self.image_model) or product_id != self.image_model.product_id:
            return  # another product by now
        offline = self.session.offline
        if self.images_ready and not (offline and self.images_failed):
            return  # the store was faster (offline, the copy replaces its failure)
        if saved_at is None or not (images or offline):
            if offline:
                self._show_not_saved()
            return  # nothing was kept (an empty copy only stands in while offline)
        self.images_ready = self.images_failed = False  # the copy replaces a failure
        self.saved_copy_at = saved_at
        self._show_images(product_id, images, saved_copy=True)

    def _show_not_saved(self) -> None:
        """Offline, and this product was never saved here: said, not a spinner."""
        self.images_ready = True
        self.images_failed = True
        self._show_grid_panel(
            "This product is not saved on this computer",
            "Its images can be seen once the store can be reached. Next time, make the "
            "products you need available offline (File › Make available offline…) first.")

    def show_saved_copy_after_failure(self) -> None:
        """Gone offline: what failed to load from the store comes from disk instead."""
        if (self.product_model.failed or not self.product_model.rowCount()) \
                and not self.product_model.loading:
            self.product_model.reload()
        product_id = self.image_model.product_id
        if product_id is not None and self.images_failed:
            self._ask_saved_copy(product_id)

    def _ask_saved_copy(self, product_id: int) -> None:
        self.session.saved_images(
            product_id, lambda saved, pid=product_id: self._saved_images_arrived(pid, *saved))

    def use_store_again(self) -> None:
        """Back online: the list if it was missing, and the open product's images again
        (only the rows that differ change)."""
        if self.product_model.failed or not self.product_model.rowCount():
            self.product_model.reload()
        if self.image_model.product_id is None:
            return
        if self.images_failed or not self.images_ready:
            self.reload_images()
        else:
            self._ask_store_again()

    def refresh(self) -> None:
        """Loads the images again, and the product list too if it had failed or was empty."""
        if self.product_model.failed or not self.product_model.rowCount():
            self.product_model.reload()
        self.reload_images()

    def reload_images(self) -> None:
        product_id = self.image_model.product_id
        if product_id is not None:
            current = self.current_product
            self.open_product_id(product_id, current.name if current is not None
                                 and current.id == product_id else None)

    # ---- adding pictures -----------------------------------------------------------------

    def _build_upload_actions(self) -> None:
        keys = shortcuts.resolve(list(shortcuts.PAGE_COMMANDS))
        self._picture_folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.PicturesLocation)
        self.add_images_action = QAction(f"{ADD_IMAGES.name}…", self)
        self.add_images_action.setStatusTip("Add pictures from this computer to the product")
        self.add_images_action.triggered.connect(self.choose_images)
        # Ctrl+V takes pictures only while the grid has the focus: text fields paste text.
        self.paste_action = QAction(PASTE_PICTURES.name, self.grid)
        self.paste_action.setStatusTip("Add the copied pictures, files or picture addresses "
                                       "after the selected card")
        self.paste_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.paste_action.triggered.connect(self.paste_pictures)
        self.grid.addAction(self.paste_action)
        self.addAction(self.add_images_action)
        for action, command in ((self.add_images_action, ADD_IMAGES),
                                (self.paste_action, PASTE_PICTURES)):
            action.setShortcuts(keys[command])
            tip = action.statusTip()
            if keys[command]:
                tip += f" ({shortcuts.native_text(keys[command][0])})"
            action.setToolTip(tip)
            self.edit_actions.append(action)

    def choose_images(self) -> None:
        """"Add images…": the system's file dialog, several files at once."""
        if self.uploads is None or not self.image_model.product_id:
            return
        paths, _ = QFileDialog.getOpenFileNames(self, "Add images", self._picture_folder,
                                                IMAGE_FILE_FILTER)
        if paths:
            self._picture_folder = str(Path(paths[0]).parent)
            self.uploads.add_files(paths)

    def paste_pictures(self) -> None:
        if self.uploads is not None:
            self.uploads.paste()

    def product_name(self, product_id: int) -> str:
        return self._product_name(product_id)

    def _journal_problem(self, text: str) -> None:
        self.changes_banner.show_message(text, "Dismiss")

    def _writes_unavailable(self, text: str) -> None:
        # Nothing typed may be lost: with no journal, nothing is offered for editing.
        self.details.set_alt_text_editable(False)
        self._set_alt_text_editable(False)
        if self.verbs is not None:
            self.verbs.set_available(False)

    def _image_state_changed(self, product_id: int, state: ImageState) -> None:
        # Only the product on screen, and only once its own list is shown (not under the
        # "Loading…" panel of a product being opened).
        if product_id == self.image_model.product_id and self.images_ready:
            self._latest_state = state
            if len(state.pending) < MANY_PENDING:
                self._state_timer.stop()
                self._apply_latest_state()   # an everyday change: shown as it arrives
            elif not self._state_timer.isActive():
                self._apply_latest_state()   # the first of many: at once, the rest by frame

    def changes_shown(self) -> bool:
        """Whether the grid shows the last state the queue reported (none waits a frame)."""
        return self._latest_state is None

    def _apply_latest_state(self) -> None:
        state, self._latest_state = self._latest_state, None
        product_id = self.image_model.product_id
        if state is None or state.product_id != product_id or not self.images_ready:
            return
        if len(state.pending) >= MANY_PENDING:
            self._state_timer.start()   # the next one waits for the end of this frame
        self._shown_state = state
        before = self.image_model.rowCount()
        self.image_model.apply_state(state)
        if self.image_model.rowCount() != before and not self.images_failed:
            self._update_header()
            self.product_model.update_image_count(product_id, self.image_model.rowCount())
            if self._empty_product and self.image_model.rowCount():
                self._empty_product = False   # the first pictures were dropped in
                self.grid_stack.setCurrentWidget(self.grid)

    def failed_changes_of(self, images: list[ProductImage]) -> list[int]:
        """The op ids of the failed changes of these cards (what Retry and Discard act on)."""
        state = self._shown_state
        if state is None or state.snapshot.product_id != self.image_model.product_id:
            return []
        keys = {row.key for row in self.image_model.rows() if row.image in images}
        # A failed move names its cards by `order`, the other changes by `row_key`.
        return [pending.op.op_id for pending in state.pending
                if pending.sync.phase is Phase.FAILED
                and (getattr(pending.op, "row_key", None) in keys
                     or not keys.isdisjoint(getattr(pending.op, "order", ())))]

    def _failed_change_actions(self, menu: QMenu, images: list[ProductImage]) -> None:
        queue = self.session.queue
        op_ids = self.failed_changes_of(images)
        if queue is None or not op_ids:
            return
        menu.addSeparator()
        many = f" {len(op_ids)} failed changes" if len(op_ids) > 1 else " the failed change"
        retry = menu.addAction(f"Retry{many}")
        retry.triggered.connect(lambda: self._settle_failed_changes(op_ids, retry=True))
        discard = menu.addAction(f"Discard{many}")
        discard.setToolTip("Puts the card back as the store has it; nothing is sent.")
        discard.triggered.connect(lambda: self._settle_failed_changes(op_ids, retry=False))
        gone = self._deleted_on_store(images)
        if len(gone) == 1:
            again = menu.addAction("Add it again")
            again.setToolTip("Uploads the largest copy of the picture this app still has, "
                             "with its alt text, in the same place.")
            again.triggered.connect(lambda: self.add_again(gone[0]))

    def keep_grid_columns(self, columns: int) -> None:
        """The fewest default-size card columns the grid keeps; the side panes give way."""
        self._grid_area.setMinimumWidth(self.grid.width_for_columns(columns))

    def _show_details_change(self, index: QModelIndex) -> None:
        """The details pane says where the selected card's own changes are, with Retry and
        Discard beside a failure, as the card's menu has them."""
        self.details.show_change(index.data(ImageRoles.SyncBadge),
                                 index.data(ImageRoles.SyncReason) or "")

    def _failed_changes_in_details(self) -> list[int]:
        image = self.details.image
        return self.failed_changes_of([image]) if image is not None else []

    def _settle_failed_changes(self, op_ids: list[int], *, retry: bool) -> None:
        """Retry (send again) or Discard (put the cards back) failed changes."""
        queue = self.session.queue
        for op_id in op_ids if queue is not None else ():
            if retry:
                queue.retry(op_id)
            else:
                queue.revert(op_id)

    def _deleted_on_store(self, images: list[ProductImage]) -> list[ViewRow]:
        """The cards among `images` whose change failed because the store no longer has them."""
        state = self._shown_state
        if state is None:
            return []
        keys = {getattr(p.op, "row_key", None) for p in state.pending
                if p.sync.phase is Phase.FAILED and p.sync.reason == DELETED_ON_STORE}
        return [row for row in self.image_model.rows() if row.image in images and row.key in keys]

    def add_again(self, row: ViewRow) -> None:
        """A card deleted on the store comes back from the best picture still to be had; its
        failed changes are dropped (the new card carries its alt text and star)."""
        product_id = self.image_model.product_id
        if self.editor is None or product_id is None:
            return

        def recovered(path: Path) -> None:
            if self.image_model.product_id != product_id or self.editor is None:
                return
            failed = self.failed_changes_of([row.image])
            if self.editor.apply(product_id, readd_edit(self.view_rows(), row.key, path)):
                for op_id in failed:
                    self.session.queue.revert(op_id)  # type: ignore[union-attr]

        def failed(error: Exception) -> None:
            self.changes_banner.show_message(
                error.message if isinstance(error, ApiError) else
                f"The picture could not be added again: {error}", "Dismiss")

        self.session.recover_picture(row.image, on_success=recovered, on_failure=failed)

    def reload_products(self) -> None:
        """Forgets the open product (it may be gone) and opens the first one of a fresh list."""
        self.finish_editing()
        if self._images_task is not None:
            self._images_task.cancel()
            self._images_task = None
        self.current_product = None
        self._pending_product_id = None
        self._unchecked = None
        self.images_ready = self.images_failed = False
        self.image_model.set_images(None, [])
        self.details.show_empty()
        self._set_header("")
        self._show_grid_panel("Loading the store's products…", kind=PanelKind.LOADING)
        self.search_field.blockSignals(True)
        self.search_field.clear()
        self.search_field.blockSignals(False)
        self.product_model.reload()

    def _unchecked_images_arrived(self, product_id: int, images: list[ProductImage],
                                  asked_at: float) -> None:
        """A long listing before its page boundaries were checked (one more round trip):
        shown now. The checked answer follows; it is nearly always the same, and when an
        image was deleted meanwhile it changes only the rows that differ."""
        self._unchecked = (product_id, images)
        self.saved_copy_at = None
        self.saved_copy_banner.hide()
        self._show_images(product_id, images, saved_copy=False, asked_at=asked_at)

    def _images_arrived(self, product_id: int, images: list[ProductImage],
                        asked_at: float | None = None) -> None:
        self._images_task = None
        unchecked, self._unchecked = self._unchecked, None
        if unchecked == (product_id, images):
            return  # on screen already, and now checked
        self.saved_copy_at = None
        self.saved_copy_banner.hide()
        self._show_images(product_id, images, saved_copy=False, asked_at=asked_at)

    def _show_images(self, product_id: int, images: list[ProductImage], *,
                     saved_copy: bool, asked_at: float | None = None) -> None:
        """The product's images, from the store or from this computer's saved copy (shown
        first; the store's list then replays only what differs: no reset, the scroll, the
        selection and the current card stay)."""
        first = not self.images_ready
        self.image_model.set_images(product_id, images)
        if self.session.queue is not None:
            # The snapshot its pending changes apply to; its state comes back through
            # stateChanged with those changes on top.
            self.session.queue.set_server_images(product_id, images, saved_copy=saved_copy,
                                                 listed_at=asked_at)
        self.images_ready = True
        self.images_failed = False
        self.product_model.update_image_count(product_id, len(images))
        if not first:
            self._update_header()
            if images:
                self.grid_stack.setCurrentWidget(self.grid)
            else:
                self._show_no_images()
            self.imagesLoaded.emit(product_id, len(images))
            return
        self._update_header()
        if self.product_model.failed:
            self._update_product_state()  # its panel no longer repeats the grid's: say it all
        if images:
            self.grid_stack.setCurrentWidget(self.grid)
            # Keyboard focus starts on the first card, but nothing is selected: the details
            # pane shows the product at a glance until the merchant picks a card.
            self.grid.selectionModel().setCurrentIndex(
                self.image_model.index(0), QItemSelectionModel.SelectionFlag.NoUpdate)
        elif self.uploads is not None:
            self._empty_product = True
            self._show_grid_panel(
                "This product has no images",
                f"Drop pictures here, or {press_hint(ADD_IMAGES)} to choose them.")
        else:
            self._show_no_images()
        self._show_details()
        self.selectionCountChanged.emit(0)
        self.imagesLoaded.emit(product_id, len(images))

    def _count_changed(self) -> None:
        """An upload, a delete or their undo: the heading, the product's tile and the status
        bar count what the grid shows."""
        self._update_header()
        self._overview_timer.start()
        product_id, count = self.image_model.product_id, self.image_count
        if product_id is not None and count is not None:
            self.product_model.update_image_count(product_id, count)
            self.imageCountChanged.emit(product_id, count)

    def _show_no_images(self) -> None:
        self._show_grid_panel(
            "This product has no images",
            "Add pictures to it in the store's control panel (Products › Edit › Images), "
            f"then {press_hint(REFRESH)}.")

    @property
    def image_count(self) -> int | None:
        """How many images the shown product has, once they are loaded."""
        if not self.images_ready or self.images_failed:
            return None
        return self.image_model.rowCount()

    def _product_name(self, product_id: int) -> str:
        product = self.current_product
        return product.name if product is not None and product.id == product_id \
            else f"Product {product_id}"

    def _set_header(self, text: str) -> None:
        self.grid_header.setText(text)
        self.grid_header.setVisible(bool(text))

    def _update_header(self) -> None:
        product_id = self.image_model.product_id
        if product_id is None:
            return
        name = self._product_name(product_id)
        count = self.image_count
        self._set_header(name if count is None else
                         f"{name}: {_images(count)}" if count else f"{name}: no images")

    def _images_failed(self, error: Exception) -> None:
        self._images_task = None
        unchecked, self._unchecked = self._unchecked, None
        if unchecked is not None:
            # The list is on screen; only its check failed. It stays, with what to do.
            problem = explain(error, "the last check of this list",
                              missing="This product is no longer in the store")
            self.saved_copy_banner.show_message(
                f"{problem.title}. It may lack an image if another was deleted on the store "
                "just now: Retry to check it.", "Retry")
            return
        if (self.saved_copy_at is not None and not self.images_failed
                and connection_after(error) is StoreConnection.UNREACHABLE):
            if self.session.offline:
                return  # the offline banner says it already
            # The saved copy stays on screen; one line above it says what is wrong.
            problem = explain(error, "the images of this product",
                              missing="This product is no longer in the store")
            self.saved_copy_banner.show_message(
                f"{problem.title}. Showing the copy saved on this computer "
                f"{_saved_when(self.saved_copy_at)}.", "Retry")
            return
        self.images_ready = True
        self.images_failed = True
        problem = explain(error, "the images of this product",
                          missing="This product is no longer in the store")
        self.grid_panel.show_problem(problem)
        self.grid_stack.setCurrentWidget(self.grid_panel)
        if self.product_model.failed:
            self._update_product_state()  # the list's panel may now repeat this one
        self.imagesFailed.emit(problem.title)
        if self.session.offline:
            self.show_saved_copy_after_failure()  # what this computer has, or that it has none

    def _grid_shows(self, title: str) -> bool:
        return (self.grid_stack.currentWidget() is self.grid_panel
                and self.grid_panel.kind is PanelKind.ERROR and self.grid_panel.title == title)

    def _show_grid_panel(self, title: str, why: str = "", *, kind: PanelKind = PanelKind.INFO,
                         remedy: Remedy = Remedy.NONE) -> None:
        self.grid_panel.show_state(title, why, kind=kind, remedy=remedy)
        self.grid_stack.setCurrentWidget(self.grid_panel)

    def _grid_panel_action(self, remedy: Remedy) -> None:
        if remedy is Remedy.EDIT_CREDENTIALS:
            self.editCredentialsRequested.emit()
        elif remedy is Remedy.RELOAD_PRODUCTS:
            self.reload_products()
        else:
            self.refresh()

    # ---- the image server as a whole ----------------------------------------------------

    def _picture_loaded(self, key: object, *_: object) -> None:
        if isinstance(key, int) and self.image_model.row_of(key) is not None:
            self._health.loaded()

    def _picture_failed(self, key: object, url: str, message: str) -> None:
        if isinstance(key, int) and self.image_model.row_of(key) is not None:
            self._health.failed(url)
            if self._health.failing and self.pictures_banner.isHidden():
                self._set_pictures_failing(True)

    def _set_pictures_failing(self, failing: bool) -> None:
        """One banner instead of a red badge on every card; the cards stay quiet meanwhile."""
        if failing and self.session.offline_by_choice:
            return  # nothing is downloaded offline: the offline banner says it already
        was = not self.pictures_banner.isHidden()
        if failing:
            host = self._health.host or "the image server"
            self.pictures_banner.show_message(f"Pictures can't be loaded from {host}.",
                                              "Retry all")
        else:
            self.pictures_banner.hide()
        self.grid.itemDelegate().quiet_failures = failing
        self.grid.viewport().update()
        if failing != was:
            self.picturesFailingChanged.emit(self._health.host if failing else "")

    def retry_all_pictures(self) -> int:
        """Asks again for every picture that failed; the banner comes back if they fail again.

        Requests still under way are dropped first (their late failure would undo the retry);
        the repaint asks again for every card on screen."""
        self.session.thumbnails.clear()
        self._health.reset()
        self._set_pictures_failing(False)
        count = self.image_model.retry_failed_pictures()
        self.grid.viewport().update()
        return count

    # ---- selection and details ----------------------------------------------------------

    def _selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        self.selectionCountChanged.emit(len(self.grid.selectionModel().selectedIndexes()))
        self._show_details()

    def _pictures_changed(self, first, last, roles) -> None:  # type: ignore[no-untyped-def]
        """A picture of the multi-selection strip arrived: show it."""
        rows = sorted(index.row() for index in self.grid.selectionModel().selectedIndexes())
        if len(rows) > 1 and any(first.row() <= row <= last.row() for row in rows[:4]):
            self._show_details()

    def _single_selected(self) -> QModelIndex | None:
        indexes = self.grid.selectionModel().selectedIndexes()
        return indexes[0] if len(indexes) == 1 else None

    def _details_position_changed(self, *_: object) -> None:
        index = self._single_selected()
        if index is not None and self.details.shows_image(index.data(ImageRoles.Image)):
            self.details.set_position(index.row() + 1, self.image_model.rowCount())

    def _image_data_changed(self, first, last, roles) -> None:  # type: ignore[no-untyped-def]
        """The one image shown in the details changed (an edit, the store's answer)."""
        if roles and ImageRoles.Image not in roles:
            return
        index = self._single_selected()
        if index is not None and first.row() <= index.row() <= last.row():
            self.details.refresh_image(index.data(ImageRoles.Image))
            self._show_details_change(index)
        elif not self.grid.selectionModel().hasSelection():
            self._overview_timer.start()  # "without alt text: 2 of 5" follows the edits

    # ---- alt text: on the card, in batches, and a filter for the missing ones ---------------

    def _build_alt_text(self) -> QWidget:
        """The in-place card editor, the batch dialog's actions, and the filter bar (returned:
        it goes above the grid)."""
        self._card_delegate = CardEditingDelegate(self.grid)
        self.grid.set_card_delegate(self._card_delegate)
        self.card_text = InPlaceAltText(self.grid, self._card_delegate)
        self._card_delegate.altTextCommitted.connect(self._commit_card_alt_text)
        self.batch_alt_text_action = QAction("Alt text for several images…", self)
        self.batch_alt_text_action.setStatusTip(
            "Set the alt text of the selected images, or of all of them, from a template or "
            "by find and replace")
        self.batch_alt_text_action.triggered.connect(self.open_batch_alt_text)
        self.batch_dialog: BatchAltTextDialog | None = None
        self.alt_filter = MissingAltTextFilter(self.grid, self.image_model)
        self.filter_bar = FilterBar(self.alt_filter)
        # The toggle is about the cards: not over a loading, empty or failed product's message.
        self.grid_stack.currentChanged.connect(
            lambda: self.filter_bar.setVisible(self.grid_stack.currentWidget() is self.grid))
        #: Checkable view actions, for a View menu (the filter's toggle is also above the grid).
        self.view_actions: list[QAction] = [self.alt_filter.action]
        self.selectionCountChanged.connect(self._update_alt_text_actions)
        self.image_model.rowsInserted.connect(self._update_alt_text_actions)
        self.image_model.rowsRemoved.connect(self._update_alt_text_actions)
        self.image_model.modelReset.connect(self._update_alt_text_actions)
        self._set_alt_text_editable(self.editor is not None)
        if self.editor is not None:
            self.edit_actions += [self.card_text.action, self.batch_alt_text_action]
            self.grid.context_menu.add_section(self._alt_text_menu)
        return self.filter_bar

    def _set_alt_text_editable(self, editable: bool) -> None:
        self.card_text.set_editable(editable)
        self.batch_alt_text_action.setEnabled(editable)
        self._update_alt_text_actions()

    def finish_editing(self) -> None:
        """Saves alt text still being typed (before the grid's rows go: another product, a
        reload, the window closing)."""
        self.card_text.finish()
        if self.details.alt_editor.hasFocus():
            self.details.alt_editor.clearFocus()  # leaving the field saves it

    def _batch_keys(self) -> list[RowKey]:
        """What the batch acts on: the selection of several, else every image."""
        keys = self.selected_keys()
        return keys if len(keys) > 1 else []

    def _update_alt_text_actions(self, *_: object) -> None:
        count = len(self._batch_keys()) or self.image_model.rowCount()
        action = self.batch_alt_text_action
        action.setText(f"Alt text for {_images(count)}…" if count else
                       "Alt text for several images…")
        action.setEnabled(self.editor is not None and self.card_text.delegate.editable
                          and count > 0 and self.images_ready and not self.images_failed)

    def _alt_text_menu(self, menu: QMenu, images: list[ProductImage]) -> None:
        if len(images) == 1 and self.card_text.action.isEnabled():
            menu.addAction(self.card_text.action)
        if self.batch_alt_text_action.isEnabled():
            menu.addAction(self.batch_alt_text_action)

    def _product_and_sku(self, product_id: int) -> tuple[str, str]:
        product = self.current_product
        if product is None or product.id != product_id:
            row = self.product_model.row_of(product_id)
            product = self.product_model.product_at(row) if row is not None else None
        return (product.name, product.sku) if product is not None else \
            (self._product_name(product_id), "")

    def open_batch_alt_text(self) -> BatchAltTextDialog | None:
        """The batch dialog (window-modal); OK applies its plan as one undoable edit."""
        product_id = self.image_model.product_id
        if self.editor is None or product_id is None or not self.image_model.rowCount():
            return None
        self.finish_editing()
        name, sku = self._product_and_sku(product_id)
        dialog = BatchAltTextDialog(self.view_rows, self._batch_keys(), product=name, sku=sku,
                                    parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        refresh = dialog.refresh
        for signal in (self.image_model.rowsInserted, self.image_model.rowsRemoved,
                       self.image_model.rowsMoved, self.image_model.dataChanged):
            signal.connect(refresh)
        # Another product under the dialog: its plan would name rows that are gone.
        self.image_model.modelReset.connect(dialog.reject)

        def disconnect() -> None:
            for signal in (self.image_model.rowsInserted, self.image_model.rowsRemoved,
                           self.image_model.rowsMoved, self.image_model.dataChanged):
                signal.disconnect(refresh)
            self.image_model.modelReset.disconnect(dialog.reject)
            self.batch_dialog = None

        dialog.finished.connect(disconnect)
        dialog.accepted.connect(lambda: self._apply_batch(product_id, dialog))
        self.batch_dialog = dialog
        dialog.open()
        return dialog

    def _apply_batch(self, product_id: int, dialog: BatchAltTextDialog) -> None:
        if self.editor is None or product_id != self.image_model.product_id:
            return
        self.editor.apply(product_id, alt_text_edit(self.view_rows(), dialog.plan().texts()))

    def _commit_card_alt_text(self, card: CardText) -> None:
        """A card's alt text, typed on the card, through the editor (undoable, queued)."""
        if self.editor is None:
            return
        rows = self.view_rows() if card.product_id == self.image_model.product_id else []
        if not any(row.key == card.row.key for row in rows):
            rows = [card.row]  # no longer shown (another product): the row it was typed for
        self.editor.apply(card.product_id, alt_text_edit(rows, {card.row.key:
                                                                clean_alt_text(card.text)}))

    def _submit_alt_text(self, image: ProductImage, text: str) -> None:
        """The details pane's alt text, for the image it shows, through the editor: the card
        shows it at once, the store gets it in order, Undo takes it back."""
        index = self._single_selected()
        product_id = self.image_model.product_id
        if (self.editor is None or product_id is None or index is None
                or index.data(ImageRoles.ImageId) != image.id):
            return  # the selection moved on meanwhile: nothing to say it belongs to
        self.editor.apply(product_id, alt_text_edit(self.view_rows(),
                                                    {index.data(ImageRoles.RowKey): text}))

    # ---- what the verbs act on ----------------------------------------------------------

    def view_rows(self) -> list[ViewRow]:
        """The grid's rows as the merchant sees them now (what a verb is computed from)."""
        return self.image_model.rows()

    def selected_keys(self) -> list[RowKey]:
        """The selected cards' row keys, in grid order."""
        rows = sorted(index.row() for index in self.grid.selectionModel().selectedIndexes())
        return [self.image_model.index(row).data(ImageRoles.RowKey) for row in rows]

    def _show_details(self) -> None:
        """The details pane shows what is selected: one image, a summary, or the product."""
        rows = sorted(index.row() for index in self.grid.selectionModel().selectedIndexes())
        model = self.image_model
        if not rows:
            if self.images_ready and not self.images_failed:
                self.details.show_overview(model.images())
            else:
                self.details.show_empty()
        elif len(rows) == 1:
            index = model.index(rows[0])
            self.details.show_image(index.data(ImageRoles.Image), rows[0] + 1,
                                    model.rowCount(), index.data(Qt.ItemDataRole.DecorationRole))
            self._show_details_change(index)
        else:
            self.details.show_selection(
                [model.image_at(row) for row in rows], model.rowCount(),
                [model.index(row).data(Qt.ItemDataRole.DecorationRole) for row in rows[:4]])

    def _refresh_overview(self) -> None:
        if not self.grid.selectionModel().hasSelection():
            self._show_details()

    def sizeHint(self) -> QSize:
        return QSize(1280, 800)
