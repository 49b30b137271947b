"""The credential-free image client against compression tricks: bounded while inflating."""

from __future__ import annotations

import gzip
import tracemalloc
from collections.abc import Iterator

import pytest

from app.api import errors
from app.api.cdn import ImageDownloader
from app.api.retry import RetryPolicy
from tests.hostile.hostile_images import (Answer, HostileImageHost, gzip_bomb, png_bytes,
                                          stacked_gzip)

CAP = 1 << 20  # 1 MB for the test (the app's is 8 MB)


@pytest.fixture
def downloader() -> Iterator[ImageDownloader]:
    client = ImageDownloader(retry=RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.01))
    yield client
    client.close()


def test_a_gzip_bomb_is_stopped_at_the_cap_while_inflating(
        downloader: ImageDownloader, hostile_images: HostileImageHost) -> None:
    """~200 KB that inflate to 256 MB: refused having unpacked at most the cap, so memory
    never holds an inflated chunk (the old reader inflated a whole socket read, ~64 MB)."""
    bomb = gzip_bomb(256 << 20)
    url = hostile_images.serve("/bomb.png", Answer(bomb, extra_headers=(
        ("Content-Encoding", "gzip"),)))
    tracemalloc.start()
    try:
        with pytest.raises(errors.ResponseTooLarge):
            downloader.fetch(url, max_bytes=CAP)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * CAP, f"peak {peak / 1e6:.0f} MB while reading a {CAP / 1e6:.0f} MB cap"
    assert hostile_images.hits("/bomb.png") == 1  # too large is final: not asked again


def test_stacked_compression_is_refused(downloader: ImageDownloader,
                                        hostile_images: HostileImageHost) -> None:
    url = hostile_images.serve("/stacked.png", Answer(stacked_gzip(png_bytes()), extra_headers=(
        ("Content-Encoding", "gzip, gzip"),)))
    with pytest.raises(errors.UnsupportedEncoding, match="several times over"):
        downloader.fetch(url)
    url = hostile_images.serve("/stacked2.png", Answer(stacked_gzip(png_bytes()), extra_headers=(
        ("Content-Encoding", "gzip"), ("Content-Encoding", "gzip"))))
    with pytest.raises(errors.UnsupportedEncoding, match="several times over"):
        downloader.fetch(url)


def test_an_encoding_the_app_did_not_ask_for_is_refused(
        downloader: ImageDownloader, hostile_images: HostileImageHost) -> None:
    url = hostile_images.serve("/br.png", Answer(png_bytes(), extra_headers=(
        ("Content-Encoding", "compress"),)))
    with pytest.raises(errors.UnsupportedEncoding, match="does not unpack"):
        downloader.fetch(url)


@pytest.mark.parametrize("length", ["exact", "none"])
def test_a_gzipped_picture_is_unpacked(downloader: ImageDownloader,
                                       hostile_images: HostileImageHost, length: str) -> None:
    picture = png_bytes(50, 50)
    url = hostile_images.serve("/gz.png", Answer(gzip.compress(picture), length=length,
                                                 extra_headers=(("Content-Encoding", "gzip"),)))
    download = downloader.download(url)
    assert download.data == picture
    assert download.complete  # gzip's own trailer proves the end, even without a length


def test_a_gzipped_body_cut_short_is_an_error_not_a_picture(
        downloader: ImageDownloader, hostile_images: HostileImageHost) -> None:
    packed = gzip.compress(png_bytes(300, 300, (1, 2, 3)))
    url = hostile_images.serve("/cut.png", Answer(packed[: len(packed) // 2], length="none",
                                                  extra_headers=(("Content-Encoding", "gzip"),)))
    with pytest.raises(errors.NetworkError, match="incomplete"):
        downloader.fetch(url)


def test_a_plain_body_says_whether_its_end_was_confirmed(
        downloader: ImageDownloader, hostile_images: HostileImageHost) -> None:
    picture = png_bytes()
    assert downloader.download(hostile_images.serve("/a.png", Answer(picture))).complete
    unconfirmed = downloader.download(hostile_images.serve("/b.png", Answer(picture,
                                                                            length="none")))
    assert unconfirmed.data == picture and not unconfirmed.complete


def test_a_declared_length_over_the_cap_is_refused_before_reading(
        downloader: ImageDownloader, hostile_images: HostileImageHost) -> None:
    url = hostile_images.serve("/huge.png", Answer(png_bytes(), length=CAP * 50))
    with pytest.raises(errors.ResponseTooLarge):
        downloader.fetch(url, max_bytes=CAP)
