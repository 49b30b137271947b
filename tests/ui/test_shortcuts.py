"""Keyboard shortcuts: no two actions share a key under any platform's bindings; F5 always
refreshes; messages name the keys the actions really have."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.ui import shortcuts
from app.ui.main_window import MainWindow
from app.ui.shortcuts import REFRESH, press_hint
from tests.ui.conftest import oauth_for

K = QKeySequence.StandardKey

# What each platform theme binds to the standard keys the app uses, from Qt's table
# (qtbase src/gui/kernel/qplatformtheme.cpp, QPlatformThemePrivate::keyBindings; the GNOME and
# KDE schemes also get the X11 rows, and Qt 6 adds the keyboards' own Refresh/Find/Zoom keys
# everywhere). On macOS "Ctrl" is the Command key. The GNOME and KDE rows are checked against
# this machine's Qt by test_under_the_real_desktop_themes_... below.
# A standard key missing here fails the test: add its row for every platform.
_OWN_KEYS = {K.Refresh: "Refresh", K.Find: "Find", K.ZoomIn: "Zoom In", K.ZoomOut: "Zoom Out"}


def _rows(refresh: list[str], undo: list[str], redo: list[str]
          ) -> dict[QKeySequence.StandardKey, list[str]]:
    rows = {K.Refresh: refresh, K.Find: ["Ctrl+F"], K.ZoomIn: ["Ctrl++"], K.ZoomOut: ["Ctrl+-"]}
    rows = {key: keys + [_OWN_KEYS[key]] for key, keys in rows.items()}
    return rows | {K.Undo: undo, K.Redo: redo}


_WINDOWS_UNDO = (["Ctrl+Z", "Alt+Backspace", "Undo"], ["Ctrl+Y", "Shift+Alt+Backspace", "Redo"])
_UNIX_UNDO = (["Ctrl+Z", "F14", "Undo"], ["Ctrl+Shift+Z", "Redo"])

PLATFORM_BINDINGS: dict[str, dict[QKeySequence.StandardKey, list[str]]] = {
    "windows": _rows(["F5"], *_WINDOWS_UNDO),
    "macos": _rows(["Ctrl+R"], ["Ctrl+Z", "Undo"], ["Ctrl+Shift+Z", "Redo"]),
    "x11": _rows(["F5"], *_UNIX_UNDO),
    "kde": _rows(["F5"], *_UNIX_UNDO),
    "gnome": _rows(["Ctrl+R", "F5"], *_UNIX_UNDO),
}


def use_platform(monkeypatch: pytest.MonkeyPatch, platform: str) -> None:
    table = PLATFORM_BINDINGS[platform]

    def bindings(key: QKeySequence.StandardKey) -> list[QKeySequence]:
        if key not in table:
            pytest.fail(f"{key} has no row in PLATFORM_BINDINGS: add what each platform binds")
        return [QKeySequence(text) for text in table[key]]

    monkeypatch.setattr(shortcuts, "platform_bindings", bindings)


def _portable(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.PortableText)


def clashes(window: QWidget) -> dict[str, list[str]]:
    """Keys claimed by more than one action or shortcut that can be live at the same time.

    Window- and application-wide ones clash with every other; widget-only ones clash with
    those on the same widget and with the window-wide ones."""
    claims: dict[tuple[str, int], list[str]] = defaultdict(list)
    for item in window.findChildren(QAction) + window.findChildren(QShortcut):
        keys = item.shortcuts() if isinstance(item, QAction) else [item.key()]
        context = item.shortcutContext()
        scope = id(item.parent()) if context in (Qt.ShortcutContext.WidgetShortcut,
                                                 Qt.ShortcutContext.WidgetWithChildrenShortcut) \
            else 0
        name = item.text() if isinstance(item, QAction) else item.objectName() or repr(item)
        for key in keys:
            if not key.isEmpty():
                claims[(_portable(key), scope)].append(name)
    found: dict[str, list[str]] = {}
    for (key, scope), names in claims.items():
        together = names + (claims.get((key, 0), []) if scope else [])
        if len(together) > 1:
            found[key] = together
    return found


@pytest.fixture
def store_window(qtbot: QtBot, make_window, emulator):  # type: ignore[no-untyped-def]
    """A window with a store open, so the store page's own actions count too."""
    from app.services.session import StoreInfo

    def make() -> MainWindow:
        window = make_window()
        page = window.open_store(StoreInfo("Test store", oauth_for(emulator)))
        qtbot.waitUntil(lambda: page.images_ready, timeout=15000)
        return window

    return make


@pytest.mark.parametrize("platform", sorted(PLATFORM_BINDINGS))
def test_no_two_actions_share_a_key_on_any_platform(qtbot: QtBot, monkeypatch, store_window,
                                                    platform: str) -> None:
    use_platform(monkeypatch, platform)
    window = store_window()
    assert clashes(window) == {}
    refresh = [_portable(k) for k in window.refresh_action.shortcuts()]
    assert refresh[0] == "F5"  # whatever the platform says Refresh is
    if platform in ("gnome", "macos"):
        assert "Ctrl+R" in refresh  # the platform's own Refresh key, now that it is free
    assert "Ctrl+R" not in [_portable(k) for k in window.retry_action.shortcuts()]


