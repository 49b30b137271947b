"""Card layout: even gutters at every size, nothing overlapping on small cards, three columns
in a 900 px window, and the product list's pictures sharp and untinted."""

from __future__ import annotations

from collections import Counter

import httpx
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPixmap
from pytestqt.qtbot import QtBot

from app.ui.card_delegate import CardGeometry
from app.ui.image_grid import DEFAULT_PICTURE_WIDTH, MAX_PICTURE_WIDTH, MIN_PICTURE_WIDTH
from app.ui.store_page import StorePage
from tests.ui.conftest import oauth_for

SIZES = [MIN_PICTURE_WIDTH, 60, 79, 80, DEFAULT_PICTURE_WIDTH, 170, 260, MAX_PICTURE_WIDTH]


def first_row_cards(page: StorePage) -> list[QRect]:
    grid, model = page.grid, page.image_model
    cards = [grid.card_rect(model.index(row)) for row in range(min(40, model.rowCount()))]
    return [card for card in cards if card.top() == cards[0].top()]


def test_cards_have_even_gutters_at_every_size(qtbot: QtBot, emulator, open_store,
                                               gui_thread_guard) -> None:
    page = open_store(emulator, product_id=1)
    grid = page.grid
    for width in SIZES + [DEFAULT_PICTURE_WIDTH]:
        grid.picture_width = width
        qtbot.waitUntil(lambda: first_row_cards(page)[0].width()
                        == grid._delegate.geometry().size.width() - 2, timeout=5000)
        grid.doItemsLayout()
        cards = first_row_cards(page)
        viewport = grid.viewport().width()
        left = cards[0].left()
        right = viewport - 1 - cards[-1].right()
        gaps = [b.left() - a.right() - 1 for a, b in zip(cards, cards[1:])]
        slack = len(cards) + 2  # integer division spreads a remainder over the columns
        for gap in gaps + [right]:
            assert abs(gap - left) <= slack, (width, left, gaps, right)
        # The columns fill the width: no room is left for another card.
        assert right < cards[0].width(), (width, right)
        # Rows are spaced too: the second row's card starts below the first one's.
        second = grid.card_rect(page.image_model.index(len(cards)))
        assert second.left() == cards[0].left() and second.top() > cards[0].bottom() + 4


def test_small_cards_overlap_nothing_and_hide_text_that_cannot_be_read(qtbot: QtBot) -> None:
    from PySide6.QtGui import QFont
    small = QFont()
    small.setPointSizeF(max(7.0, small.pointSizeF() * 0.85))
    metrics = QFontMetrics(small)
    for width in range(MIN_PICTURE_WIDTH, MAX_PICTURE_WIDTH + 1, 2):
        geometry = CardGeometry(width, metrics.height())
        card = QRect(0, 0, geometry.size.width(), geometry.size.height())
        picture = geometry.picture_rect(card)
        star = geometry.star_rect(picture)
        assert QRect(picture).contains(star.toAlignedRect()), width
        for position in ("1", "42", "300", "1000"):
            pill = geometry.pill_rect(picture, metrics.horizontalAdvance(position))
            if pill is not None:
                assert not pill.intersects(star), (width, position)
                assert picture.contains(pill.toAlignedRect())
        # Two lines of alt text only where a word or two fit; none on the smallest cards.
        assert geometry.text_lines == (0 if width < 80 else 2)
        if geometry.text_lines:
            assert geometry.text_rect(card).bottom() <= card.bottom()
    assert CardGeometry(MIN_PICTURE_WIDTH, metrics.height()).text_lines == 0
    # The default card still shows the position of a three-digit image.
    default = CardGeometry(DEFAULT_PICTURE_WIDTH, metrics.height())
    picture = default.picture_rect(QRect(QRect(0, 0, 200, 300)))
    assert default.pill_rect(picture, metrics.horizontalAdvance("300")) is not None


