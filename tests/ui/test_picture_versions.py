"""A picture replaced on the store shows its new pixels after a reload (issue 7).

The RAM picture cache is keyed by the versioned rendition URL, not the image id, so the new
version of an image is a new picture, fetched from the CDN, not the old one from memory.
"""

from __future__ import annotations

import io

import httpx
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from app.api import StoreClient
from app.api.models import ImageChanges
from tests.ui.conftest import oauth_for, settle_pictures


def mean_rgb(image: QImage) -> tuple[int, int, int]:
    small = image.scaled(8, 8)
    pixels = [small.pixelColor(x, y) for x in range(8) for y in range(8)]
    return tuple(sum(getattr(p, c)() for p in pixels) // 64  # type: ignore[return-value]
                 for c in ("red", "green", "blue"))


def test_a_replaced_picture_shows_after_a_reload(qtbot: QtBot, empty_emulator,
                                                 open_store) -> None:
    emulator = empty_emulator
    product = emulator.add_product("Mug", "MUG-1", image_count=3)
    donor = emulator.add_product("Jug", "JUG-1", image_count=6)
    client = StoreClient(oauth_for(emulator))
    page = open_store(emulator, product_id=product)
    settle_pictures(qtbot, page)
    first = page.image_model.image_at(0)
    before_url = first.rendition_url(page.image_model.picture_size.width())
    before = page.image_model.index(0).data(Qt.ItemDataRole.DecorationRole).toImage()

    # Replace the file of the first image with a picture that looks different.
    candidates = client.list_images(donor)
    new_source = max(candidates, key=lambda image: sum(
        abs(a - b) for a, b in zip(mean_rgb(before), _mean_of(client, image.zoom_url))))
    updated = client.update_image(product, first.id, ImageChanges(image_file=new_source.zoom_url))

    page.reload_images()
    # The copy saved on this computer paints first; the store's answer brings the new file.
    qtbot.waitUntil(lambda: page.images_ready and not page.showing_saved_copy, timeout=15000)
    settle_pictures(qtbot, page)
    after_image = page.image_model.image_at(page.image_model.row_of(first.id))
    after_url = after_image.rendition_url(page.image_model.picture_size.width())
    assert after_url != before_url and after_url == updated.rendition_url(
        page.image_model.picture_size.width())
    assert any(after_url.endswith(request.path + "?" + request.query)
               for request in emulator.cdn_requests())
    index = page.image_model.index(page.image_model.row_of(first.id))
    after = index.data(Qt.ItemDataRole.DecorationRole).toImage()
    assert mean_rgb(after) != mean_rgb(before)


def _mean_of(client: StoreClient, url: str | None) -> tuple[int, int, int]:
    """The mean colour of a picture on the CDN (read with Pillow, in the test)."""
    assert url
    with Image.open(io.BytesIO(httpx.get(url).content)) as picture:
        red, green, blue = picture.convert("RGB").resize((1, 1), Image.Resampling.BOX
                                                         ).getpixel((0, 0))
    return red, green, blue
