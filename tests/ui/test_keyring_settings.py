"""A broken keyring setting never stops the app, and the self-test says honestly what it means.

Real processes (`python -m app ...`) with PYTHON_KEYRING_BACKEND naming a missing module, a
class that raises when made, keyring's "fail" backend and a plaintext backend the app refuses.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.credentials import CredentialStore
from app.services.store_registry import SavedStore
from app.ui.application import check_keyring
from tests.ui.test_command_line import _run

BACKENDS = '''
from keyring.backend import KeyringBackend


class PlaintextKeyring(KeyringBackend):
    """Ranks itself high, but keeps passwords unprotected: the app must refuse it."""
    priority = 5
    store = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


class ExplodingKeyring(KeyringBackend):
    priority = 5

    def __init__(self):
        raise RuntimeError("this backend is broken")

    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        pass

    def delete_password(self, service, username):
        pass
'''

SETTINGS = {
    "missing": ("no_such_module.Keyring", "PYTHON_KEYRING_BACKEND"),
    "raising": ("pim_test_backends.ExplodingKeyring", "PYTHON_KEYRING_BACKEND"),
    "fail": ("keyring.backends.fail.Keyring", "No system keyring"),
    "plaintext": ("pim_test_backends.PlaintextKeyring", "unprotected"),
}


def keyring_env(tmp_path: Path, setting: str) -> dict[str, str]:
    modules = tmp_path / "modules"
    modules.mkdir(exist_ok=True)
    (modules / "pim_test_backends.py").write_text(BACKENDS)
    path = os.pathsep.join([str(modules), os.environ.get("PYTHONPATH", ""),
                            str(Path(__file__).resolve().parents[2])])
    return {"PYTHON_KEYRING_BACKEND": SETTINGS[setting][0], "PYTHONPATH": path}


@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_self_test_gives_an_honest_keyring_verdict(tmp_path: Path, setting: str) -> None:
    result = _run(["--self-test"], tmp_path, env=keyring_env(tmp_path, setting))
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stdout + result.stderr  # the app still works
    line = next(line for line in result.stdout.splitlines() if "keyring backend" in line)
    assert line.startswith("warn "), line  # not "ok" for a keyring the app will not use
    assert SETTINGS[setting][1] in line
    assert "session only" in line
    for every in result.stdout.splitlines():  # no line says "ok" and "fail" at once
        assert not (every.startswith("ok ") and "fail" in every.lower()), every
    assert "self-test passed with warnings: keyring backend" in result.stdout


@pytest.mark.parametrize("setting", ["missing", "raising"])
def test_the_demo_starts_whatever_the_keyring_setting(tmp_path: Path, setting: str) -> None:
    shot = tmp_path / "demo.png"
    result = _run(["--demo", "--product", "2", "--screenshot", str(shot)], tmp_path,
                  env=keyring_env(tmp_path, setting))
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stdout + result.stderr
    assert shot.is_file()


def test_a_broken_keyring_setting_is_said_at_start_and_leads_to_session_only(
        qtbot: QtBot, emulator, make_window, monkeypatch: pytest.MonkeyPatch,
        gui_thread_guard) -> None:
    """In the app itself: the window opens, the start screen says passwords cannot be saved
    (checked on a worker), and connecting a store takes the "this session only" path."""
    import keyring.core

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "no_such_module.Keyring")
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)  # keyring's choice, afresh
    secrets = CredentialStore()
    window = make_window(secrets)
    check_keyring(window, secrets)
    qtbot.waitUntil(lambda: "PYTHON_KEYRING_BACKEND" in window.start_screen.message.text(),
                    timeout=10000)
    assert "cannot be saved" in window.start_screen.message.text()
    questions: list[str] = []
    monkeypatch.setattr(window, "ask", lambda title, text, accept: questions.append(text) or True)
    window.add_store(SavedStore("Emulated shop", "oauth", store_hash=emulator.config.store_hash,
                                api_base=emulator.oauth_api_base),
                     emulator.config.access_token)
    qtbot.waitUntil(lambda: window.page is not None and window.page.images_ready, timeout=15000)
    assert "session only" in questions[0] and "PYTHON_KEYRING_BACKEND" in questions[0]


def test_the_demo_store_is_not_told_about_passwords(
        qtbot: QtBot, emulator, make_window, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store that keeps no secret (the demo, a command-line store) gets no status-bar line
    about the keyring; the start screen still holds the whole story."""
    import keyring.core

    from app.services.session import StoreInfo
    from tests.ui.conftest import oauth_for

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "no_such_module.Keyring")
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    secrets = CredentialStore()
    window = make_window(secrets)
    page = window.open_store(StoreInfo("Demo store", oauth_for(emulator)), 1)
    qtbot.waitUntil(lambda: page.images_ready, timeout=15000)
    check_keyring(window, secrets)
    qtbot.waitUntil(lambda: "cannot be saved" in window.start_screen.message.text(),
                    timeout=10000)
    assert "Passwords" not in window.status.currentMessage()
