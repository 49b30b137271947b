"""The main window: the start screen, or a store's page with its toolbar and status bar."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING
from pathlib import Path

from shiboken6 import isValid

from PySide6.QtCore import (QCoreApplication, QEvent, QRect, QSize, QSignalBlocker, Qt, QTimer,
                            Signal)
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QIcon, QUndoGroup
from PySide6.QtWidgets import (QDockWidget, QMainWindow, QMenu, QMessageBox, QSlider, QSplitter,
                               QStackedWidget, QToolBar, QToolButton, QUndoView, QWidget)

from app import APP_NAME
from app.api.auth import OAuthCredentials
from app.credentials import CredentialError, KeyringLocked, SecretStore
from app.resources import app_icon_path, icon_path
from app.services.store_connection import StoreInfo
from app.services.store_registry import SavedStore, SavedStores, StoreRegistry
from app.services.tasks import TaskRunner
from app.ui import shortcuts
from app.ui.first_paint import after_first_paint
from app.ui.card_sizes import DEFAULT_PICTURE_WIDTH, MAX_PICTURE_WIDTH, MIN_PICTURE_WIDTH
from app.ui.shortcuts import Command
from app.ui.start_screen import StartScreen
from app.ui.status_bar import StoreStatusBar
from app.ui.window_state import RememberedState, WindowStateFile

log = logging.getLogger(__name__)

DEFAULT_SIZE = QSize(1280, 800)
#: How long closing the window waits for changes already on their way to the store.
WRITE_DRAIN_SECONDS = 3.0
#: The side docks (Pending changes, History) are this wide when shown (a third of a smaller
#: window).
SIDE_DOCK_WIDTH = 320


if TYPE_CHECKING:
    from app.services.demo_store import DemoStore
    from app.services.session import StoreSession
    from app.ui.store_page import StorePage

# What a store needs (httpx, Pillow, the store page, the demo's emulator) is imported when
# the first store opens, not before the window paints: see benchmarks/startup.py.


def _tls_context():  # type: ignore[no-untyped-def]
    from app.api.tls import tls_context
    return tls_context()


def _prepare_for_a_store() -> None:
    """Runs on a worker while the merchant looks at the start screen: the TLS context, and
    the store page's modules (the session, the API clients, httpx, Pillow, the grid: ~80
    modules, 40-80 ms), which opening a store would otherwise import on the GUI thread, after
    the click. Those modules make only classes and constants at import time, never a QObject
    or a pixmap, so importing them off the GUI thread is safe."""
    _tls_context()
    import app.ui.store_page  # noqa: F401


def _icon(name: str) -> QIcon:
    path = icon_path(name)
    return QIcon(str(path)) if path.is_file() else QIcon()


def _secret_of(info: StoreInfo) -> str:
    credentials = info.credentials
    return credentials.access_token if isinstance(credentials, OAuthCredentials) else \
        credentials.api_key


def _reachable(rect: QRect) -> bool:
    """Whether the window's top strip (where its title bar is) lies on some screen."""
    strip = QRect(rect.x(), rect.y(), rect.width(), 40)
    for screen in QGuiApplication.screens():
        seen = screen.availableGeometry().intersected(strip)
        if seen.width() >= min(100, rect.width()) and seen.height() >= 20:
            return True
    return False


