"""Find the files in `resources/` (icons, desktop metadata) from a checkout or a frozen bundle.

A source checkout and an editable install read `resources/` beside the `app` package; a
PyInstaller bundle carries it as `<sys._MEIPASS>/resources` (onedir, onefile and the macOS .app,
whose `Contents/Frameworks/resources` links to `Contents/Resources/resources`).
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

APP_ID = "io.github.productimagemanager.ProductImageManager"  # desktop file, AppStream, macOS
APP_ICON_NAME = "product-image-manager"  # resources/icons/app/<name>.svg, .ico, .icns
RESOURCES_DIR_NAME = "resources"


@functools.cache
def resources_root() -> Path:
    """The `resources/` directory; FileNotFoundError names every place that was searched."""
    candidates = []
    bundle_dir = getattr(sys, "_MEIPASS", None)
    if bundle_dir:
        candidates.append(Path(bundle_dir) / RESOURCES_DIR_NAME)
    candidates.append(Path(__file__).resolve().parent.parent / RESOURCES_DIR_NAME)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        "the resources/ directory is missing; looked in: " + ", ".join(map(str, candidates)))


def resource_path(*parts: str) -> Path:
    """`resources/<parts...>`; the file itself may not exist (callers may probe)."""
    return resources_root().joinpath(*parts)


def icon_path(name: str) -> Path:
    """The toolbar icon `name` (e.g. "add-image", "star-outline") as an SVG file path."""
    path = resource_path("icons", "toolbar", f"{name}.svg")
    if not path.is_file():
        known = sorted(p.stem for p in path.parent.glob("*.svg"))
        raise FileNotFoundError(f"no toolbar icon {name!r}; known icons: {', '.join(known)}")
    return path


def app_icon_path(size: int | None = None) -> Path:
    """The application icon: the SVG master, or the PNG rendered at `size` pixels."""
    if size is None:
        return resource_path("icons", "app", f"{APP_ICON_NAME}.svg")
    return resource_path("icons", "app", "png", f"{APP_ICON_NAME}-{size}.png")

