"""Widget-test fixtures: a main window wired to a real emulator, keyring in memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from app.api.auth import OAuthCredentials
from app.credentials import CredentialStore
from app.services.session import StoreInfo
from app.services.store_registry import StoreRegistry
from app.store_emulator import StoreEmulator
from app.ui.connect_dialog import ConnectDialog
from app.ui.main_window import MainWindow
from app.ui.store_page import StorePage
from app.ui.window_state import WindowStateFile
from tests.support.memory_keyring import MemoryKeyring


def oauth_for(emulator: StoreEmulator) -> OAuthCredentials:
    return OAuthCredentials(emulator.config.store_hash, emulator.config.access_token,
                            api_base=emulator.oauth_api_base)


@pytest.fixture
def make_window(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[..., MainWindow]]:
    windows: list[MainWindow] = []

    def make(secrets: object | None = None) -> MainWindow:
        # Every file of the window in tmp_path: saved stores and remembered state alike.
        window = MainWindow(secrets or CredentialStore(MemoryKeyring()),
                            StoreRegistry(tmp_path / "config" / "stores.json"),
                            tmp_path / "cache", WindowStateFile(tmp_path / "config" / "window.ini"))
        # The one place the window asks (closing with failed changes): a test that cares
        # replaces it; otherwise it must never open a modal box nobody answers.
        window.ask = lambda *args: True  # type: ignore[method-assign]
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        windows.append(window)
        return window

    yield make
    import shiboken6

    for window in windows:
        if shiboken6.isValid(window):  # pytest-qt may have closed and deleted it already
            window.close()


@pytest.fixture
def open_store(qtbot: QtBot, make_window: Callable[..., MainWindow]
               ) -> Callable[..., StorePage]:
    """Opens an emulator's store in a fresh window and waits for the first product's images."""

    def open_(emulator: StoreEmulator, product_id: int | None = None) -> StorePage:
        window = make_window()
        page = window.open_store(StoreInfo("Test store", oauth_for(emulator)), product_id)
        qtbot.waitUntil(lambda: page.images_ready, timeout=15000)
        return page

    return open_


def settle_pictures(qtbot: QtBot, page: StorePage) -> None:
    qtbot.waitUntil(lambda: page.grid.visible_pictures_settled()[0], timeout=15000)


def cdn_image_ids(emulator: StoreEmulator, product_id: int) -> list[int]:
    """The image ids whose renditions the CDN was asked for, in order."""
    prefix = f"/bcapp/{emulator.config.store_hash}/products/{product_id}/images/"
    ids = []
    for request in emulator.cdn_requests():
        if request.path.startswith(prefix):
            ids.append(int(request.path[len(prefix):].split("/", 1)[0]))
    return ids


def when_dialog_opens(window: MainWindow, act: Callable[[ConnectDialog], None]) -> None:
    """Runs `act` on the connect dialog once it is up (its exec() holds the test's call)."""
    def poll() -> None:
        dialog = window.findChild(ConnectDialog)
        if dialog is not None and dialog.isVisible():
            act(dialog)
        else:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)
