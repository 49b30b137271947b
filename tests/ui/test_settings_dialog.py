"""Edit ▸ Settings…: what the picture cache holds (measured off the GUI thread), Clear cache
that keeps products available offline, and a lower limit that trims the cache and is kept."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.cache.blob_cache import DEFAULT_MAX_BYTES, BlobCache
from app.services.tasks import TaskRunner
from app.settings import GB, MIN_CACHE_BYTES, AppSettings
from app.ui.settings_dialog import SettingsDialog, usage_text

KB = 1024


def _filled_cache(root: Path) -> BlobCache:
    cache = BlobCache(root)
    for number in range(6):
        cache.put(f"https://cdn.example/pictures/{number}.jpg", bytes([number]) * (100 * KB))
    cache.pin("product-1", ["https://cdn.example/pictures/0.jpg",
                            "https://cdn.example/pictures/1.jpg"])
    return cache


def _dialog(qtbot: QtBot, tmp_path: Path, cache: BlobCache | None
            ) -> tuple[SettingsDialog, AppSettings, TaskRunner]:
    settings = AppSettings(tmp_path / "settings.ini")
    runner = TaskRunner("settings-test", max_workers=1)
    dialog = SettingsDialog(settings, cache, runner)
    qtbot.addWidget(dialog)
    return dialog, settings, runner


def test_the_dialog_says_what_the_cache_holds(qtbot: QtBot, tmp_path: Path) -> None:
    cache = _filled_cache(tmp_path / "images")
    dialog, _settings, runner = _dialog(qtbot, tmp_path, cache)
    assert dialog.usage_label.text() == "Measuring…"   # measured on the runner, not here
    dialog.show()
    qtbot.waitUntil(lambda: dialog.usage is not None, timeout=5000)
    text = dialog.usage_label.text()
    assert text == usage_text(dialog.usage)
    assert "6 pictures" in text and "600 KB" in text
    assert "200 KB (2 pictures) kept for products available offline" in text
    assert dialog.limit_box.value() == DEFAULT_MAX_BYTES / GB
    runner.shutdown()


def test_clear_cache_asks_and_keeps_products_available_offline(qtbot: QtBot,
                                                               tmp_path: Path) -> None:
    cache = _filled_cache(tmp_path / "images")
    dialog, _settings, runner = _dialog(qtbot, tmp_path, cache)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.usage is not None, timeout=5000)
    asked: list[str] = []
    dialog.ask = lambda title, text, action: asked.append(text) or False  # type: ignore
    qtbot.mouseClick(dialog.clear_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and "kept available offline stay" in asked[0]
    assert cache.get("https://cdn.example/pictures/5.jpg") is not None  # "no": nothing gone

    dialog.ask = lambda title, text, action: True  # type: ignore
    before = dialog.usage
    qtbot.mouseClick(dialog.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.usage is not before and dialog.usage.files == 2,
                    timeout=5000)
    assert cache.get("https://cdn.example/pictures/0.jpg") is not None
    assert cache.get("https://cdn.example/pictures/5.jpg") is None
    assert "kept for products available offline" in dialog.usage_label.text()
    runner.shutdown()


def test_a_lower_limit_trims_the_cache_and_is_kept(qtbot: QtBot, tmp_path: Path) -> None:
    cache = _filled_cache(tmp_path / "images")
    dialog, settings, runner = _dialog(qtbot, tmp_path, cache)
    dialog.show()
    dialog.limit_box.setValue(0.0)   # below the minimum: brought up to it
    assert dialog.chosen_cache_bytes() == MIN_CACHE_BYTES
    dialog.apply(settings, cache, runner, 300 * KB)  # what OK does, with a limit a test fills
    done = runner.submit("after", lambda: None)
    qtbot.waitUntil(lambda: cache.usage().total_bytes <= 300 * KB and not done.cancelled,
                    timeout=5000)
    assert cache.max_bytes == 300 * KB
    assert cache.get("https://cdn.example/pictures/0.jpg") is not None   # pinned: stays
    qtbot.waitUntil(lambda: (tmp_path / "settings.ini").exists(), timeout=5000)

    dialog.limit_box.setValue(3.5)
    dialog.accept()
    assert settings.cache_max_bytes == int(3.5 * GB) and cache.max_bytes == int(3.5 * GB)
    qtbot.waitUntil(lambda: AppSettings(tmp_path / "settings.ini").load().cache_max_bytes
                    == int(3.5 * GB), timeout=5000)
    runner.shutdown()


def test_ctrl_comma_opens_settings_and_a_store_uses_the_limit(qtbot: QtBot, emulator,
                                                              make_window, tmp_path: Path
                                                              ) -> None:
    from app.services.session import StoreInfo
    from tests.ui.conftest import oauth_for
    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    keys = window.settings_action.shortcuts()[0][0]
    QTest.keyClick(window.focusWidget() or window, keys.key(), keys.keyboardModifiers())
    qtbot.waitUntil(lambda: window.findChild(SettingsDialog) is not None, timeout=2000)
    dialog = window.findChild(SettingsDialog)
    qtbot.waitUntil(lambda: dialog.usage is not None, timeout=5000)
    dialog.limit_box.setValue(1.5)
    dialog.accept()
    qtbot.waitUntil(lambda: AppSettings(tmp_path / "config" / "settings.ini").load()
                    .cache_max_bytes == int(1.5 * GB), timeout=5000)
    page = window.open_store(StoreInfo("Test store", oauth_for(emulator)), 1)
    assert page.session.picture_cache.max_bytes == int(1.5 * GB)

    # The next window reads the file (on a worker) and its store's cache keeps to it.
    window.close()
    again = make_window()
    page = again.open_store(StoreInfo("Test store", oauth_for(emulator)), 1)
    qtbot.waitUntil(lambda: page.session.picture_cache.max_bytes == int(1.5 * GB),
                    timeout=5000)
