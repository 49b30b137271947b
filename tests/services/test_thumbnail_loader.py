"""The thumbnail loader's bookkeeping against the emulator's CDN: each picture once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSize
from pytestqt.qtbot import QtBot

import app.services.thumbnails as thumbnails
from app.api import ImageDownloader, StoreClient
from app.services.thumbnails import ThumbnailLoader
from tests.ui.conftest import oauth_for

BOX = QSize(110, 143)


@pytest.fixture
def downloader() -> Iterator[ImageDownloader]:
    client = ImageDownloader()
    yield client
    client.close()


def test_a_repaint_before_the_gui_has_the_picture_does_not_load_it_twice(
        qtbot: QtBot, empty_emulator, downloader: ImageDownloader,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker has finished but the GUI thread has not yet received the picture (it is
    busy): the view repaints the card and asks again. That must not start a second download."""
    product = empty_emulator.add_product("Mug", "MUG-1", image_count=1)
    url = StoreClient(oauth_for(empty_emulator)).list_images(product)[0].standard_url
    assert url
    decoded = threading.Event()
    original = thumbnails.decode_thumbnail

    def decode_and_tell(data, box):  # type: ignore[no-untyped-def]
        image = original(data, box)
        decoded.set()
        return image

    monkeypatch.setattr(thumbnails, "decode_thumbnail", decode_and_tell)
    loader = ThumbnailLoader(downloader, cache=None, workers=2)
    loaded: list[str] = []
    loader.loaded.connect(lambda key, u, image, width: loaded.append(u))
    empty_emulator.clear_requests()
    try:
        loader.request(1, url, BOX)
        assert decoded.wait(15)
        # The GUI thread is busy (no events processed) while the view keeps asking; a second
        # download would show up within this bounded poll.
        for _ in range(50):
            loader.request(1, url, BOX)
            if len(empty_emulator.cdn_requests()) > 1:
                break
            time.sleep(0.01)
        qtbot.waitUntil(lambda: bool(loaded), timeout=15000)
    finally:
        loader.shutdown()
    assert len(empty_emulator.cdn_requests()) == 1
    assert loaded == [url]


def test_a_prefetched_picture_is_downloaded_once_and_handed_over_only_when_asked_for(
        qtbot: QtBot, empty_emulator, downloader: ImageDownloader) -> None:
    """Delivered before anyone asked, it would reach a model without the row and be lost."""
    product = empty_emulator.add_product("Mug", "MUG-1", image_count=1)
    url = StoreClient(oauth_for(empty_emulator)).list_images(product)[0].standard_url
    assert url
    loader = ThumbnailLoader(downloader, cache=None, workers=2)
    loaded: list[str] = []
    loader.loaded.connect(lambda key, u, image, width: loaded.append(u))
    empty_emulator.clear_requests()
    try:
        loader.prefetch(1, url, BOX, loader.generation)
        qtbot.waitUntil(lambda: len(empty_emulator.cdn_requests()) == 1, timeout=15000)
        qtbot.waitUntil(lambda: not loader._in_flight, timeout=15000)  # downloaded, kept
        assert loaded == []
        loader.request(1, url, BOX)
        qtbot.waitUntil(lambda: loaded == [url], timeout=15000)
        loader.request(1, url, BOX)  # asked again (a repaint): loads again, as before
        qtbot.waitUntil(lambda: len(loaded) == 2, timeout=15000)
    finally:
        loader.shutdown()
    assert len(empty_emulator.cdn_requests()) == 2


def test_a_request_while_the_prefetch_is_under_way_gets_that_download(
        qtbot: QtBot, empty_emulator, downloader: ImageDownloader) -> None:
    product = empty_emulator.add_product("Mug", "MUG-1", image_count=1)
    url = StoreClient(oauth_for(empty_emulator)).list_images(product)[0].standard_url
    assert url
    loader = ThumbnailLoader(downloader, cache=None, workers=1)
    loaded: list[str] = []
    loader.loaded.connect(lambda key, u, image, width: loaded.append(u))
    empty_emulator.clear_requests()
    try:
        loader.prefetch(1, url, BOX, loader.generation)
        loader.request(1, url, BOX)
        qtbot.waitUntil(lambda: loaded == [url], timeout=15000)
    finally:
        loader.shutdown()
    assert len(empty_emulator.cdn_requests()) == 1


def test_a_prefetch_for_a_product_no_longer_shown_is_ignored(
        qtbot: QtBot, empty_emulator, downloader: ImageDownloader) -> None:
    product = empty_emulator.add_product("Mug", "MUG-1", image_count=1)
    url = StoreClient(oauth_for(empty_emulator)).list_images(product)[0].standard_url
    assert url
    loader = ThumbnailLoader(downloader, cache=None, workers=1)
    guessed_in = loader.generation
    loader.clear()  # the merchant opened another product meanwhile
    empty_emulator.clear_requests()
    try:
        loader.prefetch(1, url, BOX, guessed_in)
        assert loader.pending_keys() == []
    finally:
        loader.shutdown()


def test_a_prefetched_picture_no_card_shows_is_dropped_by_retain(
        qtbot: QtBot, empty_emulator, downloader: ImageDownloader) -> None:
    """A wrong guess (the card is not on screen) must not keep its pixels until the next
    product switch."""
    product = empty_emulator.add_product("Mug", "MUG-1", image_count=1)
    url = StoreClient(oauth_for(empty_emulator)).list_images(product)[0].standard_url
    assert url
    loader = ThumbnailLoader(downloader, cache=None, workers=1)
    loaded: list[str] = []
    loader.loaded.connect(lambda key, u, image, width: loaded.append(u))
    empty_emulator.clear_requests()
    try:
        loader.prefetch(1, url, BOX, loader.generation)
        qtbot.waitUntil(lambda: len(empty_emulator.cdn_requests()) == 1, timeout=15000)
        qtbot.waitUntil(lambda: not loader._in_flight, timeout=15000)
        loader.retain([2])  # the screen shows another card
        loader.request(1, url, BOX)
        qtbot.waitUntil(lambda: loaded == [url], timeout=15000)
    finally:
        loader.shutdown()
    assert len(empty_emulator.cdn_requests()) == 2  # fetched again: the guess was dropped
