"""The start screen: two clear ways in, saved stores (also those kept for this session only),
Enter and Tab, a damaged list of stores said out loud, and editing a store's credentials."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.credentials import SERVICE, CredentialStore
from app.services.session import StoreInfo
from app.services.store_registry import SavedStore, StoreRegistry
from app.ui.connect_dialog import KEEP_SECRET_HINT, ConnectDialog
from app.ui.main_window import MainWindow
from app.ui.start_screen import SESSION_ONLY
from tests.support.memory_keyring import MemoryKeyring
from tests.ui.conftest import oauth_for, when_dialog_opens


def _saved(emulator, label: str = "Emulated shop") -> SavedStore:  # type: ignore[no-untyped-def]
    return SavedStore(label, "oauth", store_hash=emulator.config.store_hash,
                      api_base=emulator.oauth_api_base)


def _registry(tmp_path: Path) -> StoreRegistry:
    return StoreRegistry(tmp_path / "config" / "stores.json")  # the file make_window uses


def _ready(qtbot: QtBot, window: MainWindow) -> MainWindow:
    qtbot.waitUntil(lambda: window.stores_ready and window.remembered_ready, timeout=10000)
    return window


def _listed(window: MainWindow) -> list[str]:
    items = window.start_screen.saved_list
    return [items.item(row).text() for row in range(items.count())]


def _visible_texts(widget: QWidget) -> str:
    return " ".join(label.text() for label in widget.findChildren(QLabel)
                    if label.isVisibleTo(widget.window()) and widget.isVisible())


def _wait_open(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.page is not None and window.page.images_ready,
                    timeout=15000)


def test_without_saved_stores_two_clear_choices_and_nothing_that_needs_a_store(
        qtbot: QtBot, make_window, gui_thread_guard) -> None:
    window = _ready(qtbot, make_window())
    screen = window.start_screen
    assert not screen.saved_list.isVisible()  # no empty list box
    for button, line in ((screen.connect_button, screen.connect_line),
                         (screen.demo_button, screen.demo_line)):
        assert button.isVisible() and button.isEnabled()
        assert line.isVisible() and line.text() == button.accessibleDescription()
    assert screen.connect_button.text().replace("&", "") == "Connect a store…"
    assert screen.demo_button.text().replace("&", "") == "Try the demo store"
    # Toolbar actions that need a store are hidden, not greyed; nothing says "Online".
    assert not any(action.isVisible() for action in window.store_actions)
    assert not window.toolbar.isVisible()
    texts = _visible_texts(window.status).lower()
    assert "online" not in texts and "connected" not in texts


def test_back_to_stores_hides_the_store_actions_and_the_online_state(
        qtbot: QtBot, make_window, emulator, gui_thread_guard) -> None:
    window = _ready(qtbot, make_window())
    window.open_store(StoreInfo("Test store", oauth_for(emulator)))
    _wait_open(qtbot, window)
    assert all(action.isVisible() for action in window.store_actions)
    qtbot.waitUntil(lambda: "Connected" in _visible_texts(window.status))
    window.show_start()
    assert not any(action.isVisible() for action in window.store_actions)
    texts = _visible_texts(window.status).lower()
    assert "online" not in texts and "connected" not in texts


def test_enter_opens_the_selected_store_and_tab_goes_through_every_control(
        qtbot: QtBot, make_window, emulator, tmp_path: Path, gui_thread_guard) -> None:
    keyring = MemoryKeyring()
    first, second = _saved(emulator, "First shop"), SavedStore("Second shop", "oauth",
                                                             store_hash="other1")
    with gui_thread_guard.paused():
        _registry(tmp_path).add(first)
        _registry(tmp_path).add(second)
    keyring.set_password(SERVICE, first.store_id, emulator.config.access_token)
    window = _ready(qtbot, make_window(CredentialStore(keyring)))
    screen = window.start_screen
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    assert [text.split("  —  ")[0] for text in _listed(window)] == ["First shop", "Second shop"]
    # The keyboard starts on the stores; Tab visits each control in reading order.
    assert QApplication.focusWidget() is screen.saved_list
    order = [screen.open_button, screen.edit_button, screen.remove_button,
             screen.connect_button, screen.demo_button]
    for expected in order:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is expected
    for control in [screen.saved_list, *order]:
        assert control.accessibleName() or (isinstance(control, QAbstractButton)
                                             and control.text())
    screen.saved_list.setFocus()
    qtbot.keyClick(screen.saved_list, Qt.Key.Key_Return)
    _wait_open(qtbot, window)
    assert window.page.image_model.rowCount() > 0
    assert window.current_store == first


def test_a_store_kept_for_this_session_only_stays_listed(qtbot: QtBot, make_window, emulator,
                                                         tmp_path: Path, monkeypatch) -> None:
    from keyring.backends import fail

    window = _ready(qtbot, make_window(CredentialStore(fail.Keyring())))
    monkeypatch.setattr(window, "ask", lambda *args: True)  # "keep it for this session"
    window.add_store(_saved(emulator), emulator.config.access_token)
    _wait_open(qtbot, window)
    window.show_start()
    assert _listed(window) == [f"Emulated shop  —  {emulator.config.store_hash}  "
                               f"({SESSION_ONLY})"]
    assert not (tmp_path / "config" / "stores.json").exists()  # still nothing on disk
    # And it opens again, without a keyring.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window.start_screen.saved_list, Qt.Key.Key_Return)
    _wait_open(qtbot, window)
    assert window.page.image_model.rowCount() > 0


def test_a_damaged_list_of_stores_is_kept_aside_said_and_never_overwritten(
        qtbot: QtBot, make_window, emulator, tmp_path: Path, gui_thread_guard) -> None:
    path = tmp_path / "config" / "stores.json"
    damaged = b'{"stores": [{"label": "Main shop", "kind": "oauth", "store_hash": "ab'
    with gui_thread_guard.paused():
        path.parent.mkdir(parents=True)
        path.write_bytes(damaged)
    window = _ready(qtbot, make_window())  # the guard fails the test if read on the GUI thread
    notice = window.start_screen.notice
    assert notice.isVisible()
    with gui_thread_guard.paused():
        kept = [p for p in path.parent.iterdir() if p.name.startswith("stores.json.damaged-")]
    assert len(kept) == 1
    assert kept[0].name in notice.text() and "Connect your stores again" in notice.text()
    window.add_store(_saved(emulator), emulator.config.access_token)
    _wait_open(qtbot, window)
    with gui_thread_guard.paused():
        assert kept[0].read_bytes() == damaged
        assert [s.label for s in _registry(tmp_path).stores()] == ["Emulated shop"]




def test_edit_credentials_of_the_open_store_after_a_refusal(qtbot: QtBot, make_window, emulator,
                                                           tmp_path: Path,
                                                           gui_thread_guard) -> None:
    keyring = MemoryKeyring()
    saved = _saved(emulator)
    with gui_thread_guard.paused():
        _registry(tmp_path).add(saved)
    keyring.set_password(SERVICE, saved.store_id, "an-old-token")
    window = _ready(qtbot, make_window(CredentialStore(keyring)))
    window.open_saved(saved)
    qtbot.waitUntil(lambda: window.page is not None and window.page.product_model.failed,
                    timeout=15000)  # 401: the store refused the old token
    seen: dict[str, object] = {}

    def fill(dialog: ConnectDialog) -> None:
        seen.update(hash=dialog.store_hash_field.text(), base=dialog.api_base_field.text(),
                    advanced=dialog.advanced.isChecked(),
                    token=dialog.access_token_field.text(),
                    hint=dialog.access_token_field.placeholderText())
        dialog.access_token_field.setText(emulator.config.access_token)
        dialog.save_button.click()

    when_dialog_opens(window, fill)
    window.edit_credentials()
    qtbot.waitUntil(lambda: window.page is not None and window.page.images_ready
                    and not window.page.images_failed, timeout=15000)
    assert seen == {"hash": emulator.config.store_hash, "base": emulator.oauth_api_base,
                    "advanced": True, "token": "", "hint": KEEP_SECRET_HINT}
    assert window.page.image_model.rowCount() > 0
    assert keyring.get_password(SERVICE, saved.store_id) == emulator.config.access_token


def test_edit_on_the_start_screen_keeps_the_secret_when_left_empty(
        qtbot: QtBot, make_window, emulator, tmp_path: Path, gui_thread_guard) -> None:
    keyring = MemoryKeyring()
    saved = _saved(emulator)
    with gui_thread_guard.paused():
        _registry(tmp_path).add(saved)
    keyring.set_password(SERVICE, saved.store_id, emulator.config.access_token)
    window = _ready(qtbot, make_window(CredentialStore(keyring)))

    def rename(dialog: ConnectDialog) -> None:
        dialog.label_field.setText("Renamed shop")
        dialog.save_button.click()

    when_dialog_opens(window, rename)
    window.start_screen.edit_button.click()
    _wait_open(qtbot, window)
    assert window.page.image_model.rowCount() > 0
    assert keyring.get_password(SERVICE, saved.store_id) == emulator.config.access_token
    with gui_thread_guard.paused():
        assert [s.label for s in _registry(tmp_path).stores()] == ["Renamed shop"]
    window.show_start()
    assert _listed(window)[0].startswith("Renamed shop")
