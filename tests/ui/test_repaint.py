"""Pictures arriving repaint only their own cards, at most once per frame (issue 11).

Counts what Qt repaints (the viewport's paint events and their regions) and which cards the
delegate paints, never how long anything takes. The loader is the real one with no workers:
its requests wait, and the test delivers pictures through its `loaded` signal as the workers
would, so the batches are exactly the ones the test makes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRect, Qt
from PySide6.QtGui import QColor, QImage, QRegion
from pytestqt.qtbot import QtBot

from app.api.cdn import ImageDownloader
from app.api.models import ProductImage
from app.services.thumbnails import ThumbnailLoader
from app.ui.card_delegate import CardDelegate
from app.ui.image_grid import ImageGridView
from app.ui.image_model import ImageListModel


class PaintSpy(QObject):
    """Records the region of every paint event of a widget."""

    def __init__(self) -> None:
        super().__init__()
        self.regions: list[QRegion] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.regions.append(QRegion(event.region()))
        return False


@pytest.fixture
def grid(qtbot: QtBot) -> Iterator[tuple[ImageGridView, ImageListModel, ThumbnailLoader]]:
    loader = ThumbnailLoader(ImageDownloader(), None, workers=0)
    model = ImageListModel(loader)
    view = ImageGridView()
    qtbot.addWidget(view)
    view.set_loader(loader)
    view.setModel(model)
    model.set_images(1, [ProductImage(
        id=100 + n, product_id=1, sort_order=n, description=f"Picture {n}",
        tiny_url=f"https://cdn.example/{n}.44.58.jpg",
        standard_url=f"https://cdn.example/{n}.220.290.jpg",
        thumbnail_url=f"https://cdn.example/{n}.386.513.jpg") for n in range(60)])
    view.resize(900, 700)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: len(loader.pending_keys()) >= 20)  # the first paint asked
    yield view, model, loader
    loader.shutdown()


@pytest.fixture
def painted_rows(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The rows the card delegate paints, in order (the real paint still runs)."""
    rows: list[int] = []
    paint = CardDelegate.paint

    def counting_paint(self, painter, option, index) -> None:  # type: ignore[no-untyped-def]
        rows.append(index.row())
        paint(self, painter, option, index)

    monkeypatch.setattr(CardDelegate, "paint", counting_paint)
    return rows


def _deliver(model: ImageListModel, loader: ThumbnailLoader, row: int) -> None:
    image = model.image_at(row)
    picture = QImage(220, 290, QImage.Format.Format_RGB32)
    picture.fill(QColor("#3366aa"))
    loader.loaded.emit(image.id, image.rendition_url(model.picture_size.width()), picture, 220)


def test_pictures_arriving_in_one_frame_repaint_only_their_cards_once(
        qtbot: QtBot, painted_rows: list[int], grid) -> None:
    view, model, loader = grid
    # "One frame" made long: a loaded machine may take more than 16 ms between two of the
    # deliveries below, and then they rightly belong to two frames.
    model._arrival_timer.setInterval(1000)
    spy = PaintSpy()
    view.viewport().installEventFilter(spy)
    painted_rows.clear()
    arriving = [0, 5, 14]  # three cards on three rows, far apart
    assert set(arriving) <= set(view.visible_rows())
    for row in arriving:  # each its own delivery, as the loader's queued signal makes them
        _deliver(model, loader, row)
        QCoreApplication.processEvents()
    qtbot.waitUntil(lambda: set(arriving) <= set(painted_rows))
    QCoreApplication.processEvents()

    assert len(spy.regions) == 1, [list(region) for region in spy.regions]
    changed = QRegion()
    for row in arriving:
        changed += view.visualRect(model.index(row))
    assert spy.regions[0] == changed
    assert sorted(painted_rows) == arriving


def test_arrivals_are_announced_once_per_run_of_consecutive_rows(qtbot: QtBot, grid) -> None:
    view, model, loader = grid
    announced: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda first, last, roles: announced.append((first.row(),
                                                                           last.row())))
    for row in (9, 3, 4, 5):
        _deliver(model, loader, row)
    qtbot.waitUntil(lambda: len(announced) >= 2)
    QCoreApplication.processEvents()
    assert announced == [(3, 5), (9, 9)]
    assert model.index(4).data(Qt.ItemDataRole.DecorationRole) is not None


def test_a_picture_size_change_still_repaints_every_visible_card(
        qtbot: QtBot, painted_rows: list[int], grid) -> None:
    view, model, loader = grid
    painted_rows.clear()
    view.picture_width = 150
    qtbot.waitUntil(lambda: set(view.visible_rows()) <= set(painted_rows))
    assert isinstance(view.visualRect(model.index(0)), QRect)
