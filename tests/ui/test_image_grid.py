"""The lazy thumbnail grid against the emulator: only what is on screen is fetched."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from app.api.models import ProductImage
from app.ui.image_model import ImageListModel, ImageRoles, PictureState
from tests.ui.conftest import cdn_image_ids, settle_pictures


def test_first_screen_loads_and_the_rest_stays_unloaded(qtbot: QtBot, emulator, open_store,
                                                        gui_thread_guard) -> None:
    page = open_store(emulator, product_id=1)
    assert page.image_model.rowCount() == 300
    settle_pictures(qtbot, page)
    visible = set(page.grid.visible_image_ids())
    assert 0 < len(visible) < 100
    fetched = set(cdn_image_ids(emulator, 1))
    # Every card on screen got its picture, and nothing far below the fold was fetched.
    assert visible <= fetched
    assert len(fetched) <= len(visible) + 10
    for row in page.grid.visible_rows():
        index = page.image_model.index(row)
        assert index.data(ImageRoles.PictureState) == PictureState.LOADED
        assert index.data(Qt.ItemDataRole.DecorationRole) is not None
    last_id = page.image_model.image_at(299).id
    assert last_id not in fetched


def test_scrolling_fetches_the_cards_that_come_into_view(qtbot: QtBot, emulator, open_store,
                                                         gui_thread_guard) -> None:
    page = open_store(emulator, product_id=1)
    settle_pictures(qtbot, page)
    page.grid.scrollToBottom()
    qtbot.waitUntil(lambda: page.grid.visible_rows().stop == 300, timeout=5000)
    settle_pictures(qtbot, page)
    fetched = set(cdn_image_ids(emulator, 1))
    assert page.image_model.image_at(299).id in fetched
    middle = page.image_model.image_at(150).id
    assert middle not in fetched  # jumped over, never painted


def _loader_idle(loader) -> bool:  # type: ignore[no-untyped-def]
    """Nothing waiting and nothing under way (reads the loader's own books, under its lock)."""
    with loader._lock:
        return not loader._pending and not loader._in_flight


def test_switching_product_drops_the_old_products_requests(qtbot: QtBot, emulator_factory,
                                                          open_store, gui_thread_guard) -> None:
    # A slow CDN keeps requests waiting in the queue when the product changes: six under way
    # for two seconds each, the rest of the screen waiting behind them.
    with gui_thread_guard.paused():
        emulator = emulator_factory(catalog="demo", cdn_latency_ms=2000)
    page = open_store(emulator, product_id=1)
    loader = page.session.thumbnails
    qtbot.waitUntil(lambda: len(loader.pending_keys()) > 3, timeout=15000)
    # What waits, and the switch, in one step: a worker taking a request in between would be
    # counted as "waiting" and then seen fetched (the race that made this test flaky).
    with loader._lock:
        waiting = set(loader.pending_keys()) - {1}  # 1 is also the list's picture
        page.open_product_id(4)  # 50 images
        assert loader.pending_keys() == []
    emulator.config.cdn_latency_ms = 0
    qtbot.waitUntil(lambda: page.images_ready and page.image_model.product_id == 4,
                    timeout=15000)
    settle_pictures(qtbot, page)
    # Instead of a fixed pause: wait until every request, old product's included, is done.
    qtbot.waitUntil(lambda: _loader_idle(loader), timeout=15000)
    # What was still waiting for product 1 was never fetched; product 4's cards loaded.
    assert waiting and not waiting & set(cdn_image_ids(emulator, 1))
    assert set(page.grid.visible_image_ids()) <= set(cdn_image_ids(emulator, 4))
    assert page.grid.visible_pictures_settled() == (True, 0)


def test_failed_pictures_show_a_badge_and_retry(qtbot: QtBot, emulator, open_store,
                                                gui_thread_guard) -> None:
    emulator.cdn_faults.error_rate = 1.0
    page = open_store(emulator, product_id=1)
    settle_pictures(qtbot, page)
    first = page.image_model.index(0)
    assert first.data(ImageRoles.PictureState) == PictureState.FAILED
    assert "image server" in first.data(ImageRoles.PictureError)
    assert "picture failed" in first.data(Qt.ItemDataRole.AccessibleTextRole)

    emulator.cdn_faults.error_rate = 0.0
    # Clicking the badge retries that card only.
    rect = page.grid.visualRect(first)
    qtbot.mouseClick(page.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: first.data(ImageRoles.PictureState) == PictureState.LOADED,
                    timeout=10000)
    second = page.image_model.index(1)
    assert second.data(ImageRoles.PictureState) == PictureState.FAILED
    # The toolbar's retry takes the rest.
    assert page.image_model.retry_failed_pictures() > 0
    settle_pictures(qtbot, page)
    assert page.grid.visible_pictures_settled() == (True, 0)


def test_zoom_keeps_pictures_and_asks_for_a_bigger_rendition(qtbot: QtBot, emulator,
                                                             open_store, gui_thread_guard) -> None:
    page = open_store(emulator, product_id=1)
    settle_pictures(qtbot, page)
    first = page.image_model.index(0)
    small = first.data(Qt.ItemDataRole.DecorationRole)
    page.grid.picture_width = 300
    # Straight after the zoom the old picture is still shown (no blank grid)...
    assert first.data(Qt.ItemDataRole.DecorationRole).cacheKey() == small.cacheKey()
    page.grid.viewport().repaint()
    settle_pictures(qtbot, page)
    # ...then the thumbnail rendition (386 wide) replaces it.
    thumbnail_url = page.image_model.image_at(0).thumbnail_url
    qtbot.waitUntil(lambda: first.data(Qt.ItemDataRole.DecorationRole).cacheKey() != small.cacheKey(),
                    timeout=5000)
    assert any(r.path in thumbnail_url for r in emulator.cdn_requests())
    page.grid.zoom_out()
    assert page.grid.picture_width < 300


def _images(count: int) -> list[ProductImage]:
    return [ProductImage(id=100 + n, product_id=7, sort_order=count - n,
                         description="" if n % 2 else None, is_thumbnail=n == 0,
                         tiny_url=f"https://cdn.example/{n}.jpg")
            for n in range(count)]


def test_image_model_passes_qtmodeltester(qtmodeltester) -> None:
    model = ImageListModel()
    model.set_images(7, _images(12))
    qtmodeltester.check(model, force_py=True)
    # Display order is sort_order then id; the model maps ids to rows both ways.
    assert [model.image_at(r).sort_order for r in range(12)] == sorted(range(1, 13))
    assert model.row_of(111) == 0 and model.index_of(100).row() == 11
    assert model.data(model.index(0), ImageRoles.Position) == 1
    assert model.rowCount(model.index(0)) == 0
    assert model.data(QModelIndex()) is None
