"""A product's first screen of pictures starts loading with the first page of its listing, not
after the whole list is in and checked (issue 11: first screen vs a plain script)."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

from pytestqt.qtbot import QtBot

from app.services.session import StoreInfo
from app.ui.image_model import ImageRoles
from tests.ui.conftest import oauth_for, settle_pictures


def test_the_first_screen_loads_while_a_long_listing_is_still_being_checked(
        qtbot: QtBot, emulator_factory, make_window) -> None:
    # 300 images: two pages and a boundary check, three API calls of 300 ms each, one after
    # the other; the pictures of the first page's first cards need not wait for them.
    emulator = emulator_factory(catalog="empty", latency_ms=300)
    product_id = emulator.add_product("Big", "BIG-1", image_count=300)
    window = make_window()
    requested_before_list: list[str] = []
    page = window.open_store(StoreInfo("Test store", oauth_for(emulator)), product_id)
    assert page is not None
    page.imagesLoaded.connect(lambda *_: requested_before_list.extend(
        request.path for request in emulator.cdn_requests()))
    qtbot.waitUntil(lambda: page.images_ready, timeout=15000)
    settle_pictures(qtbot, page)

    model = page.image_model
    box = model.picture_size.width()
    card_paths = {urlsplit(model.index(row).data(ImageRoles.Image).rendition_url(box)).path
                  for row in page.grid.visible_rows()}
    assert len(card_paths) >= 6
    assert card_paths & set(requested_before_list), "no card's picture started before the list"
    downloads = Counter(request.path for request in emulator.cdn_requests()
                        if request.path in card_paths)
    assert set(downloads) == card_paths
    assert set(downloads.values()) == {1}, downloads  # a prefetch is never downloaded twice


def _listings(emulator, product_id: int) -> list[str]:
    """The first-page listings of a product's images the store received."""
    path = f"/stores/{emulator.config.store_hash}/v2/products/{product_id}/images"
    return [request.query for request in emulator.requests()
            if request.path == path and "page=2" not in request.query]


def test_the_product_a_page_opens_on_is_listed_before_the_page_starts_and_only_once(
        qtbot: QtBot, empty_emulator, tmp_path) -> None:
    from app.services.session import StoreSession
    from app.ui.store_page import StorePage

    emulator = empty_emulator
    product_id = emulator.add_product("Mug", "MUG-1", image_count=12)
    session = StoreSession(StoreInfo("Test store", oauth_for(emulator)), tmp_path / "cache")
    page = StorePage(session, open_first=product_id)
    qtbot.addWidget(page)
    # Sent while the page was being built: the store has it before anything was started.
    qtbot.waitUntil(lambda: len(_listings(emulator, product_id)) == 1, timeout=10000)
    page.resize(1280, 800)
    page.show()
    page.start(product_id)
    qtbot.waitUntil(lambda: page.images_ready, timeout=10000)
    settle_pictures(qtbot, page)
    assert page.image_model.product_id == product_id
    assert page.image_model.rowCount() == emulator.image_count(product_id)
    assert len(_listings(emulator, product_id)) == 1  # taken over, not asked again
    session.close()


def test_a_page_started_on_another_product_drops_the_listing_sent_ahead(
        qtbot: QtBot, empty_emulator, tmp_path) -> None:
    from app.services.session import StoreSession
    from app.ui.store_page import StorePage

    emulator = empty_emulator
    first = emulator.add_product("Mug", "MUG-1", image_count=12)
    other = emulator.add_product("Cap", "CAP-1", image_count=5)
    session = StoreSession(StoreInfo("Test store", oauth_for(emulator)), tmp_path / "cache")
    page = StorePage(session, open_first=first)
    qtbot.addWidget(page)
    page.start(other)
    qtbot.waitUntil(lambda: page.images_ready, timeout=10000)
    assert page.image_model.product_id == other
    assert page.image_model.rowCount() == emulator.image_count(other)
    qtbot.wait(300)  # the dropped listing's answer, if it came, must not replace the grid
    assert page.image_model.product_id == other
    session.close()
