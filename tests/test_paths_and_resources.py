"""Where settings, data and cache go on each OS, portable mode, and the bundled resources."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.paths import base_dirs
from app.resources import app_icon_path, icon_path

HOME = Path("/home/merchant")


def test_linux_follows_xdg() -> None:
    dirs = base_dirs("linux", {"XDG_CACHE_HOME": "/fast/cache"}, HOME)
    assert dirs.config == HOME / ".config/product-image-manager"
    assert dirs.data == HOME / ".local/share/product-image-manager"
    assert dirs.cache == Path("/fast/cache/product-image-manager")


def test_relative_xdg_paths_are_ignored() -> None:
    assert base_dirs("linux", {"XDG_CONFIG_HOME": "relative"}, HOME).config == \
        HOME / ".config/product-image-manager"


def test_windows_and_macos() -> None:
    windows = base_dirs("win32", {"APPDATA": "C:/Roaming", "LOCALAPPDATA": "C:/Local"}, HOME)
    assert windows.config == Path("C:/Roaming/Product Image Manager")
    assert windows.cache == Path("C:/Local/Product Image Manager/Cache")
    mac = base_dirs("darwin", {}, HOME)
    assert mac.cache == HOME / "Library/Caches/Product Image Manager"


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_portable_data_dir_overrides_everything(platform: str, tmp_path: Path) -> None:
    dirs = base_dirs(platform, {"PIM_DATA_DIR": str(tmp_path)}, HOME)
    assert (dirs.config, dirs.data, dirs.cache) == (
        tmp_path / "config", tmp_path / "data", tmp_path / "cache")


def test_toolbar_and_app_icons_exist() -> None:
    for name in ("refresh", "search", "retry", "zoom-in", "zoom-out", "store"):
        assert icon_path(name).is_file(), name
    assert app_icon_path().is_file()
    assert app_icon_path(64).read_bytes().startswith(b"\x89PNG")
