"""Where the app keeps its settings, its data and its cache, by the conventions of each OS.

`PIM_DATA_DIR` overrides all three (they become `config/`, `data/` and `cache/` under it): the
portable build sets it to `pim-data/` beside the executable (packaging/hooks/rthook_portable.py).
Directories are created on first use, never at import.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, NamedTuple

from app import APP_NAME

DATA_DIR_ENV = "PIM_DATA_DIR"
LINUX_DIR_NAME = "product-image-manager"  # XDG convention: lower case, no spaces

Kind = Literal["config", "data", "cache"]


class BaseDirs(NamedTuple):
    config: Path
    data: Path
    cache: Path


def base_dirs(platform: str | None = None, environ: Mapping[str, str] | None = None,
              home: Path | None = None) -> BaseDirs:
    """The three directories for `platform` (a `sys.platform` value), without touching the disk."""
    platform = sys.platform if platform is None else platform
    environ = os.environ if environ is None else environ
    home = Path.home() if home is None else home

    override = environ.get(DATA_DIR_ENV)
    if override:
        root = Path(override).expanduser().absolute()
        return BaseDirs(config=root / "config", data=root / "data", cache=root / "cache")

    if platform == "win32":
        roaming = Path(environ.get("APPDATA") or home / "AppData" / "Roaming")
        local = Path(environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
        # Settings roam with the user's profile; images and cache stay on this machine.
        return BaseDirs(config=roaming / APP_NAME,
                        data=local / APP_NAME / "Data",
                        cache=local / APP_NAME / "Cache")

    if platform == "darwin":
        support = home / "Library" / "Application Support" / APP_NAME
        return BaseDirs(config=support, data=support,
                        cache=home / "Library" / "Caches" / APP_NAME)

    # Linux and the other Unixes: XDG Base Directory specification, which says to ignore
    # relative paths in the variables.
    return BaseDirs(
        config=(_xdg_env(environ, "XDG_CONFIG_HOME") or home / ".config") / LINUX_DIR_NAME,
        data=(_xdg_env(environ, "XDG_DATA_HOME") or home / ".local/share") / LINUX_DIR_NAME,
        cache=(_xdg_env(environ, "XDG_CACHE_HOME") or home / ".cache") / LINUX_DIR_NAME,
    )


def config_dir() -> Path:
    """Settings (store connections without their secrets, window state). Created if missing."""
    return _ensure("config")


def data_dir() -> Path:
    """State worth keeping: pending offline edits, the undo journal. Created if missing."""
    return _ensure("data")


def cache_dir() -> Path:
    """Downloaded images and thumbnails; safe to delete at any time. Created if missing."""
    return _ensure("cache")


def _ensure(kind: Kind) -> Path:
    path: Path = getattr(base_dirs(), kind)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _xdg_env(environ: Mapping[str, str], name: str) -> Path | None:
    value = environ.get(name)
    if not value:
        return None
    path = Path(value)
    return path if path.is_absolute() else None


def journal_dir() -> Path:
    """The journal of changes not yet sent and the dropped files they upload (in the data
    folder: losing it loses the merchant's work, unlike the cache). Created if missing."""
    path = _ensure("data") / "journal"
    path.mkdir(parents=True, exist_ok=True)
    return path


def metadata_dir() -> Path:
    """The offline copy of what was seen of each store (products, images, which products
    are kept offline), beside the journal's folder in the data folder but never inside it:
    setting a damaged copy aside must not touch the journal. Created if missing."""
    path = _ensure("data") / "metadata"
    path.mkdir(parents=True, exist_ok=True)
    return path
