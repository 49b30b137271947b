"""One card's paint: the delegate's cached parts (`paint`) vs drawing every part each time
(`paint_uncached`, what the delegate did before), on the same cards in the same run.

A screen of cards at the default and the largest size, most with a picture, some loading, one
selected, every fifth the thumbnail, real alt text: painted into an offscreen image, many
times over, alternating the two ways so that both see the same machine load.
"""

from __future__ import annotations

import statistics
import time

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

from app.api.cdn import ImageDownloader
from app.api.models import ProductImage
from app.services.thumbnails import ThumbnailLoader
from app.ui.card_delegate import CardDelegate
from app.ui.image_model import ImageListModel
from benchmarks.figures import Figure, Size

CARDS = 30
GAP = 12


def _model(picture_width: int) -> tuple[ImageListModel, ThumbnailLoader]:
    loader = ThumbnailLoader(ImageDownloader(), None, workers=0)
    model = ImageListModel(loader)
    model.picture_size = QSize(picture_width, round(picture_width * 1.3))
    model.set_images(1, [ProductImage(
        id=n + 1, product_id=1, sort_order=n, is_thumbnail=n % 5 == 0,
        description=None if n % 3 == 0 else f"Canvas tote bag, lifestyle shot number {n}",
        tiny_url=f"https://cdn.example/{n}.44.58.jpg",
        standard_url=f"https://cdn.example/{n}.220.290.jpg",
        thumbnail_url=f"https://cdn.example/{n}.386.513.jpg") for n in range(CARDS)])
    for row in range(CARDS):
        if row % 6 == 5:
            continue  # still loading
        image = model.image_at(row)
        picture = QImage(picture_width, round(picture_width * 1.3), QImage.Format.Format_RGB32)
        picture.fill(QColor.fromHsv(row * 12 % 360, 120, 220))
        loader.loaded.emit(image.id, image.rendition_url(picture_width), picture, picture_width)
    return model, loader


def _paint_screen(delegate: CardDelegate, model: ImageListModel, target: QImage,
                  cached: bool) -> None:
    cell = delegate.geometry().size + QSize(GAP, GAP)
    columns = max(1, target.width() // cell.width())
    painter = QPainter(target)
    option = QStyleOptionViewItem()
    paint = delegate.paint if cached else delegate.paint_uncached
    for row in range(CARDS):
        option.rect = QRect((row % columns) * cell.width(), (row // columns) * cell.height(),
                            cell.width(), cell.height())
        option.state = QStyle.StateFlag.State_Enabled | (
            QStyle.StateFlag.State_Selected if row == 2 else QStyle.StateFlag.State_None)
        paint(painter, option, model.index(row))
    painter.end()


def _per_card_us(rounds: int, picture_width: int) -> tuple[float, float]:
    model, loader = _model(picture_width)
    delegate = CardDelegate()
    delegate.picture_width = picture_width
    target = QImage(1400, 4000, QImage.Format.Format_ARGB32_Premultiplied)
    times: dict[bool, list[float]] = {True: [], False: []}
    _paint_screen(delegate, model, target, cached=True)  # warm: the parts are drawn once
    for _ in range(rounds):
        for cached in (False, True):
            target.fill(0)
            start = time.perf_counter()
            _paint_screen(delegate, model, target, cached)
            times[cached].append((time.perf_counter() - start) / CARDS * 1e6)
    loader.shutdown()
    return statistics.median(times[True]), statistics.median(times[False])


def run(size: Size) -> list[Figure]:
    rounds = 40 if size == "full" else 2
    figures = []
    for width in (110, 386):
        ours, baseline = _per_card_us(rounds, width)
        figures.append(Figure(f"paint of one card, {width} px pictures", ours, baseline, "µs",
                              "every part drawn each time (the previous delegate)"))
    return figures


if __name__ == "__main__":
    from PySide6.QtWidgets import QApplication

    from benchmarks.figures import table
    app = QApplication.instance() or QApplication([])
    print(table(run("full")))
