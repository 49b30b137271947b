"""A card drawn from cached parts looks like one drawn part by part (issue 11), and the parts
are drawn once per size, not once per card."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

from app.api.cdn import ImageDownloader
from app.api.models import ProductImage
from app.services.thumbnails import ThumbnailLoader
from app.ui.card_delegate import CardDelegate
from app.ui.image_model import ImageListModel


def _render(delegate: CardDelegate, model: ImageListModel, row: int, selected: bool,
            cached: bool) -> QImage:
    size = delegate.geometry().size + QSize(16, 16)
    target = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    target.fill(QColor("#ececec"))
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, size.width(), size.height())
    option.state = QStyle.StateFlag.State_Enabled | (
        QStyle.StateFlag.State_Selected if selected else QStyle.StateFlag.State_None)
    painter = QPainter(target)
    (delegate.paint if cached else delegate.paint_uncached)(painter, option, model.index(row))
    painter.end()
    return target


def _largest_difference(first: QImage, second: QImage) -> int:
    worst = 0
    for y in range(first.height()):
        for x in range(first.width()):
            a, b = first.pixelColor(x, y), second.pixelColor(x, y)
            worst = max(worst, abs(a.red() - b.red()), abs(a.green() - b.green()),
                        abs(a.blue() - b.blue()))
    return worst


@pytest.fixture
def model(qapp) -> ImageListModel:  # type: ignore[no-untyped-def]
    loader = ThumbnailLoader(ImageDownloader(), None, workers=0)
    model = ImageListModel(loader)
    model.picture_size = QSize(110, 143)
    model.set_images(1, [
        ProductImage(id=1, product_id=1, sort_order=0, is_thumbnail=True,
                     description="Canvas tote bag, lifestyle shot on a wooden table",
                     standard_url="https://cdn.example/1.220.290.jpg"),
        ProductImage(id=2, product_id=1, sort_order=1, description=None,
                     standard_url="https://cdn.example/2.220.290.jpg"),
        ProductImage(id=3, product_id=1, sort_order=2, description="Failed"),
    ])
    picture = QImage(110, 143, QImage.Format.Format_RGB32)
    picture.fill(QColor("#3366aa"))
    loader.loaded.emit(1, "https://cdn.example/1.220.290.jpg", picture, 110)
    loader.failed.emit(3, "https://cdn.example/3.jpg", "The picture is not an image.")
    yield model
    loader.shutdown()


@pytest.mark.parametrize("row,selected", [(0, False), (0, True), (1, False), (2, False)])
def test_a_card_from_cached_parts_looks_like_one_drawn_part_by_part(
        model: ImageListModel, row: int, selected: bool) -> None:
    delegate = CardDelegate()
    cached = _render(delegate, model, row, selected, cached=True)
    cached_again = _render(delegate, model, row, selected, cached=True)  # from the parts
    drawn = _render(delegate, model, row, selected, cached=False)
    difference = _largest_difference(cached_again, drawn)
    assert difference <= 8  # rounding of antialiased edges, nothing a merchant could see
    assert cached_again == cached


def test_each_part_is_drawn_once_per_size_not_once_per_card(model: ImageListModel,
                                                            monkeypatch) -> None:
    frames: list[int] = []
    draw_frame = CardDelegate._paint_frame
    monkeypatch.setattr(CardDelegate, "_paint_frame",
                        lambda self, *args: (frames.append(1), draw_frame(self, *args)))
    delegate = CardDelegate()
    for _ in range(5):
        _render(delegate, model, 0, selected=False, cached=True)
        _render(delegate, model, 1, selected=False, cached=True)
    assert len(frames) == 2  # one card with a picture, one still loading
    delegate.picture_width = 150
    _render(delegate, model, 0, selected=False, cached=True)
    assert len(frames) == 3
