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
