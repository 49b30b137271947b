"""The thumbnail loader against a hostile image host: wrong types, bombs, bodies cut short.

Real parts throughout: the credential-free downloader, the disk cache in a temp folder and the
loader's worker threads, talking HTTP to tests/hostile/hostile_images.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from app.api.cdn import ImageDownloader
from app.api.retry import RetryPolicy
from app.cache.blob_cache import BlobCache
from app.services.thumbnails import ThumbnailLoader
from tests.hostile.hostile_images import (SVG, Answer, HostileImageHost, jpeg_bytes,
                                          other_format_bytes, png_bytes, png_pixel_bomb)

BOX = QSize(110, 143)


@pytest.fixture
def cache(tmp_path: Path) -> BlobCache:
    return BlobCache(tmp_path / "cache" / "images")


@pytest.fixture
def loader(cache: BlobCache) -> Iterator[ThumbnailLoader]:
    downloader = ImageDownloader(retry=RetryPolicy(max_attempts=2, base_delay=0.01,
                                                   max_delay=0.01))
    loader = ThumbnailLoader(downloader, cache, workers=2)
    yield loader
    loader.shutdown()
    downloader.close()


def load(qtbot: QtBot, loader: ThumbnailLoader, url: str, key: object = 1
         ) -> tuple[QImage | None, str | None]:
    """Asks for one picture; (image, None) when it loaded, (None, message) when it failed."""
    outcome: dict[str, object] = {}
    loader.loaded.connect(lambda k, u, image, w: outcome.setdefault("image", image))
    loader.failed.connect(lambda k, u, message: outcome.setdefault("error", message))
    loader.request(key, url, BOX)
    qtbot.waitUntil(lambda: bool(outcome), timeout=15000)
    return outcome.get("image"), outcome.get("error")  # type: ignore[return-value]


@pytest.mark.parametrize("body, content_type, named", [
    (SVG, "image/svg+xml", "SVG"),
    (SVG, "image/png", "SVG"),  # the header lies: the bytes decide
    (other_format_bytes("TIFF"), "image/tiff", "TIFF"),
    (other_format_bytes("BMP"), "image/bmp", "BMP"),
    (other_format_bytes("ICO"), "image/x-icon", "ICO"),
], ids=["svg", "svg-as-png", "tiff", "bmp", "ico"])
def test_only_the_stores_formats_are_shown(qtbot: QtBot, loader: ThumbnailLoader,
                                           cache: BlobCache, hostile_images: HostileImageHost,
                                           body: bytes, content_type: str, named: str) -> None:
    url = hostile_images.serve("/p.img", Answer(body, content_type))
    image, error = load(qtbot, loader, url)
    assert image is None and error is not None
    assert named in error and "not a JPEG, PNG, GIF or WebP" in error
    assert cache.get(url) is None


def test_a_pixel_bomb_is_refused_not_decoded(qtbot: QtBot, loader: ThumbnailLoader,
                                            cache: BlobCache,
                                            hostile_images: HostileImageHost) -> None:
    url = hostile_images.serve("/bomb.png", Answer(png_pixel_bomb(7000, 7000)))
    image, error = load(qtbot, loader, url)
    assert image is None and error is not None and "megapixels" in error
    assert cache.get(url) is None


def test_a_truncated_picture_is_not_cached(qtbot: QtBot, loader: ThumbnailLoader,
                                          cache: BlobCache,
                                          hostile_images: HostileImageHost) -> None:
    """The HTTP answer is complete (its length matches), the picture inside is cut short."""
    whole = png_bytes(300, 300)
    url = hostile_images.serve("/half.png", Answer(whole[: len(whole) * 2 // 3]))
    image, error = load(qtbot, loader, url)
    assert image is None and error is not None and "incomplete" in error
    assert cache.get(url) is None


def test_a_body_without_a_length_is_shown_but_not_cached(
        qtbot: QtBot, loader: ThumbnailLoader, cache: BlobCache,
        hostile_images: HostileImageHost) -> None:
    """No Content-Length: the close ends the body, so nothing says the picture is whole."""
    url = hostile_images.serve("/nolength.png", Answer(png_bytes(80, 60), length="none"))
    image, error = load(qtbot, loader, url)
    assert error is None and image is not None and (image.width(), image.height()) == (80, 60)
    assert cache.get(url) is None


def test_a_body_shorter_than_its_length_is_neither_shown_nor_cached(
        qtbot: QtBot, loader: ThumbnailLoader, cache: BlobCache,
        hostile_images: HostileImageHost) -> None:
    body = png_bytes(80, 60)
    url = hostile_images.serve("/short.png", Answer(body, length=len(body) + 500))
    image, error = load(qtbot, loader, url)
    assert image is None and error is not None
    assert cache.get(url) is None


def test_a_whole_picture_is_cached_and_shown_fitted(qtbot: QtBot, loader: ThumbnailLoader,
                                                   cache: BlobCache,
                                                   hostile_images: HostileImageHost) -> None:
    url = hostile_images.serve("/ok.jpg", Answer(jpeg_bytes(1000, 500), "image/jpeg"))
    image, error = load(qtbot, loader, url)
    assert error is None and image is not None
    assert (image.width(), image.height()) == (110, 55)
    assert cache.get(url) is not None


def test_workers_never_decode_or_scale_with_qt(qtbot: QtBot, loader: ThumbnailLoader,
                                               hostile_images: HostileImageHost,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """QImage.fromData and QImage.scaled hold the GIL in PySide6 6.11 (the GUI thread stalls
    while a worker runs them): the worker path must not call them, on any thread."""
    called: list[str] = []

    def forbidden(name: str):  # type: ignore[no-untyped-def]
        def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
            called.append(name)
            raise AssertionError(f"{name} called")
        return refuse

    for name in ("fromData", "loadFromData", "scaled", "scaledToWidth", "scaledToHeight",
                 "smoothScaled"):
        if hasattr(QImage, name):
            monkeypatch.setattr(QImage, name, forbidden(f"QImage.{name}"))
    pictures = [hostile_images.serve(f"/big{n}.png", Answer(png_bytes(1200, 900)))
                for n in range(3)]
    pictures.append(hostile_images.serve("/big.jpg", Answer(jpeg_bytes(1600, 1200),
                                                                "image/jpeg")))
    loaded: list[str] = []
    failures: list[str] = []
    loader.loaded.connect(lambda key, url, image, width: loaded.append(url))
    loader.failed.connect(lambda key, url, message: failures.append(message))
    for n, url in enumerate(pictures):
        loader.request(n, url, BOX)
    qtbot.waitUntil(lambda: len(loaded) + len(failures) == len(pictures), timeout=20000)
    assert not called and not failures
