"""When a store opens, the product it opens on gets the network first: the product list's
pictures and image counts wait until the grid's first screen of pictures is in (issue 11:
first screen vs a plain script)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pytestqt.qtbot import QtBot

from app.ui.image_model import ImageRoles
from tests.ui.conftest import settle_pictures


def _is_list_picture(path: str) -> bool:
    return ".44.58." in path  # the product list's rendition (the "tiny" one) at 1x


def test_the_lists_pictures_and_counts_wait_for_the_first_screen(
        qtbot: QtBot, emulator_factory, open_store) -> None:
    emulator = emulator_factory(catalog="demo", cdn_latency_ms=100)
    page = open_store(emulator, 1)
    assert page.product_model.extras_loading()  # held: the grid's pictures are on their way
    settle_pictures(qtbot, page)
    model = page.image_model
    box = model.picture_size.width()
    cards = {urlsplit(model.index(row).data(ImageRoles.Image).rendition_url(box)).path
             for row in page.grid.visible_rows()}
    # Released: the list's pictures and counts come now.
    qtbot.waitUntil(lambda: any(_is_list_picture(request.path)
                                for request in emulator.cdn_requests()), timeout=10000)
    qtbot.waitUntil(lambda: any(re.search(r"/products/\d+/images/count$", request.path)
                                for request in emulator.requests()), timeout=10000)
    order = [request.path for request in emulator.cdn_requests()]
    last_card = max(order.index(path) for path in cards)
    first_list_picture = min(index for index, path in enumerate(order)
                             if _is_list_picture(path))
    assert first_list_picture > last_card, order
    assert not page.product_model.side_work_held
    # What --screenshot waits for: every painted row's picture and count has come.
    qtbot.waitUntil(lambda: not page.product_model.extras_loading(), timeout=10000)