class MainWindow(QMainWindow):
    storeOpened = Signal(object)  # StorePage

    def __init__(self, secrets: SecretStore, registry: StoreRegistry,
                 cache_dir: Path | None, window_state: WindowStateFile | None = None,
                 journal_dir: Path | None = None, saved_copy_dir: Path | None = None,
                 start_offline: bool = False) -> None:
        """`start_offline`: stores open in offline mode (`--offline`) until the merchant
        goes online."""
        super().__init__()
        self.start_offline = start_offline
        self.setWindowTitle(APP_NAME)
        icon = app_icon_path()
        if icon.is_file():
            self.setWindowIcon(QIcon(str(icon)))
        self.resize(DEFAULT_SIZE)
        self.secrets = secrets
        self.registry = registry
        self.window_state = window_state
        self.cache_dir = cache_dir
        #: The write queue's journal: the app passes app.paths.journal_dir(); otherwise (tests)
        #: the cache folder's sibling, so nothing lands in the merchant's data folder.
        self.journal_dir = journal_dir if journal_dir is not None else (
            cache_dir.parent / "journal" if cache_dir is not None else None)
        #: What was seen of each store, for the next start and offline: the same rule.
        self.saved_copy_dir = saved_copy_dir if saved_copy_dir is not None else (
            cache_dir.parent / "metadata" if cache_dir is not None else None)
        self.session: StoreSession | None = None
        self.page: StorePage | None = None
        self.demo: DemoStore | None = None
        #: The saved store behind the open page (None for the demo or a command-line store).
        self.current_store: SavedStore | None = None
        #: Saved stores as stores.json holds them (read on a worker; see stores_ready).
        self.saved_stores: list[SavedStore] = []
        self.stores_ready = False
        #: Stores kept "for this session only" (no usable keyring): listed until the app quits.
        self.session_stores: dict[str, SavedStore] = {}
        self.session_secrets: dict[str, str] = {}
        self.remembered = RememberedState()
        self.remembered_ready = window_state is None
        self._reopen_after: int | None = None  # restore_last_session's request number
        self._background = TaskRunner("window", max_workers=2, parent=self)
        # stores.json and the window's settings: one worker, so reads and writes keep their order.
        self._files = TaskRunner("stores", max_workers=1, parent=self)
        # Each "open a store" request gets a number; an answer for an older one (a slow demo
        # start, a keyring read) is ignored once the merchant has asked for something else.
        self._open_request = 0
        # The shared TLS context reads the CA bundle, and the store page's modules take tens
        # of milliseconds to import: both are done off the GUI thread, once the window has
        # painted (they would compete with the first paint for the GIL), or when a store
        # opens, if that comes first. `prepared_for_a_store` is True once both are done.
        self._tls_started = False
        self.prepared_for_a_store = False
        after_first_paint(self, self._prepare_for_a_store)

        self.stack = QStackedWidget()
        self.start_screen = StartScreen()
        self.start_screen.openDemoRequested.connect(lambda: self.open_demo())
        self.start_screen.connectRequested.connect(self.connect_store)
        self.start_screen.openSavedRequested.connect(self.open_saved)
        self.start_screen.editSavedRequested.connect(self.edit_saved)
        self.start_screen.removeSavedRequested.connect(self.remove_saved)
        self.stack.addWidget(self.start_screen)
        self.setCentralWidget(self.stack)
        self.status = StoreStatusBar()
        self.setStatusBar(self.status)
        self._build_toolbar()
        self.offline_action.setChecked(start_offline)
        self.show_start()
        self._files.submit("load-stores", registry.load, on_success=self._stores_loaded,
                           on_failure=self._stores_unreadable)
        if window_state is not None:
            self._files.submit("load-window-state", window_state.load,
                               on_success=self._remembered_arrived,
                               on_failure=lambda error: self._remembered_arrived(
                                   RememberedState()))

    # ---- toolbar ------------------------------------------------------------------------

    def _action(self, command: Command, icon: str | None, slot: Callable[[], None],
                tip: str) -> QAction:
        action = QAction(_icon(icon) if icon else QIcon(), command.name, self)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        self._commands[action] = command
        return action

    def _bind_shortcuts(self) -> None:
        """Gives each action its keys for this platform (see app/ui/shortcuts.py)."""
        keys = shortcuts.resolve(list(self._commands.values()))
        for action, command in self._commands.items():
            action.setShortcuts(keys[command])
            if keys[command]:
                action.setToolTip(f"{action.statusTip()} "
                                  f"({shortcuts.native_text(keys[command][0])})")

    def _build_toolbar(self) -> None:
        self._commands: dict[QAction, Command] = {}
        self.toolbar = toolbar = QToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.setIconSize(QSize(20, 20))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        self.stores_action = self._action(shortcuts.STORES, "store", self.show_start,
                                          "Back to the list of stores")
        self.refresh_action = self._action(shortcuts.REFRESH, "refresh", self._refresh,
                                           "Load the product's images again")
        self.find_action = self._action(shortcuts.FIND_PRODUCT, "search", self._focus_search,
                                        "Search products by name or SKU")
        self.retry_action = self._action(shortcuts.RETRY_PICTURES, "retry",
                                         self._retry_pictures, "Load the failed pictures again")
        self.zoom_out_action = self._action(shortcuts.SMALLER, "zoom-out", self._zoom_out,
                                            "Smaller cards")
        self.zoom_in_action = self._action(shortcuts.LARGER, "zoom-in", self._zoom_in,
                                           "Larger cards")
        self.zoom_reset_action = self._action(shortcuts.RESET_SIZE, "zoom-in", self._zoom_reset,
                                              "Default card size")
        self.offline_action = self._action(
            shortcuts.WORK_OFFLINE, "offline", lambda: None,
            "Work from what is saved on this computer; changes wait until you go online")
        self.offline_action.setCheckable(True)
        self.offline_action.toggled.connect(self._work_offline)
        self._build_edit_menu()
        self._build_offline_panels()
        self._bind_shortcuts()
        for action in (self.stores_action, self.refresh_action, self.find_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.undo_action)
        toolbar.addAction(self.redo_action)
        # On the toolbar only their icons (the menu says "Undo Move 3 images"; a button
        # whose width follows that text would shift every button after it); the tooltip
        # names the change.
        for action, signal in ((self.undo_action, self.undo_group.undoTextChanged),
                               (self.redo_action, self.undo_group.redoTextChanged)):
            button = toolbar.widgetForAction(action)
            if isinstance(button, QToolButton):
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
            signal.connect(lambda _text, action=action: self._name_change_in_tooltip(action))
        #: The open page's verbs that earn a toolbar button go here (and leave with the page).
        self.page_tools_separator = toolbar.addSeparator()
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
        self.size_slider_action = toolbar.addWidget(self.size_slider)
        toolbar.addAction(self.zoom_in_action)
        toolbar.addSeparator()
        toolbar.addAction(self.offline_action)
        #: Everything that needs an open store: hidden (shortcuts off too) on the start screen.
        self.store_actions = [self.offline_action, self.sync_action, self.stores_action,
                              self.refresh_action, self.find_action,
                              self.retry_action, self.zoom_in_action, self.zoom_out_action,
                              self.zoom_reset_action, self.size_slider_action]

    def _build_edit_menu(self) -> None:
        """Edit: Undo and Redo name what they undo ("Undo Move 3 images"), the history, and
        the open page's own edit actions (added in `open_store`)."""
        self.undo_group = QUndoGroup(self)
        self.undo_action = self.undo_group.createUndoAction(self, "Undo")
        self.redo_action = self.undo_group.createRedoAction(self, "Redo")
        for action, command, tip in ((self.undo_action, shortcuts.UNDO, "Undo the last change"),
                                     (self.redo_action, shortcuts.REDO,
                                      "Make the undone change again")):
            action.setIcon(_icon(command.name.lower()))
            action.setStatusTip(tip)
            self.addAction(action)
            self._commands[action] = command
        self.history_view = QUndoView(self.undo_group)
        self.history_view.setEmptyLabel("Opened the store")
        self.history_view.setAccessibleName("Undo history")
        self.history_dock, self.history_action = self._side_dock(
            self.history_view, "undo-history", shortcuts.UNDO_HISTORY,
            "Show every change of this session; click one to go back to it")
        self.quit_action = self._action(shortcuts.QUIT, None, self.close,
                                        "Close the window (changes not yet sent are kept)")
        menus = self.menuBar()
        self.file_menu = menus.addMenu("&File")
        self.file_menu.addActions([self.stores_action, self.refresh_action, self.find_action])
        self.sync_action = QAction("Make available &offline\u2026", self)
        self.sync_action.setStatusTip("Keep products and their pictures on this computer")
        self.sync_action.triggered.connect(self._open_offline_sync)
        self.file_menu.addSeparator()
        self.file_menu.addActions([self.sync_action, self.offline_action])
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.edit_menu = menus.addMenu("&Edit")
        self.edit_menu.addAction(self.undo_action)
        self.edit_menu.addAction(self.redo_action)
        self._page_edit_actions: list[tuple[QMenu | QToolBar, list[QAction]]] = []
        self.view_menu = menus.addMenu("&View")
        self.view_menu.addActions([self.zoom_in_action, self.zoom_out_action,
                                   self.zoom_reset_action])
        self.view_menu.addSeparator()
        self.view_menu.addActions([self.retry_action, self.history_action])

    def _side_dock(self, widget: QWidget, name: str, command: Command, tip: str
                   ) -> tuple[QDockWidget, QAction]:
        """A dock on the right, hidden until its action (View menu, `command`'s keys)
        shows it."""
        dock = QDockWidget(command.name, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.hide()
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        dock.visibilityChanged.connect(lambda shown: self._side_dock_shown(dock, shown))
        action = dock.toggleViewAction()
        action.setText(command.name)
        action.setStatusTip(tip)
        self.addAction(action)
        self._commands[action] = command
        return dock, action

    def _side_dock_shown(self, dock: QDockWidget, shown: bool) -> None:
        if not isValid(self):
            return  # the docks hide as the window is deleted
        self._fit_page_beside_docks()
        if shown:  # once the layout took in the grid's new minimum
            QTimer.singleShot(0, self, lambda: self._widen_dock(dock))

    def _fit_page_beside_docks(self) -> None:
        """An open side dock takes one of the grid's three columns (a 900 px window has no
        room for it otherwise); closed, the column comes back."""
        from app.ui.store_page import MIN_GRID_COLUMNS, MIN_GRID_COLUMNS_BESIDE_DOCK
        if self.page is None or not isValid(self.page):
            return
        docked = any(dock.isVisible() and not dock.isFloating()
                     for dock in self.findChildren(QDockWidget))
        self.page.keep_grid_columns(MIN_GRID_COLUMNS_BESIDE_DOCK if docked
                                    else MIN_GRID_COLUMNS)

    def _widen_dock(self, dock: QDockWidget) -> None:
        """A dock shown takes a readable width from the panes beside it (a third of the
        window at most), unless the merchant already made it wider: left to the layout, the
        splitter beside it kept its panes and left the dock a 70 px strip of broken words.
        (Not a minimum width: a small window would grow wider than the screen allows.)"""
        target = min(SIDE_DOCK_WIDTH, self.width() // 3)
        # The layouts take in the grid's new minimum first (their requests are posted), and
        # the dock's width is then its width as laid out, not as it was while hidden.
        central = self.centralWidget()
        if central is not None:
            central.updateGeometry()  # drops the size hints the window's layout cached
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self.layout().activate()
        if dock.isVisible() and not dock.isFloating() and dock.width() < target:
            self.resizeDocks([dock], [target], Qt.Orientation.Horizontal)

    def _build_offline_panels(self) -> None:
        """View ▸ Pending changes (a dock, also opened by the status bar's changes count) and
        Edit ▸ Settings… (its settings read on the files worker; defaults until then)."""
        from app.settings import AppSettings
        from app.ui.pending_changes import PendingChangesPanel
        self.pending_panel = PendingChangesPanel()
        self.pending_dock, self.pending_action = self._side_dock(
            self.pending_panel, "pending-changes", shortcuts.PENDING_CHANGES,
            "Show every change not yet on the store, with Discard")
        self.view_menu.addAction(self.pending_action)
        self.status.changesClicked.connect(self.show_pending_changes)
        self.pending_dock.visibilityChanged.connect(
            lambda shown: self.pending_panel.focus_first() if shown else None)
        self.settings_action = self._action(shortcuts.SETTINGS, None, self.open_settings,
                                            "The picture cache's size, and clearing it")
        self.settings_action.setText("Settings…")
        self.edit_menu.addSeparator()
        self.edit_menu.addAction(self.settings_action)
        self.app_settings = AppSettings.beside(
            self.window_state.path if self.window_state is not None else None)

        def loaded(settings: AppSettings) -> None:  # a store opened before the file was read
            if self.session is not None and self.session.picture_cache is not None:
                self.session.picture_cache.max_bytes = settings.cache_max_bytes

        self._files.submit("load-settings", self.app_settings.load, on_success=loaded)

    def show_pending_changes(self) -> None:
        from app.ui.pending_changes import names_from_page
        if self.page is not None:
            self.pending_panel.product_name = names_from_page(self.page)
        self.pending_panel.refresh_names()
        self.pending_dock.show()
        self.pending_dock.raise_()
        self.pending_panel.focus_first()

    def _attach_pending_changes(self, session: StoreSession, page: StorePage) -> None:
        """The panel lists this session's queue (before it reports what it resumed)."""
        from app.ui.pending_changes import names_from_page
        from app.services.store_connection import StoreConnection
        self.pending_panel.product_name = names_from_page(page)
        page.product_model.rowsInserted.connect(self.pending_panel.refresh_names)
        self.pending_panel.attach(session.queue)
        def network_state(*_: object) -> None:  # why waiting changes wait, in their rows
            from app.services import change_words
            if session.offline_by_choice:
                words = change_words.WAITING_WHILE_OFFLINE
            elif session.offline or session.connection is StoreConnection.UNREACHABLE:
                words = change_words.WAITING_FOR_NETWORK
            else:
                words = change_words.WAITING
            self.pending_panel.set_waiting_words(words)

        network_state()
        session.connectionChanged.connect(network_state)
        session.offlineChanged.connect(network_state)

    def open_settings(self) -> None:
        from app.cache.blob_cache import BlobCache
        from app.ui.settings_dialog import open_settings
        cache = self.session.picture_cache if self.session is not None else (
            BlobCache(self.cache_dir / "images", self.app_settings.cache_max_bytes)
            if self.cache_dir is not None else None)
        open_settings(self, self.app_settings, cache, self._background)

    def _name_change_in_tooltip(self, action: QAction) -> None:
        if not isValid(action):
            return  # the undo group's last word while the window is being torn down
        keys = action.shortcuts()
        suffix = f" ({shortcuts.native_text(keys[0])})" if keys else ""
        action.setToolTip(f"{action.text()}{suffix}" if action.isEnabled()
                          else f"{action.statusTip()}{suffix}")

    def _add_page_edit_actions(self, page: StorePage) -> None:
        """The open page's own actions join the Edit and View menus and the toolbar (and
        leave with it)."""
        if page.verbs is not None:
            tools = [page.verbs.delete_action]
            self.toolbar.insertActions(self.page_tools_separator, tools)
            self._page_edit_actions.append((self.toolbar, tools))
        for menu, actions in ((self.edit_menu, list(page.edit_actions)),
                              (self.view_menu, list(page.view_actions))):
            if actions:
                separator = menu.addSeparator()
                menu.addActions(actions)
                self._page_edit_actions.append((menu, [separator, *actions]))

    def _remove_page_edit_actions(self) -> None:
        for menu, actions in self._page_edit_actions:
            for action in actions:
                menu.removeAction(action)
        self._page_edit_actions = []

    def _show_store_actions(self, shown: bool) -> None:
        for action in self.store_actions:
            action.setVisible(shown)
        self.toolbar.setVisible(shown)  # nothing else is on it

    def _open_offline_sync(self) -> None:
        from app.ui.offline_sync_dialog import open_offline_sync  # not needed to start
        open_offline_sync(self)

    def _work_offline(self, offline: bool) -> None:
        if self.session is not None and self.session.offline_by_choice != offline:
            self.session.work_offline(offline)

    def _refresh(self) -> None:
        if self.page is not None:
            self.page.refresh()

    def _focus_search(self) -> None:
        if self.page is not None:
            self.page.search_field.setFocus()
            self.page.search_field.selectAll()

    def _retry_pictures(self) -> None:
        if self.page is not None:
            count = self.page.retry_all_pictures()
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

    # ---- the saved stores ---------------------------------------------------------------

    def _stores_loaded(self, result: SavedStores) -> None:
        self.stores_ready = True
        self._stores_saved(result)
        if self.stack.currentWidget() is self.start_screen:
            self.start_screen.focus_first()
        self._maybe_reopen_last()

    def _stores_saved(self, result: SavedStores) -> None:
        """stores.json as it now is (after a load or a write)."""
        self.saved_stores = list(result.stores)
        if result.set_aside is not None:
            count = len(result.stores)
            could = (f"{count} store{'s' if count != 1 else ''} could be read from it and "
                     "are listed below; connect the others again"
                     if count else "Connect your stores again")
            self.start_screen.show_notice(
                f"Your list of saved stores was damaged ({result.problem}). It was kept as "
                f"{result.set_aside.name} in {result.set_aside.parent}, and a new list was "
                f"started. {could} (their credentials are still in the system keyring).")
        self._list_stores()

    def _stores_unreadable(self, error: Exception) -> None:
        self.stores_ready = True
        self.start_screen.show_notice(str(error) if isinstance(error, OSError)
                                      else f"Your saved stores could not be read: {error}")
        self._maybe_reopen_last()

    def _list_stores(self, select: str | None = None) -> None:
        saved_ids = {s.store_id for s in self.saved_stores}
        stores = self.saved_stores + [s for s in self.session_stores.values()
                                      if s.store_id not in saved_ids]
        self.start_screen.set_stores(stores, self.session_secrets.keys(), select)

    def _save_store(self, saved: SavedStore, then: Callable[[], None],
                    replacing: str | None = None) -> None:
        """Writes `saved` into stores.json (on the files worker), then runs `then`. If the file
        cannot be written, the store stays listed for this session and the merchant is told."""
        def failed(error: Exception) -> None:
            self.session_stores[saved.store_id] = saved
            self.start_screen.show_notice(f"{saved.label} could not be added to your saved "
                                          f"stores: {error}")
            self._list_stores()
            then()

        old_id = replacing or saved.store_id
        self._files.submit("save-store", lambda: self.registry.replace(old_id, saved),
                           on_success=lambda result: (self._stores_saved(result), then()),
                           on_failure=failed)

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
        self._list_stores()
        self.stack.setCurrentWidget(self.start_screen)
        self.status.set_store("No store")
        self.status.set_product("", None)
        self.status.show_selection(0, 0)
        self.status.set_store_image_count(None)
        self.status.set_rate_limit(None)
        # Without a store there is nothing to say about being online, or to act on.
        self.status.hide()
        self._show_store_actions(False)
        self.setWindowTitle(APP_NAME)
        self.start_screen.focus_first()

    def open_demo(self, product_id: int | None = None) -> None:
        self.start_screen.show_message("Starting the demo store…")
        self.start_screen.demo_button.setEnabled(False)
        if self.demo is None:
            from app.services.demo_store import DemoStore
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
        from app.ui.connect_dialog import ConnectDialog
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

    def _save_secret_then_open(self, saved: SavedStore, secret: str,
                               product_id: int | None = None) -> None:
        self.start_screen.show_message("Saving the credentials in the system keyring…")
        request = self._new_open_request()
        self._background.submit(
            "save-secret", lambda: self.secrets.save(saved.store_id, secret),
            on_success=self._if_current(
                request, lambda _: self._save_store(
                    saved, lambda: self._open_with_secret(saved, secret, product_id))),
            on_failure=self._if_current(
                request, lambda error: self._secret_save_failed(error, saved, secret)))

    def _secret_save_failed(self, error: Exception, saved: SavedStore, secret: str) -> None:
        if isinstance(error, KeyringLocked):
            if self.ask("Keyring locked", f"{error}\n\nUnlock the keyring, then retry.",
                        QMessageBox.StandardButton.Retry):
                self._save_secret_then_open(saved, secret)
            else:
                self.start_screen.show_message("Not connected: the keyring stayed locked.",
                                               error=True)
            return
        from app.services.session import describe_error
        reason = str(error) if isinstance(error, CredentialError) else describe_error(error)
        if self.ask("No keyring",
                    f"{reason}\n\nThe credentials can be kept in memory for this session "
                    "only: you will type them again next time. Nothing is written to disk.",
                    QMessageBox.StandardButton.Ok):
            self._keep_for_session(saved, secret)
            self._open_with_secret(saved, secret)
        else:
            self.start_screen.show_message("Not connected.", error=True)

    def _keep_for_session(self, saved: SavedStore, secret: str) -> None:
        self.session_secrets[saved.store_id] = secret
        self.session_stores[saved.store_id] = saved

    def open_saved(self, saved: SavedStore, product_id: int | None = None) -> None:
        if saved.store_id in self.session_secrets:
            self._open_with_secret(saved, self.session_secrets[saved.store_id], product_id)
            return
        self.start_screen.show_message(f"Reading the credentials of {saved.label}…")
        request = self._new_open_request()
        self._background.submit(
            "load-secret", lambda: self.secrets.load(saved.store_id),
            on_success=self._if_current(
                request, lambda secret: self._secret_loaded(saved, secret, product_id)),
            on_failure=self._if_current(
                request, lambda error: self.start_screen.show_message(str(error), error=True)))

    def _secret_loaded(self, saved: SavedStore, secret: str | None,
                       product_id: int | None = None) -> None:
        if not secret:
            self.start_screen.show_message(
                f"The keyring has no credentials for {saved.label}. Choose Edit… to enter "
                "them again.", error=True)
            return
        self._open_with_secret(saved, secret, product_id)

    def remove_saved(self, saved: SavedStore) -> None:
        if not self.ask("Remove store",
                        f"Forget {saved.label} and delete its credentials from the keyring? "
                        "The store itself is not changed.", QMessageBox.StandardButton.Yes):
            return
        self.session_secrets.pop(saved.store_id, None)
        self.session_stores.pop(saved.store_id, None)
        if saved.store_id not in {s.store_id for s in self.saved_stores}:
            self._removed(saved)  # kept for this session only: nothing on disk or in a keyring
            return
        self._background.submit(
            "delete-secret", lambda: self.secrets.delete(saved.store_id),
            on_success=lambda _: self._files.submit(
                "remove-store", lambda: self.registry.remove(saved.store_id),
                on_success=lambda result: (self._stores_saved(result), self._removed(saved)),
                on_failure=lambda error: self.start_screen.show_message(
                    f"{saved.label} was not removed: {error}", error=True)),
            on_failure=lambda error: self.start_screen.show_message(
                f"{saved.label} was not removed: {error}", error=True))

    def _removed(self, saved: SavedStore) -> None:
        self._list_stores()
        self.start_screen.show_message(f"Removed {saved.label}.")

    # ---- editing credentials ------------------------------------------------------------

    def edit_saved(self, saved: SavedStore) -> None:
        """Edit… on the start screen: the dialog filled in (the secret read on a worker, only
        for "Test connection"; it is never shown)."""
        if saved.store_id in self.session_secrets:
            self._edit(saved, self.session_secrets[saved.store_id])
            return
        request = self._new_open_request()
        self._background.submit(
            "load-secret", lambda: self.secrets.load(saved.store_id),
            on_success=self._if_current(request, lambda secret: self._edit(saved, secret)),
            on_failure=self._if_current(request, lambda error: self._edit(saved, None)))

    def edit_credentials(self) -> None:
        """Edits the open store's credentials, then reopens it on the same product (the
        "Edit credentials" button of a 401/403 panel). On the start screen: the selected store."""
        if self.session is None:
            selected = self.start_screen.selected_store()
            if selected is not None:
                self.edit_saved(selected)
            return
        info = self.session.store
        saved = self.current_store or SavedStore.from_credentials(info.label, info.credentials)
        product_id = self.page.image_model.product_id if self.page is not None else None
        self._edit(saved, _secret_of(info), product_id)

    def _edit(self, saved: SavedStore, current_secret: str | None,
              product_id: int | None = None) -> None:
        from app.ui.connect_dialog import ConnectDialog
        dialog = ConnectDialog(self, editing=saved, current_secret=current_secret)
        try:
            if dialog.exec() != ConnectDialog.DialogCode.Accepted:
                return
            edited, typed = dialog.saved_store(), dialog.secret()
        finally:
            dialog.deleteLater()
        secret = typed or (current_secret if edited.kind == saved.kind else None) or ""
        if edited.store_id != saved.store_id:
            product_id = None  # another store: its products are not these
        if not secret:
            self.show_start()
            self.start_screen.show_message(
                f"The keyring has no credentials for {saved.label}: choose Edit… and type "
                "the access token (or API key).", error=True)
            return
        in_keyring = saved.store_id in {s.store_id for s in self.saved_stores} and \
            saved.store_id not in self.session_secrets
        if not in_keyring:
            # Kept for this session only (or a store from the command line): stays so.
            if saved.store_id in self.session_secrets or saved.store_id in self.session_stores:
                self.session_secrets.pop(saved.store_id, None)
                self.session_stores.pop(saved.store_id, None)
                self._keep_for_session(edited, secret)
            self._open_with_secret(edited, secret, product_id)
            return
        self.start_screen.show_message("Saving the credentials in the system keyring…")
        request = self._new_open_request()

        def update_keyring() -> None:
            if typed or edited.store_id != saved.store_id:
                self.secrets.save(edited.store_id, secret)
            if edited.store_id != saved.store_id:
                self.secrets.delete(saved.store_id)

        def failed(error: Exception) -> None:
            self.show_start()
            self.start_screen.show_message(
                f"The new credentials of {edited.label} were not saved: {error}", error=True)

        self._background.submit(
            "update-secret", update_keyring,
            on_success=self._if_current(request, lambda _: self._save_store(
                edited, lambda: self._open_with_secret(edited, secret, product_id),
                replacing=saved.store_id)),
            on_failure=self._if_current(request, failed))

    # ---- remembered state ---------------------------------------------------------------

    def restore_last_session(self) -> None:
        """Reopens the last store and product when its secret is in the keyring, else selects
        it on the start screen. Does nothing if the merchant opens something first."""
        self._reopen_after = self._open_request
        self._maybe_reopen_last()

    def _remembered_arrived(self, state: RememberedState) -> None:
        self.remembered = state
        self.remembered_ready = True
        self._restore_geometry(state)
        if state.card_size:
            self.size_slider.setValue(state.card_size)  # clamped to the slider's range
        self._maybe_reopen_last()

    def _restore_geometry(self, state: RememberedState) -> None:
        if state.geometry is not None:
            rect = QRect(state.geometry)
            rect.setSize(rect.size().expandedTo(self.minimumSizeHint()))
            if not _reachable(rect):  # e.g. on a screen that is no longer connected
                screen = QGuiApplication.primaryScreen().availableGeometry()
                rect.setSize(rect.size().boundedTo(screen.size()))
                rect.moveCenter(screen.center())
            self.setGeometry(rect)
        if state.maximized:
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    def _maybe_reopen_last(self) -> None:
        if self._reopen_after is None or not (self.stores_ready and self.remembered_ready):
            return
        asked_first = self._open_request != self._reopen_after
        self._reopen_after = None
        last = self.remembered.last_store
        saved = next((s for s in self.saved_stores if s.store_id == last), None)
        if saved is None or asked_first:
            return
        self._list_stores(select=saved.store_id)
        request = self._new_open_request()

        def loaded(secret: str | None) -> None:
            if secret:
                self._open_with_secret(saved, secret, self.remembered.last_product)
            else:
                self.start_screen.show_message(
                    f"The keyring has no credentials for {saved.label}: choose Edit… to "
                    "enter them.")

        self._background.submit("load-secret", lambda: self.secrets.load(saved.store_id),
                                on_success=self._if_current(request, loaded),
                                on_failure=lambda error: None)  # it stays selected

    def _remember_page(self) -> None:
        page = self.page
        if page is None:
            return
        splitter = page.findChild(QSplitter, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if splitter is not None:
            self.remembered.splitter = splitter.saveState()
        if self.current_store is not None:
            self.remembered.last_product = page.image_model.product_id

    def save_window_state(self) -> None:
        """Writes what the window remembers (on close: the window is going, nothing to freeze)."""
        if self.window_state is None:
            return
        self._remember_page()
        state = self.remembered
        state.maximized = self.isMaximized()
        state.geometry = self.normalGeometry() if state.maximized else self.geometry()
        state.card_size = self.size_slider.value()
        try:
            self.window_state.save(state)
        except OSError as exc:  # the next start uses the defaults
            log.warning("window state not saved: %s", exc)

    # ---- a store ------------------------------------------------------------------------

    def open_store_when_ready(self, info: StoreInfo, product_id: int | None = None) -> None:
        """Opens once the TLS context is built (off the GUI thread), for the command line."""
        request = self._new_open_request()
        self._background.submit("tls", _tls_context, on_success=self._if_current(
            request, lambda _: self.open_store(info, product_id)))

    def _open_with_secret(self, saved: SavedStore, secret: str,
                          product_id: int | None = None) -> None:
        try:
            credentials = saved.credentials(secret)
        except ValueError as exc:  # e.g. a secret with an invisible character in it
            self.show_start()
            self.start_screen.show_message(f"{saved.label} could not be opened: {exc}",
                                           error=True)
            return
        self.open_store(StoreInfo(saved.label, credentials), product_id, saved=saved)

    def _start_tls(self) -> None:
        if not self._tls_started:
            self._tls_started = True
            self._background.submit("tls", _tls_context)

    def _prepare_for_a_store(self) -> None:
        self._tls_started = True  # a store opened first has it built already: cheap
        self._background.submit("prepare-for-a-store", _prepare_for_a_store,
                                on_success=lambda _: setattr(self, "prepared_for_a_store",
                                                             True))

    def open_store(self, info: StoreInfo, product_id: int | None = None,
                   saved: SavedStore | None = None) -> StorePage | None:
        """Shows `info`'s store; `saved` is the saved store it comes from, if any."""
        self._start_tls()  # ready long before the session (below) has imported its clients
        self._close_session()
        self.start_screen.demo_button.setEnabled(True)
        self.start_screen.show_message("")
        from app.services.session import StoreSession
        from app.ui.store_page import StorePage
        try:
            session = StoreSession(info, self.cache_dir, parent=self,
                                   journal_dir=self.journal_dir,
                                   saved_copy_dir=self.saved_copy_dir,
                                   cache_max_bytes=self.app_settings.cache_max_bytes)
        except (ValueError, OSError) as exc:
            self.start_screen.show_message(f"{info.label} could not be opened: {exc}", error=True)
            return None
        # Offline by choice asks the store nothing, not even the product it opens on.
        page = StorePage(session, open_first=None if self.offline_action.isChecked()
                         else product_id)
        self.session, self.page = session, page
        self._fit_page_beside_docks()
        self._attach_pending_changes(session, page)
        if page.editor is not None:
            self.undo_group.addStack(page.editor.undo_stack)
            self.undo_group.setActiveStack(page.editor.undo_stack)
            page.editor.notice.connect(lambda text: self.status.showMessage(text, 10000))
        self._add_page_edit_actions(page)
        self.current_store = saved
        if saved is not None:  # the demo and command-line stores are not reopened next time
            self.remembered.last_store = saved.store_id
            self.remembered.last_product = product_id
        session.rateLimitChanged.connect(self.status.set_rate_limit)
        session.connectionChanged.connect(self.status.set_connection)
        if session.queue is not None:
            session.queue.countsChanged.connect(self.status.set_changes)
            session.queue.uploadsChanged.connect(self.status.set_uploads)
            session.queue.resumedChanges.connect(self.status.show_resumed)  # "4 changes…"
        if page.upload_controls is not None:
            self.status.cancelUploadsRequested.connect(page.upload_controls.cancel_all)
        page.picturesFailingChanged.connect(self.status.set_pictures_failing)
        page.productOpened.connect(self._product_opened)
        page.imagesLoaded.connect(self._images_loaded)
        page.imageCountChanged.connect(self._images_loaded)
        page.selectionCountChanged.connect(
            lambda count: self.status.show_selection(count, page.image_model.rowCount()))
        page.grid.pictureWidthChanged.connect(self._grid_width_changed)
        page.editCredentialsRequested.connect(self.edit_credentials)  # the 401/403 panel
        page.grid.picture_width = self.size_slider.value()
        splitter = page.findChild(QSplitter, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if splitter is not None and self.remembered.splitter is not None:
            splitter.restoreState(self.remembered.splitter)
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        self.status.set_store(info.label)  # nothing said about the connection until it answers
        self.status.show()
        self.setWindowTitle(f"{info.label} — {APP_NAME}")
        self._show_store_actions(True)
        if self.offline_action.isChecked():
            session.work_offline(True)  # before the page asks anything of the store
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
            with QSignalBlocker(self.size_slider):
                self.size_slider.setValue(width)

    def _close_session(self) -> None:
        self._remember_page()
        self.current_store = None
        if self.page is not None:
            self.page.finish_editing()  # text being typed is queued before the session ends
            self.pending_panel.attach(None)
            self._remove_page_edit_actions()
            if self.page.editor is not None:
                self.undo_group.removeStack(self.page.editor.undo_stack)
            self.stack.removeWidget(self.page)
            self.page.deleteLater()
            self.page = None
        if self.session is not None:
            # Reads stop at once; a change already sent gets a few seconds to be answered
            # rather than be cut (the process ends with os._exit right after the window).
            self.session.close(drain_writes_s=WRITE_DRAIN_SECONDS)
            self.session.deleteLater()
            self.session = None

    def closeEvent(self, event: QCloseEvent) -> None:
        # Asks only when a change failed: waiting ones stay in the journal for the next start.
        queue = self.session.queue if self.session is not None else None
        failed = queue.failed_count() if queue is not None else 0
        if failed and not self.ask(
                "Changes not sent",
                f"{failed} change{'s' if failed != 1 else ''} could not be sent to the store. "
                "Close anyway? They are kept: next time their cards still show them, with Retry "
                "and Discard in the card menu.", QMessageBox.StandardButton.Close):
            event.ignore()
            return
        self.save_window_state()
        self._close_session()
        self._files.shutdown()
        self._background.shutdown()
        super().closeEvent(event)

    def shutdown_demo(self) -> None:
        """Stops the embedded emulator; called after the event loop has ended."""
        if self.demo is not None:
            self.demo.stop()
            self.demo = None
