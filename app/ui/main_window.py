"""The main window: the start screen, or a store's page with its toolbar and status bar."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (QMainWindow, QMessageBox, QSlider, QStackedWidget, QToolBar)

from app import APP_NAME
from app.credentials import CredentialError, KeyringLocked, SecretStore
from app.api.tls import tls_context
from app.resources import app_icon_path, icon_path
from app.services.demo_store import DemoStore
from app.services.session import StoreInfo, StoreSession, describe_error
from app.services.store_registry import SavedStore, StoreRegistry
from app.services.tasks import TaskRunner
from app.ui.connect_dialog import ConnectDialog
from app.ui.image_grid import DEFAULT_PICTURE_WIDTH, MAX_PICTURE_WIDTH, MIN_PICTURE_WIDTH
from app.ui.start_screen import StartScreen
from app.ui.status_bar import StoreStatusBar
from app.ui.store_page import StorePage

log = logging.getLogger(__name__)


def _icon(name: str) -> QIcon:
    path = icon_path(name)
    return QIcon(str(path)) if path.is_file() else QIcon()


class MainWindow(QMainWindow):
    storeOpened = Signal(object)  # StorePage

    def __init__(self, secrets: SecretStore, registry: StoreRegistry,
                 cache_dir: Path | None) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        icon = app_icon_path()
        if icon.is_file():
            self.setWindowIcon(QIcon(str(icon)))
        self.resize(1280, 800)
        self.secrets = secrets
        self.session_secrets: dict[str, str] = {}  # "this session only", when no keyring
        self.registry = registry
        self.cache_dir = cache_dir
        self.session: StoreSession | None = None
        self.page: StorePage | None = None
        self.demo: DemoStore | None = None
        self._background = TaskRunner("window", max_workers=2, parent=self)
        # Each "open a store" request gets a number; an answer for an older one (a slow demo
        # start, a keyring read) is ignored once the merchant has asked for something else.
        self._open_request = 0
        # The shared TLS context reads the CA bundle: build it now, off the GUI thread.
        self._background.submit("tls", tls_context)

        self.stack = QStackedWidget()
        self.start_screen = StartScreen()
        self.start_screen.openDemoRequested.connect(lambda: self.open_demo())
        self.start_screen.connectRequested.connect(self.connect_store)
        self.start_screen.openSavedRequested.connect(self.open_saved)
        self.start_screen.removeSavedRequested.connect(self.remove_saved)
        self.stack.addWidget(self.start_screen)
        self.setCentralWidget(self.stack)
        self.status = StoreStatusBar()
        self.setStatusBar(self.status)
        self._build_toolbar()
        self.show_start()

    # ---- toolbar ------------------------------------------------------------------------

    def _action(self, text: str, icon: str,
                shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
                slot, tip: str) -> QAction:  # type: ignore[no-untyped-def]
        action = QAction(_icon(icon), text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
                          if shortcut else tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.setIconSize(QSize(20, 20))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        self.stores_action = self._action("Stores", "store", "Ctrl+Shift+S", self.show_start,
                                          "Back to the list of stores")
        self.refresh_action = self._action("Refresh", "refresh", QKeySequence.StandardKey.Refresh,
                                           self._refresh, "Load the product's images again")
        self.find_action = self._action("Find product", "search", QKeySequence.StandardKey.Find,
                                        self._focus_search, "Search products by name or SKU")
        self.retry_action = self._action("Retry pictures", "retry", "Ctrl+R",
                                         self._retry_pictures, "Load the failed pictures again")
        self.zoom_out_action = self._action("Smaller", "zoom-out", QKeySequence.StandardKey.ZoomOut,
                                            self._zoom_out, "Smaller cards")
        self.zoom_in_action = self._action("Larger", "zoom-in", QKeySequence.StandardKey.ZoomIn,
                                           self._zoom_in, "Larger cards")
        # Ctrl+= as well: on most keyboards "+" needs Shift.
        self.zoom_in_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.ZoomIn),
                                          QKeySequence("Ctrl+=")])
        self.zoom_reset_action = self._action("Reset size", "zoom-in", "Ctrl+0",
                                              self._zoom_reset, "Default card size")
        for action in (self.stores_action, self.refresh_action, self.find_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.retry_action)
        toolbar.addSeparator()
        toolbar.addAction(self.zoom_out_action)
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setRange(MIN_PICTURE_WIDTH, MAX_PICTURE_WIDTH)
        self.size_slider.setValue(DEFAULT_PICTURE_WIDTH)
        self.size_slider.setMaximumWidth(160)
        self.size_slider.setAccessibleName("Card size")
        self.size_slider.setToolTip("Card size (Ctrl+wheel, Ctrl+plus, Ctrl+minus)")
        self.size_slider.valueChanged.connect(self._slider_moved)
        toolbar.addWidget(self.size_slider)
        toolbar.addAction(self.zoom_in_action)
        self.store_actions = [self.refresh_action, self.find_action, self.retry_action,
                              self.zoom_in_action, self.zoom_out_action, self.zoom_reset_action]

    def _set_store_actions_enabled(self, enabled: bool) -> None:
        for action in self.store_actions:
            action.setEnabled(enabled)
        self.size_slider.setEnabled(enabled)
        self.stores_action.setEnabled(enabled)

    def _refresh(self) -> None:
        if self.page is not None:
            self.page.refresh()

    def _focus_search(self) -> None:
        if self.page is not None:
            self.page.search_field.setFocus()
            self.page.search_field.selectAll()

    def _retry_pictures(self) -> None:
        if self.page is not None:
            count = self.page.image_model.retry_failed_pictures()
            self.status.showMessage(f"Retrying {count} picture(s)…" if count
                                    else "No failed pictures.", 4000)

    def _zoom_in(self) -> None:
        if self.page is not None:
            self.page.grid.zoom_in()

    def _zoom_out(self) -> None:
        if self.page is not None:
            self.page.grid.zoom_out()

    def _zoom_reset(self) -> None:
        if self.page is not None:
            self.page.grid.picture_width = DEFAULT_PICTURE_WIDTH

    def _slider_moved(self, value: int) -> None:
        if self.page is not None:
            self.page.grid.picture_width = value

    # ---- questions ----------------------------------------------------------------------

    def ask(self, title: str, text: str, accept: QMessageBox.StandardButton) -> bool:
        """The one place the window asks the merchant something (tests replace it)."""
        answer = QMessageBox.question(self, title, text,
                                      accept | QMessageBox.StandardButton.Cancel, accept)
        return answer == accept

    # ---- start screen -------------------------------------------------------------------

    def _new_open_request(self) -> int:
        self._open_request += 1
        return self._open_request

    def _if_current(self, request: int, then):  # type: ignore[no-untyped-def]
        """Wraps a callback so it runs only if no newer open request was made since."""
        def callback(value):  # type: ignore[no-untyped-def]
            if request == self._open_request:
                then(value)
        return callback

    def show_start(self) -> None:
        self._new_open_request()
        self._close_session()
        self.start_screen.set_stores(self.registry.stores())
        self.stack.setCurrentWidget(self.start_screen)
        self.status.set_store("No store")
        self.status.set_product("", None)
        self.status.show_selection(0, 0)
        self.status.set_store_image_count(None)
        self.status.set_rate_limit(None)
        self._set_store_actions_enabled(False)
        self.setWindowTitle(APP_NAME)

    def open_demo(self, product_id: int | None = None) -> None:
        self.start_screen.show_message("Starting the demo store…")
        self.start_screen.demo_button.setEnabled(False)
        if self.demo is None:
            self.demo = DemoStore()
        demo = self.demo
        request = self._new_open_request()
        self._background.submit(
            "start-demo", demo.start,
            on_success=self._if_current(request, lambda info: self.open_store(info, product_id)),
            on_failure=self._if_current(request, self._demo_failed))

    def _demo_failed(self, error: Exception) -> None:
        self.start_screen.demo_button.setEnabled(True)
        self.start_screen.show_message(f"The demo store could not start: {error}", error=True)

    def connect_store(self) -> None:
        dialog = ConnectDialog(self)
        try:
            if dialog.exec() != ConnectDialog.DialogCode.Accepted:
                return
            saved, secret = dialog.saved_store(), dialog.secret()
        finally:
            dialog.deleteLater()
        self.add_store(saved, secret)

    def add_store(self, saved: SavedStore, secret: str) -> None:
        """Saves the secret in the keyring (settings get only the rest), then connects."""
        self._save_secret_then_open(saved, secret)

    def _save_secret_then_open(self, saved: SavedStore, secret: str) -> None:
        self.start_screen.show_message("Saving the credentials in the system keyring…")
        request = self._new_open_request()
        self._background.submit(
            "save-secret", lambda: self.secrets.save(saved.store_id, secret),
            on_success=self._if_current(request, lambda _: self._saved(saved, secret)),
            on_failure=self._if_current(
                request, lambda error: self._secret_save_failed(error, saved, secret)))

    def _saved(self, saved: SavedStore, secret: str) -> None:
        self.registry.add(saved)
        self._open_with_secret(saved, secret)

    def _secret_save_failed(self, error: Exception, saved: SavedStore, secret: str) -> None:
        if isinstance(error, KeyringLocked):
            if self.ask("Keyring locked", f"{error}\n\nUnlock the keyring, then retry.",
                        QMessageBox.StandardButton.Retry):
                self._save_secret_then_open(saved, secret)
            else:
                self.start_screen.show_message("Not connected: the keyring stayed locked.",
                                               error=True)
            return
        reason = str(error) if isinstance(error, CredentialError) else describe_error(error)
        if self.ask("No keyring",
                    f"{reason}\n\nThe credentials can be kept in memory for this session "
                    "only: you will type them again next time. Nothing is written to disk.",
                    QMessageBox.StandardButton.Ok):
            self.session_secrets[saved.store_id] = secret
            self._open_with_secret(saved, secret)
        else:
            self.start_screen.show_message("Not connected.", error=True)

    def open_saved(self, saved: SavedStore) -> None:
        if saved.store_id in self.session_secrets:
            self._open_with_secret(saved, self.session_secrets[saved.store_id])
            return
        self.start_screen.show_message(f"Reading the credentials of {saved.label}…")
        request = self._new_open_request()
        self._background.submit(
            "load-secret", lambda: self.secrets.load(saved.store_id),
            on_success=self._if_current(request, lambda secret: self._secret_loaded(saved, secret)),
            on_failure=self._if_current(
                request, lambda error: self.start_screen.show_message(str(error), error=True)))

    def _secret_loaded(self, saved: SavedStore, secret: str | None) -> None:
        if not secret:
            self.start_screen.show_message(
                f"The keyring has no credentials for {saved.label}. Remove it and connect "
                "it again.", error=True)
            return
        self._open_with_secret(saved, secret)

    def remove_saved(self, saved: SavedStore) -> None:
        if not self.ask("Remove store",
                        f"Forget {saved.label} and delete its credentials from the keyring? "
                        "The store itself is not changed.", QMessageBox.StandardButton.Yes):
            return
        self.session_secrets.pop(saved.store_id, None)
        self._background.submit(
            "delete-secret", lambda: self.secrets.delete(saved.store_id),
            on_success=lambda _: self._removed(saved),
            on_failure=lambda error: self.start_screen.show_message(
                f"{saved.label} was not removed: {error}", error=True))

    def _removed(self, saved: SavedStore) -> None:
        self.registry.remove(saved.store_id)
        self.start_screen.set_stores(self.registry.stores())
        self.start_screen.show_message(f"Removed {saved.label}.")

    # ---- a store ------------------------------------------------------------------------

    def open_store_when_ready(self, info: StoreInfo, product_id: int | None = None) -> None:
        """Opens once the TLS context is built (off the GUI thread), for the command line."""
        request = self._new_open_request()
        self._background.submit("tls", tls_context, on_success=self._if_current(
            request, lambda _: self.open_store(info, product_id)))

    def _open_with_secret(self, saved: SavedStore, secret: str) -> None:
        try:
            credentials = saved.credentials(secret)
        except ValueError as exc:  # e.g. a secret with an invisible character in it
            self.start_screen.show_message(f"{saved.label} could not be opened: {exc}",
                                           error=True)
            return
        self.open_store(StoreInfo(saved.label, credentials))

    def open_store(self, info: StoreInfo, product_id: int | None = None) -> StorePage | None:
        self._close_session()
        self.start_screen.demo_button.setEnabled(True)
        self.start_screen.show_message("")
        try:
            session = StoreSession(info, self.cache_dir, parent=self)
        except (ValueError, OSError) as exc:
            self.start_screen.show_message(f"{info.label} could not be opened: {exc}", error=True)
            return None
        page = StorePage(session)
        self.session, self.page = session, page
        session.rateLimitChanged.connect(self.status.set_rate_limit)
        session.onlineChanged.connect(self.status.set_online)
        page.productOpened.connect(self._product_opened)
        page.imagesLoaded.connect(self._images_loaded)
        page.selectionCountChanged.connect(
            lambda count: self.status.show_selection(count, page.image_model.rowCount()))
        page.grid.pictureWidthChanged.connect(self._grid_width_changed)
        page.grid.picture_width = self.size_slider.value()
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        self.status.set_store(info.label)
        self.status.set_online(True)
        self.setWindowTitle(f"{info.label} — {APP_NAME}")
        self._set_store_actions_enabled(True)
        page.start(product_id)
        session.count_store_images(on_success=self.status.set_store_image_count,
                                   on_failure=lambda error: None)
        page.grid.setFocus()
        self.storeOpened.emit(page)
        return page

    def _product_opened(self, product) -> None:  # type: ignore[no-untyped-def]
        page = self.page
        shown = page is not None and product is not None and \
            page.image_model.product_id == product.id
        self.status.set_product(product.name if product else "",
                                page.image_count if shown and page is not None else None)

    def _images_loaded(self, product_id: int, count: int) -> None:
        page = self.page
        name = page.current_product.name if page and page.current_product else f"Product {product_id}"
        self.status.set_product(name, count)

    def _grid_width_changed(self, width: int) -> None:
        if self.size_slider.value() != width:
            self.size_slider.blockSignals(True)
            self.size_slider.setValue(width)
            self.size_slider.blockSignals(False)

    def _close_session(self) -> None:
        if self.page is not None:
            self.stack.removeWidget(self.page)
            self.page.deleteLater()
            self.page = None
        if self.session is not None:
            self.session.close()
            self.session.deleteLater()
            self.session = None

    def closeEvent(self, event: QCloseEvent) -> None:
        self._close_session()
        self._background.shutdown()
        super().closeEvent(event)

    def shutdown_demo(self) -> None:
        """Stops the embedded emulator; called after the event loop has ended."""
        if self.demo is not None:
            self.demo.stop()
            self.demo = None
