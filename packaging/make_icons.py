"""Render the app icon master (SVG) to the PNG sizes, the Windows .ico and the macOS .icns.

    .venv/bin/python packaging/make_icons.py

Run it after editing resources/icons/app/product-image-manager.svg and commit what it writes:
the build uses the committed files and never runs this script. Each size is rendered from the
vector master (not scaled down from a big bitmap), so small icons stay sharp.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display needed

from PIL import Image  # noqa: E402
from PySide6.QtCore import QBuffer, QIODevice, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from app.resources import APP_ICON_NAME  # noqa: E402

ICON_DIR = ROOT / "resources" / "icons" / "app"
MASTER = ICON_DIR / f"{APP_ICON_NAME}.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # 256 is the largest an .ico entry can hold
ICNS_SIZES = (32, 64, 128, 256, 512, 1024)  # 16 comes from 32; 1024 is the 512@2x slot


def render(renderer: QSvgRenderer, size: int) -> Image.Image:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing
                           | QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGBA")


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (kept alive)
    renderer = QSvgRenderer(str(MASTER))
    if not renderer.isValid():
        print(f"make_icons: {MASTER} is not a valid SVG", file=sys.stderr)
        return 1
    renders = {size: render(renderer, size)
               for size in sorted(set(PNG_SIZES + ICO_SIZES + ICNS_SIZES))}

    png_dir = ICON_DIR / "png"
    png_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for size in PNG_SIZES:
        path = png_dir / f"{APP_ICON_NAME}-{size}.png"
        renders[size].save(path, optimize=True)
        written.append(path)

    ico = ICON_DIR / f"{APP_ICON_NAME}.ico"
    renders[256].save(ico, sizes=[(s, s) for s in ICO_SIZES],
                      append_images=[renders[s] for s in ICO_SIZES if s != 256])
    written.append(ico)

    icns = ICON_DIR / f"{APP_ICON_NAME}.icns"
    renders[1024].save(icns, append_images=[renders[s] for s in ICNS_SIZES if s != 1024])
    written.append(icns)

    for path in written:
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