def test_a_clash_added_later_is_caught(qtbot: QtBot, monkeypatch, store_window) -> None:
    use_platform(monkeypatch, "gnome")
    window = store_window()
    stray = QAction("Reload everything", window.page)
    stray.setShortcut(QKeySequence("F5"))
    window.page.addAction(stray)
    assert clashes(window) == {"F5": ["Refresh", "Reload everything"]} or \
        sorted(clashes(window)["F5"]) == ["Refresh", "Reload everything"]


def test_under_gnome_f5_and_ctrl_r_refresh_and_retry_has_its_own_key(
        qtbot: QtBot, monkeypatch, store_window) -> None:
    use_platform(monkeypatch, "gnome")
    window = store_window()
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=5000)
    target = window.page.grid
    for key, modifier in ((Qt.Key.Key_F5, Qt.KeyboardModifier.NoModifier),
                          (Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)):
        with qtbot.waitSignal(window.refresh_action.triggered, timeout=5000):
            qtbot.keyClick(target, key, modifier)
    retry_keys = window.retry_action.shortcuts()[0]
    with qtbot.waitSignal(window.retry_action.triggered, timeout=5000):
        qtbot.keyClick(target, retry_keys[0].key(), retry_keys[0].keyboardModifiers())


@pytest.mark.parametrize("platform", sorted(PLATFORM_BINDINGS))
def test_messages_name_the_key_the_action_really_has(qtbot: QtBot, monkeypatch, make_window,
                                                     platform: str) -> None:
    use_platform(monkeypatch, platform)
    window = make_window()
    first = window.refresh_action.shortcuts()[0].toString(QKeySequence.SequenceFormat.NativeText)
    assert press_hint(REFRESH) == f"press Refresh ({first})"
    for action in window.actions():
        if action.shortcuts():
            key = action.shortcuts()[0].toString(QKeySequence.SequenceFormat.NativeText)
            assert action.toolTip().endswith(f"({key})"), action.text()


APP_UI = Path(__file__).resolve().parents[2] / "app" / "ui"
# An action's key written into a message: "Refresh (F5)", "(Ctrl+Shift+R)", "press F5".
KEY_IN_TEXT = re.compile(r"\((?:F\d{1,2}|(?:Ctrl|Shift|Alt|Meta)\+[^)\s,]+)\)"
                         r"|\bpress (?:F\d{1,2}\b|(?:Ctrl|Shift|Alt|Meta)\+)")


def test_no_message_spells_out_a_key_and_no_action_bypasses_the_table() -> None:
    """Keys live in app/ui/shortcuts.py only: a message names them with press_hint, and a
    StandardKey used anywhere else would escape the per-platform check above."""
    offenders = []
    for path in sorted(APP_UI.glob("*.py")):
        if path.name == "shortcuts.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if KEY_IN_TEXT.search(code) or "StandardKey." in code:
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert offenders == []


# The same window under the real platform themes of Linux desktops: a child process on an X
# server, since a theme is chosen once, when the application starts.
_DUMP = """
import json, sys, tempfile
from pathlib import Path
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication
from app.credentials import CredentialStore
from app.services.store_registry import StoreRegistry
from app.ui.main_window import MainWindow
from tests.support.memory_keyring import MemoryKeyring
app = QApplication([])
folder = Path(tempfile.mkdtemp())
window = MainWindow(CredentialStore(MemoryKeyring()), StoreRegistry(folder / "stores.json"), None)
portable = QKeySequence.SequenceFormat.PortableText
K = QKeySequence.StandardKey
print(json.dumps({
    "actions": {a.text(): [k.toString(portable) for k in a.shortcuts()] for a in window.actions()},
    "bindings": {name: [k.toString(portable) for k in QKeySequence.keyBindings(getattr(K, name))]
                 for name in sys.argv[1:]},
}))
"""


@pytest.mark.parametrize("desktop, platform", [("GNOME", "gnome"), ("KDE", "kde")])
def test_under_the_real_desktop_themes_f5_refreshes_and_no_key_is_shared(
        tmp_path: Path, desktop: str, platform: str) -> None:
    import json
    import os
    import shutil
    import subprocess
    import sys

    assert shutil.which("xvfb-run"), "xvfb-run is missing: apt-get install xvfb xauth"
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("QT_QPA_PLATFORM", "QT_QPA_PLATFORMTHEME", "DESKTOP_SESSION")}
    environment.update(QT_QPA_PLATFORM="xcb", XDG_CURRENT_DESKTOP=desktop,
                       PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    names = [key.name for key in PLATFORM_BINDINGS[platform]]
    result = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x800x24",
                             sys.executable, "-c", _DUMP, *names], env=environment,
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    dump = json.loads(result.stdout.strip().splitlines()[-1])
    # The table the other tests use says what this Qt really binds on that desktop.
    assert dump["bindings"] == {key.name: keys for key, keys in
                                PLATFORM_BINDINGS[platform].items()}
    actions = dump["actions"]
    assert actions["Refresh"][0] == "F5"
    owners: dict[str, list[str]] = defaultdict(list)
    for name, keys in actions.items():
        for key in keys:
            owners[key].append(name)
    assert {key: names for key, names in owners.items() if len(names) > 1} == {}
