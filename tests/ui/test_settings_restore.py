"""What the window remembers: size and place, splitter, card size, last store and product."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSplitter
from pytestqt.qtbot import QtBot

from app.credentials import SERVICE, CredentialStore
from app.services.store_registry import SavedStore, StoreRegistry
from app.ui.main_window import MainWindow
from app.ui.window_state import RememberedState, WindowStateFile
from tests.support.memory_keyring import MemoryKeyring


def _saved(emulator) -> SavedStore:  # type: ignore[no-untyped-def]
    return SavedStore("Emulated shop", "oauth", store_hash=emulator.config.store_hash,
                      api_base=emulator.oauth_api_base)


def _ready(qtbot: QtBot, window: MainWindow) -> MainWindow:
    qtbot.waitUntil(lambda: window.stores_ready and window.remembered_ready, timeout=10000)
    return window


def _splitter(window: MainWindow) -> QSplitter:
    assert window.page is not None
    splitter = window.page.findChild(QSplitter,
                                     options=Qt.FindChildOption.FindDirectChildrenOnly)
    assert splitter is not None
    return splitter


def test_the_next_start_reopens_the_last_store_and_product_as_they_were(
        qtbot: QtBot, make_window, emulator, tmp_path: Path, gui_thread_guard,
        monkeypatch) -> None:
    keyring = MemoryKeyring()
    saved = _saved(emulator)
    with gui_thread_guard.paused():
        StoreRegistry(tmp_path / "config" / "stores.json").add(saved)
    keyring.set_password(SERVICE, saved.store_id, emulator.config.access_token)
    loaded_on: list[threading.Thread] = []
    load = WindowStateFile.load

    def watched_load(self: WindowStateFile) -> RememberedState:
        loaded_on.append(threading.current_thread())
        return load(self)

    monkeypatch.setattr(WindowStateFile, "load", watched_load)

    first = _ready(qtbot, make_window(CredentialStore(keyring)))
    first.open_saved(saved)
    qtbot.waitUntil(lambda: first.page is not None and first.page.product_model.rowCount() > 3,
                    timeout=15000)
    page = first.page
    page.product_view.setCurrentIndex(page.product_model.index(3))
    product_id = page.product_model.product_at(3).id
    qtbot.waitUntil(lambda: page.image_model.product_id == product_id and page.images_ready,
                    timeout=15000)
    first.setGeometry(QRect(30, 40, 1100, 700))
    _splitter(first).setSizes([200, 600, 280])
    sizes = _splitter(first).sizes()
    first.size_slider.setValue(200)
    first.close()

    second = make_window(CredentialStore(keyring))  # shown at the default size first
    second.restore_last_session()
    qtbot.waitUntil(lambda: second.page is not None and second.page.images_ready
                    and second.page.image_model.product_id == product_id, timeout=15000)
    assert second.current_store == saved
    assert second.geometry() == QRect(30, 40, 1100, 700)
    assert second.size_slider.value() == 200 and second.page.grid.picture_width == 200
    assert _splitter(second).sizes() == sizes
    # Read on a worker: start-up never waits on the settings file.
    assert loaded_on and threading.main_thread() not in loaded_on


def test_a_place_off_every_screen_is_not_restored(qtbot: QtBot, make_window,
                                                  tmp_path: Path) -> None:
    WindowStateFile(tmp_path / "config" / "window.ini").save(
        RememberedState(geometry=QRect(6000, 4000, 900, 620)))  # a screen unplugged since
    window = _ready(qtbot, make_window())
    screen = QGuiApplication.primaryScreen().availableGeometry()
    assert window.size() == QSize(900, 620).boundedTo(screen.size())
    assert screen.contains(window.geometry().topLeft())


def test_the_last_store_without_its_secret_is_selected_not_opened(
        qtbot: QtBot, make_window, emulator, tmp_path: Path, gui_thread_guard) -> None:
    saved = _saved(emulator)
    other = SavedStore("Another shop", "oauth", store_hash="other1")
    with gui_thread_guard.paused():
        registry = StoreRegistry(tmp_path / "config" / "stores.json")
        registry.add(other)
        registry.add(saved)
        WindowStateFile(tmp_path / "config" / "window.ini").save(
            RememberedState(last_store=saved.store_id, last_product=3))
    window = make_window(CredentialStore(MemoryKeyring()))  # an empty keyring
    window.restore_last_session()
    qtbot.waitUntil(lambda: "no credentials for Emulated shop" in
                    window.start_screen.message.text(), timeout=10000)
    assert window.start_screen.selected_store() == saved
    assert window.page is None
