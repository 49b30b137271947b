"""Connecting a store: the dialog's verdicts, and credentials kept in the keyring only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.credentials import SERVICE, CredentialStore
from app.services.store_registry import SavedStore
from app.ui.connect_dialog import ConnectDialog
from tests.support.memory_keyring import MemoryKeyring


def _dialog(qtbot: QtBot) -> ConnectDialog:
    dialog = ConnectDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _fill_oauth(dialog: ConnectDialog, store_hash: str, token: str, api_base: str) -> None:
    dialog.tabs.setCurrentIndex(0)
    dialog.store_hash_field.setText(store_hash)
    dialog.access_token_field.setText(token)
    dialog.advanced.setChecked(True)
    dialog.api_base_field.setText(api_base)


def _fill_basic(dialog: ConnectDialog, url: str, user: str, key: str, api_base: str) -> None:
    dialog.tabs.setCurrentIndex(1)
    dialog.store_url_field.setText(url)
    dialog.username_field.setText(user)
    dialog.api_key_field.setText(key)
    dialog.advanced.setChecked(True)
    dialog.api_base_field.setText(api_base)


def _test(qtbot: QtBot, dialog: ConnectDialog) -> str:
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.last_test_ok is not None, timeout=15000)
    return dialog.verdict.text()


def test_oauth_connection_test_verdicts(qtbot: QtBot, emulator, gui_thread_guard) -> None:
    dialog = _dialog(qtbot)
    config = emulator.config
    _fill_oauth(dialog, config.store_hash, config.access_token, emulator.oauth_api_base)
    assert _test(qtbot, dialog).startswith("Connected: the store has 24 products")
    assert dialog.last_test_ok is True

    dialog.access_token_field.setText("not-the-token")
    assert _test(qtbot, dialog).startswith("Wrong credentials")
    assert "not-the-token" not in dialog.verdict.text()

    # The CDN origin is a web server, but not a store API.
    dialog.access_token_field.setText(config.access_token)
    dialog.api_base_field.setText(emulator.cdn_origin + f"/stores/{config.store_hash}/v2")
    assert _test(qtbot, dialog).startswith("Not a store")

    dialog.api_base_field.setText("http://127.0.0.1:9/stores/x/v2")  # nothing listens on 9
    assert _test(qtbot, dialog).startswith("Unreachable")


def test_basic_connection_test_verdicts(qtbot: QtBot, emulator, gui_thread_guard) -> None:
    dialog = _dialog(qtbot)
    config = emulator.config
    _fill_basic(dialog, emulator.store_url, config.basic_user, config.basic_key,
                emulator.basic_api_base)
    assert _test(qtbot, dialog).startswith("Connected")
    dialog.api_key_field.setText("wrong-key")
    assert _test(qtbot, dialog).startswith("Wrong credentials")


def test_read_only_token_connects_and_missing_fields_are_named(qtbot: QtBot, emulator,
                                                               gui_thread_guard) -> None:
    dialog = _dialog(qtbot)
    _fill_oauth(dialog, emulator.config.store_hash, emulator.config.read_only_tokens[0],
                emulator.oauth_api_base)
    assert _test(qtbot, dialog).startswith("Connected")  # reading is allowed
    dialog.store_hash_field.setText("")
    assert _test(qtbot, dialog) == ("Enter the store hash (the part after /stores/ in the "
                                    "API path).")
    dialog.store_hash_field.setText("abc")
    dialog.api_base_field.setText("ftp://example.com")
    assert "not an http(s) address" in _test(qtbot, dialog)


def _saved_for(emulator) -> SavedStore:  # type: ignore[no-untyped-def]
    return SavedStore("Emulated shop", "oauth", store_hash=emulator.config.store_hash,
                      api_base=emulator.oauth_api_base)


@pytest.mark.secret_service
def test_keyring_round_trip_on_a_real_secret_service(qtbot: QtBot, emulator, make_window,
                                                     secret_service, tmp_path: Path,
                                                     monkeypatch) -> None:
    backend = secret_service.backend()
    window = make_window(CredentialStore(backend))
    token = emulator.config.access_token
    saved = _saved_for(emulator)

    window.add_store(saved, token)
    qtbot.waitUntil(lambda: window.page is not None and window.page.images_ready, timeout=15000)
    assert backend.get_password(SERVICE, saved.store_id) == token
    # Settings hold everything but the secret.
    settings = (tmp_path / "config" / "stores.json").read_text()
    assert token not in settings
    assert json.loads(settings)["stores"][0]["store_hash"] == emulator.config.store_hash

    # Back to the start screen, then open the saved store: the secret comes from the keyring.
    window.show_start()
    assert window.start_screen.saved_list.count() == 1
    window.open_saved(saved)
    qtbot.waitUntil(lambda: window.page is not None and window.page.images_ready, timeout=15000)
    assert window.page.image_model.rowCount() > 0

    # Removing the store removes its secret.
    window.show_start()
    monkeypatch.setattr(window, "ask", lambda *args: True)
    window.remove_saved(saved)
    qtbot.waitUntil(lambda: window.start_screen.saved_list.count() == 0, timeout=10000)
    assert backend.get_password(SERVICE, saved.store_id) is None


def test_no_usable_keyring_offers_this_session_only(qtbot: QtBot, emulator, make_window,
                                                    tmp_path: Path, monkeypatch) -> None:
    from keyring.backends import fail

    window = make_window(CredentialStore(fail.Keyring()))
    questions: list[str] = []

    def ask(title: str, text: str, accept) -> bool:  # type: ignore[no-untyped-def]
        questions.append(text)
        return True

    monkeypatch.setattr(window, "ask", ask)
    saved = _saved_for(emulator)
    window.add_store(saved, emulator.config.access_token)
    qtbot.waitUntil(lambda: window.page is not None and window.page.images_ready, timeout=15000)
    assert "session only" in questions[0] and "keyring" in questions[0].lower()
    assert emulator.config.access_token not in questions[0]
    # Nothing was written anywhere: the store is not in the saved list.
    assert not (tmp_path / "config" / "stores.json").exists()


def test_declining_session_only_does_not_connect(qtbot: QtBot, emulator, make_window,
                                                 tmp_path: Path, monkeypatch) -> None:
    from keyring.backends import fail

    window = make_window(CredentialStore(fail.Keyring()))
    monkeypatch.setattr(window, "ask", lambda *args: False)
    window.add_store(_saved_for(emulator), emulator.config.access_token)
    qtbot.waitUntil(lambda: "Not connected" in window.start_screen.message.text(), timeout=10000)
    assert window.page is None


def test_saved_store_missing_its_secret_says_what_to_do(qtbot: QtBot, emulator, make_window,
                                                        gui_thread_guard) -> None:
    keyring = MemoryKeyring()
    window = make_window(CredentialStore(keyring))
    window.open_saved(_saved_for(emulator))
    qtbot.waitUntil(lambda: "no credentials" in window.start_screen.message.text(),
                    timeout=10000)
    assert "Choose Edit… to enter them again" in window.start_screen.message.text()


@pytest.mark.secret_service
def test_locked_keyring_says_so_and_offers_a_retry(qtbot: QtBot, emulator, make_window,
                                                   monkeypatch) -> None:
    from tests.support.secret_service import private_secret_service

    with private_secret_service(unlock=False) as locked:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", locked.bus_address)
        window = make_window(CredentialStore(locked.backend()))
        questions: list[tuple[str, str]] = []

        def ask(title: str, text: str, accept) -> bool:  # type: ignore[no-untyped-def]
            questions.append((title, text))
            return len(questions) < 2  # retry once, then give up

        monkeypatch.setattr(window, "ask", ask)
        window.add_store(_saved_for(emulator), emulator.config.access_token)
        qtbot.waitUntil(lambda: "stayed locked" in window.start_screen.message.text(),
                        timeout=15000)
    assert [title for title, _ in questions] == ["Keyring locked", "Keyring locked"]
    assert "unlock" in questions[0][1].lower()
    assert window.page is None


def test_pasting_the_api_path_or_store_address_gives_the_store_hash(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.tabs.setCurrentIndex(0)
    dialog.access_token_field.setText("token")
    for pasted in ("https://api.bigcommerce.com/stores/abc123/v3/",
                   "https://store-abc123.mybigcommerce.com/manage/dashboard"):
        dialog.store_hash_field.setText(pasted)
        credentials = dialog.credentials()
        assert credentials.v2_base == "https://api.bigcommerce.com/stores/abc123/v2"
        assert dialog.store_hash_field.text() == "abc123"  # the field shows what is used
        assert dialog.saved_store().store_hash == "abc123"


def test_what_is_not_a_store_hash_is_refused_next_to_the_field(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.tabs.setCurrentIndex(0)
    dialog.access_token_field.setText("token")
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    dialog.store_hash_field.setFocus()
    qtbot.keyClicks(dialog.store_hash_field, "https://www.myshop.com/")
    qtbot.keyClick(dialog.store_hash_field, Qt.Key.Key_Tab)  # leaving the field checks it
    qtbot.waitUntil(dialog.store_hash_problem.isVisible, timeout=5000)
    problem = dialog.store_hash_problem.text()
    assert "https://api.bigcommerce.com/stores/abc123/v3/" in problem
    assert "myshop" not in problem  # never echoed: a token may have been pasted by mistake
    # Next to the field: right under it, in the same form.
    field = dialog.store_hash_field
    assert dialog.store_hash_problem.parent() is field.parent()
    assert 0 <= dialog.store_hash_problem.y() - (field.y() + field.height()) < 20
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.result() != ConnectDialog.DialogCode.Accepted
    # Typing again hides the complaint until the field is checked again.
    qtbot.keyClicks(dialog.store_hash_field, "x")
    assert not dialog.store_hash_problem.isVisible()


def test_editing_fills_the_form_never_shows_the_secret_and_keeps_it_when_left_empty(
        qtbot: QtBot) -> None:
    saved = SavedStore("Outlet", "basic", store_url="https://store-q9.mybigcommerce.com",
                       username="admin", api_base="https://staging.example/api/v2")
    dialog = ConnectDialog(editing=saved, current_secret="the-current-key")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.kind == "basic" and dialog.advanced.isChecked()
    assert (dialog.label_field.text(), dialog.store_url_field.text(),
            dialog.username_field.text(), dialog.api_base_field.text()) == \
        ("Outlet", saved.store_url, "admin", saved.api_base)
    assert dialog.api_key_field.text() == "" and dialog.secret() == ""  # "" keeps the secret
    assert dialog.credentials().api_key == "the-current-key"  # what "Test connection" uses
    assert dialog.saved_store() == saved
    # Another kind of account needs its own secret: the old one is not carried over.
    dialog.tabs.setCurrentIndex(0)
    dialog.store_hash_field.setText("abc123")
    with pytest.raises(ValueError, match="access token"):
        dialog.saved_store()
