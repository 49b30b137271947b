"""App settings in their ini file: defaults, a round trip, and values a hand-edited file
may hold."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from app.cache.blob_cache import DEFAULT_MAX_BYTES
from app.settings import (CACHE_MAX_BYTES, GB, MAX_CACHE_BYTES, MIN_CACHE_BYTES, AppSettings)


def test_without_a_file_the_defaults_hold(tmp_path: Path) -> None:
    settings = AppSettings(tmp_path / "settings.ini").load()
    assert settings.cache_max_bytes == DEFAULT_MAX_BYTES
    assert not (tmp_path / "settings.ini").exists()   # reading writes nothing


def test_a_saved_cap_is_read_back(tmp_path: Path) -> None:
    settings = AppSettings.beside(tmp_path / "window.ini")
    assert settings.path == tmp_path / "settings.ini"
    settings.cache_max_bytes = 5 * GB
    settings.save()
    assert AppSettings(tmp_path / "settings.ini").load().cache_max_bytes == 5 * GB


def test_a_hand_edited_value_falls_back_or_is_brought_into_range(tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    for written, read in (("lots", DEFAULT_MAX_BYTES), ("12", MIN_CACHE_BYTES),
                          (str(10 ** 15), MAX_CACHE_BYTES), (str(3 * GB), 3 * GB)):
        raw = QSettings(str(path), QSettings.Format.IniFormat)
        raw.setValue(CACHE_MAX_BYTES, written)
        raw.sync()
        assert AppSettings(path).load().cache_max_bytes == read, written


def test_settings_without_a_folder_live_in_memory() -> None:
    settings = AppSettings.beside(None)
    settings.cache_max_bytes = 4 * GB
    settings.save()   # nothing to write, nothing raised
    assert settings.load().cache_max_bytes == 4 * GB