def test_a_900_px_window_keeps_three_columns_of_default_cards(qtbot: QtBot, emulator,
                                                             make_window,
                                                             gui_thread_guard) -> None:
    from app.services.session import StoreInfo

    window = make_window()
    window.resize(900, 620)
    page = window.open_store(StoreInfo("Test store", oauth_for(emulator)), 1)
    qtbot.waitUntil(lambda: page.images_ready, timeout=15000)
    qtbot.waitUntil(lambda: window.width() == 900, timeout=5000)
    assert page.grid.picture_width == DEFAULT_PICTURE_WIDTH
    page.grid.doItemsLayout()
    assert len(first_row_cards(page)) >= 3
    # The largest card is centred even where two minimum gaps do not fit beside it.
    page.grid.picture_width = MAX_PICTURE_WIDTH
    page.grid.doItemsLayout()
    [card] = first_row_cards(page)
    right = page.grid.viewport().width() - 1 - card.right()
    assert abs(card.left() - right) <= 2, (card.left(), right)
    # The window did not grow to make room, and the details pane is still there.
    assert window.width() == 900
    assert page.details.width() >= 150


def test_product_list_asks_for_pictures_by_device_pixels(qtbot: QtBot, emulator, open_store,
                                                         gui_thread_guard) -> None:
    page = open_store(emulator, product_id=4)  # the grid shows another product's pictures
    model = page.product_model
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=10000)
    first = model.product_at(0)
    assert first.id != 4
    qtbot.waitUntil(lambda: first.primary_image.tiny_url in model._pictures, timeout=10000)
    fetched = {r.path for r in emulator.cdn_requests()}
    assert httpx.URL(first.primary_image.tiny_url).path in fetched
    standard_path = httpx.URL(first.primary_image.standard_url).path
    assert standard_path not in fetched
    # On a 2x screen the 44 px tile is 88 device pixels: the tiny rendition would be blurred.
    model.set_device_pixel_ratio(2.0)
    model.data(model.index(0), Qt.ItemDataRole.DecorationRole)
    qtbot.waitUntil(lambda: first.primary_image.standard_url in model._pictures, timeout=10000)
    assert standard_path in {r.path for r in emulator.cdn_requests()}
    icon = model.data(model.index(0), Qt.ItemDataRole.DecorationRole)
    pixmap = icon.pixmap(QSize(44, 58), 2.0)
    assert pixmap.devicePixelRatio() == 2.0 and pixmap.width() == 88


def product_picture_loaded(model, row: int) -> bool:  # type: ignore[no-untyped-def]
    """The product's own picture (not the blank tile) is in the model's cache."""
    primary = model.product_at(row).primary_image
    return primary.rendition_url(model._device_picture_size().width()) in model._pictures


def test_the_selected_products_picture_is_not_tinted(qtbot: QtBot, emulator, open_store,
                                                     gui_thread_guard) -> None:
    page = open_store(emulator, product_id=1)
    view, model = page.product_view, page.product_model
    qtbot.waitUntil(lambda: model.rowCount() > 0 and product_picture_loaded(model, 0),
                    timeout=10000)
    index = model.index(0)
    view.setCurrentIndex(index)
    assert view.selectionModel().isSelected(index)
    decoration = model.data(index, Qt.ItemDataRole.DecorationRole)
    source = (decoration if isinstance(decoration, QPixmap)
              else decoration.pixmap(QSize(44, 58))).toImage()
    # The picture's commonest colour, as the store made it.
    counts = Counter(pixel.rgb() for pixel in source_pixels(source))
    expected = QColor.fromRgb(counts.most_common(1)[0][0])
    shot = view.viewport().grab(view.visualRect(index)).toImage()
    pixels = [shot.pixelColor(x, y) for x in range(shot.width()) for y in range(shot.height())]

    def same(colour: QColor) -> bool:
        return all(abs(a - b) <= 3 for a, b in zip(colour.getRgb()[:3], expected.getRgb()[:3]))

    # The picture's background shows in its own colour (a tint would blend the selection's
    # blue into every pixel, leaving only a stray anti-aliased pixel or two that match).
    background = sum(1 for pixel in source_pixels(source) if same(pixel))
    matching = sum(1 for pixel in pixels if same(pixel))
    assert matching >= background // 2 > 50, (expected.name(), matching, background)


def source_pixels(image: QImage) -> list[QColor]:
    return [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())]
